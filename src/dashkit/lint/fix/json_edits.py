"""Editing parsed JSON in place: finding the value a finding's path names, and putting keys where a person editing
the file would (in alphabetical order when the object's keys are sorted, else where the old key stood)."""

from __future__ import annotations

import re
from typing import Any

from ..model import Document

_INDEX = re.compile(r"\[(\d+)\]")


def resolve(root: Any, path: str) -> Any:
    """The value at a lint path (`panels[2].targets[0].expr`, `dashboard`, `data.node.json`), or None. Keys may hold
    dots (a ConfigMap's `node.json`): at each object the longest key the path continues with is taken."""
    node, rest = root, path
    while rest:
        if rest.startswith("["):
            match = _INDEX.match(rest)
            if match is None or not isinstance(node, list) or int(match.group(1)) >= len(node):
                return None
            node, rest = node[int(match.group(1))], rest[match.end():]
        else:
            if not isinstance(node, dict):
                return None
            key = _longest_key(node, rest)
            if key is None:
                return None
            node, rest = node[key], rest[len(key):]
        rest = rest[1:] if rest.startswith(".") else rest
    return node


def _longest_key(node: dict, rest: str) -> str | None:
    best = None
    for key in node:
        if isinstance(key, str) and rest.startswith(key) and (len(rest) == len(key) or rest[len(key)] in ".[") \
                and (best is None or len(key) > len(best)):
            best = key
    return best


def local_path(doc: Document, location: str) -> str:
    """A finding's location inside the document's own data (without the document's prefix in its file)."""
    if doc.prefix and location.startswith(doc.prefix):
        rest = location[len(doc.prefix):]
        return rest[1:] if rest.startswith(".") else rest
    return location


def owner_path(path: str, child: str) -> str:
    """`panels[3]` for `panels[3].type`: the path of the object holding `child`."""
    suffix = f".{child}"
    return path[:-len(suffix)] if path.endswith(suffix) else path


def sorted_keys(mapping: dict) -> bool:
    keys = [k for k in mapping if isinstance(k, str)]
    return len(keys) > 2 and keys == sorted(keys)


def rebuilt(mapping: dict, replace: dict[str, Any], drop: set[str] = frozenset(), alphabetical: bool | None = None
            ) -> dict:
    """A copy of `mapping` with the keys in `replace` set (in place when present; new ones in alphabetical position
    when the keys are sorted, else where the first dropped key stood, else at the end) and the keys in `drop`
    removed."""
    alphabetical = sorted_keys(mapping) if alphabetical is None else alphabetical
    out: dict[str, Any] = {}
    pending = {k: v for k, v in replace.items() if k not in mapping or k in drop}
    for key, value in mapping.items():
        if alphabetical:
            for new in sorted(k for k in pending if k < key):
                out[new] = pending.pop(new)
        if key in drop:
            if not alphabetical:
                out.update(pending)
                pending.clear()
            continue
        out[key] = replace.get(key, value)
    out.update(sorted(pending.items()) if alphabetical else pending.items())
    return out


def sorted_deep(value: Any) -> Any:
    """`value` with the keys of every object in it in alphabetical order (for a file that keeps its keys so)."""
    if isinstance(value, dict):
        return {key: sorted_deep(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sorted_deep(item) for item in value]
    return value


def replace_in_place(mapping: dict, new: dict) -> None:
    """Make `mapping` hold exactly `new` (same object: whoever holds it sees the change)."""
    mapping.clear()
    mapping.update(new)
