"""Output paths built from names nobody vetted (Grafana titles, a pull manifest): one sanitised segment at a time,
and checked to lie inside the output root right before anything is written."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from .errors import DashkitError, ExitCode

MAX_SEGMENT = 80  # characters of one file or directory name, extension not included
_MAX_BYTES = 200  # file systems count UTF-8 bytes (255 per name), and the caller adds an extension
_TAG_MAX = 20
_FORBIDDEN = frozenset('/\\<>:"|?*')  # separators, and what Windows refuses in a name
_EDGES = re.compile(r"^[\s._]+|[\s.]+$")  # a leading dot or underscore hides a name from the loader
WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                              *(f"LPT{i}" for i in range(10))})


class UnsafePath(DashkitError):
    """A path to be written resolves outside its output folder (through `..`, a symlink, or a crafted name)."""

    exit_code = ExitCode.USAGE


def segment(text: str, *, fallback: str, suffix: str = "") -> str:
    """`text` as one file or directory name: separators and control characters replaced, never empty, `.`, `..`
    or starting with `.` or `_`, never a Windows device name, at most MAX_SEGMENT characters. A name that has to be
    cut ends in `-<suffix>` (a uid, say) or, without one, a short hash of `text`: the same text always gives the
    same name. `fallback` serves when nothing of `text` is left."""
    name = _clean(text) or _clean(fallback)
    if not name:
        raise ValueError(f"fallback {fallback!r} leaves no usable name")
    first, dot, rest = name.partition(".")
    if first.strip().upper() in WINDOWS_RESERVED:  # `nul.txt` is the device too: the part before the dot changes
        name = f"{first}_{dot}{rest}"
    if _fits(name):
        return name
    clean_suffix = _clean(suffix)
    tag = clean_suffix if 0 < len(clean_suffix) <= _TAG_MAX else stable_tag(suffix or text)
    head = name[:MAX_SEGMENT - len(tag) - 1]
    while head and not _fits(f"{head}-{tag}"):
        head = head[:-1]
    head = head.rstrip(" .-_")
    return f"{head}-{tag}" if head else tag


def unique(name: str, taken: set[str], *, tag: str, extension: str = "") -> str:
    """`name`, or `name-<tag>` (then `-2`, `-3`...) when `name + extension` is in `taken` (compared case-blind, as
    macOS and Windows do); the result, with its extension, is added to `taken`."""
    candidate, n = name, 1
    while (candidate + extension).casefold() in taken:
        marker = tag if n == 1 else f"{tag}-{n}"
        candidate = segment(f"{name}-{marker}", fallback=marker, suffix=marker)
        n += 1
    taken.add((candidate + extension).casefold())
    return candidate


def inside(root: Path, path: Path) -> Path:
    """`path` resolved, once it is certain to lie strictly inside `root` with every symlink followed; otherwise
    UnsafePath."""
    base = root.resolve()
    target = path.resolve()
    if target == base or not target.is_relative_to(base):
        raise UnsafePath(f"refusing to write {path}: it resolves to {target}, outside {base}",
                         hint="a folder or dashboard title, a symlink or a manifest points outside the output folder; "
                              "nothing was written there")
    return target


def write_text(root: Path, path: Path, text: str) -> None:
    """Write `text` to `path` (UTF-8), creating its folders, after checking that it lies inside `root`."""
    inside(root, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def stable_tag(*parts: str) -> str:
    """Ten hex digits naming `parts`: the same parts always give the same tag."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:10]


def _clean(text: str) -> str:
    chars = ("_" if c in _FORBIDDEN or unicodedata.category(c).startswith("C") else c for c in text)
    return _EDGES.sub("", "".join(chars))


def _fits(name: str) -> bool:
    return len(name) <= MAX_SEGMENT and len(name.encode("utf-8")) <= _MAX_BYTES

