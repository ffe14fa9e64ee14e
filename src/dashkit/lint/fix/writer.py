"""Writing a fixed JSON file back in its own layout (indent, empty containers, escapes, line endings, final newline),
atomically: a temporary file in the same folder replaces the old one."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FIRST_INDENT = re.compile(r"[\[{][ \t]*\r?\n([ \t]+)\S")
_OPEN_EMPTY = re.compile(r"[\[{][ \t]*\r?\n[ \t]*\r?\n[ \t]*[\]}]")  # jsonnet's "[\n\n    ]"
_EMPTY_AT_END = re.compile(r"(\[\]|\{\})(?=,?$)", re.M)  # [] or {} ending a line: never inside a string
_LEADING = re.compile(r"^[ \t]*", re.M)
_LINE_START = re.compile(r"^([ \t]*)(\S|$)", re.M)  # a line's indentation, and its first character ('' when blank)


@dataclass(frozen=True)
class JsonLayout:
    indent: str | None  # "  ", "    ", "\t"; None: all on one line
    separators: tuple[str, str]
    open_empties: bool  # empty lists and objects written "[\n\n<indent>]", as jsonnet writes them
    ensure_ascii: bool  # non-ASCII text escaped (\u00e9) rather than written as is
    crlf: bool
    final_newline: bool


def detect_layout(text: str) -> JsonLayout:
    match = _FIRST_INDENT.search(text[:4096])
    indent = match.group(1) if match else None
    if indent is None:
        head = text[:65536]
        separators = ("," if re.search(r",\S", head) and ", " not in head else ", ",
                      ":" if re.search(r'":\S', head) and '": ' not in head else ": ")
    else:
        separators = (",", ": ")
    return JsonLayout(indent=indent, separators=separators, open_empties=bool(_OPEN_EMPTY.search(text)),
                      ensure_ascii=text.isascii(), crlf="\r\n" in text[:4096],
                      final_newline=text.endswith("\n"))


def render(data: Any, layout: JsonLayout) -> str:
    text = json.dumps(data, indent=layout.indent, separators=layout.separators, ensure_ascii=layout.ensure_ascii)
    if layout.open_empties and layout.indent is not None:
        text = _EMPTY_AT_END.sub(lambda m: _opened(text, m.start(), m.group(1)), text)
    if layout.final_newline:
        text += "\n"
    if layout.crlf:
        text = text.replace("\n", "\r\n")
    return text


def _opened(text: str, at: int, empty: str) -> str:
    """An empty list or object written open, jsonnet's way: `[`, a blank line, `]` at the line's indentation."""
    line_start = text.rfind("\n", 0, at) + 1
    indent = _LEADING.match(text, line_start).group(0)
    return f"{empty[0]}\n\n{indent}{empty[1]}"


def reproducible(text: str, layout: JsonLayout) -> bool:
    """Whether the file is laid out the way `render` writes it: every line indented by whole steps, one step deeper
    at most than the line before. A file that is not (mixed indentation) is laid out anew when --fix writes it."""
    if layout.indent is None:
        return "\n" not in text.rstrip("\n")
    step, depth = len(layout.indent), 0
    for leading, first in _LINE_START.findall(text):
        if not first:
            continue
        if leading and (leading.strip(layout.indent[0]) or len(leading) % step or len(leading) // step > depth + 1):
            return False
        depth = len(leading) // step
    return True


def write_atomically(path: Path, text: str) -> None:
    """Replace the file's content with `text` through a temporary file in its folder (readers see the old file or
    the new one, never half of one); its permissions are kept."""
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
