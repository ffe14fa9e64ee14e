"""Deterministic identifiers: dashboard and folder uids derived from paths and titles."""

from __future__ import annotations

import hashlib
import re

UID_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_UID = 40


def slug(text: str) -> str:
    """Lower-case letters and digits, other runs of characters as one '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def dashboard_uid(folder_path: tuple[str, ...], title: str) -> str:
    """A readable uid from the folder path and title; hashed when too long or not expressible."""
    readable = slug("-".join((*folder_path, title)))
    if readable and len(readable) <= MAX_UID:
        return readable
    return f"{readable[:31].rstrip('-')}-{_digest(*folder_path, title)[:8]}".lstrip("-")


def folder_uid(owner: str, folder_path: tuple[str, ...]) -> str:
    """The uid dashkit gives the folder at `folder_path`. It embeds the owner, so it doubles as ownership proof."""
    readable = slug(folder_path[-1])[:22].rstrip("-") or "folder"
    return f"{readable}-{_digest(owner, *folder_path)[:12]}"


def is_valid_uid(uid: object) -> bool:
    return isinstance(uid, str) and bool(UID_RE.match(uid))


def owner_signature(owner: str) -> str:
    """Six hex digits naming the owner, embedded in the uids dashkit gives alerting resources."""
    return _digest("owner", owner)[:6]


def owned_uid(owner: str, readable: str, *identity: str) -> str:
    """`<readable slug>-<owner signature><identity hash>`: deterministic, and provably this owner's."""
    head = slug(readable)[:20].rstrip("-") or "x"
    return f"{head}-{owner_signature(owner)}{_digest(owner, *identity)[:10]}"


_OWNED_TAIL_RE = re.compile(r"-[0-9a-f]{16}$")


def looks_owned_uid(uid: object) -> bool:
    """True for a uid shaped like `owned_uid` makes (some dashkit project's)."""
    return isinstance(uid, str) and bool(_OWNED_TAIL_RE.search(uid))


def is_owned_uid(owner: str, uid: object) -> bool:
    return looks_owned_uid(uid) and uid.rsplit("-", 1)[1].startswith(owner_signature(owner))  # type: ignore[union-attr]


def file_safe(name: str) -> str:
    """A folder or file name that is safe on every filesystem, readable when possible (never `.` or `..`)."""
    safe = "".join(c if c.isalnum() or c in " ._-" else "_" for c in name).strip() or "_"
    return "_" * len(safe) if safe in (".", "..") else safe
