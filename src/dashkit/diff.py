"""Semantic diff of two normalised bodies: list items matched by key (panels by id, targets by refId).

A change is reported as "panel 'Error rate' > target A: expr", never as list indices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_KEY = "\x00"  # marks a synthetic key made from a list item


@dataclass(frozen=True)
class KeyedList:
    """How the items of one list field are identified and named."""

    noun: str | Callable[[dict], str]  # "panel", "target", ... or a function of the item
    key: Callable[[dict], Any]  # identity used to match items
    title: Callable[[dict], Any] = lambda item: None  # what to call the item in messages

    def noun_of(self, item: dict) -> str:
        return self.noun(item) if callable(self.noun) else self.noun

    def label(self, item: dict, identity: Any) -> str:
        title = self.title(item)
        if title:
            return f"{self.noun_of(item)} '{title}'"
        return f"{self.noun_of(item)} {identity}"


@dataclass(frozen=True)
class DiffLine:
    op: str  # "+", "-" or "~"
    path: str
    old: Any = None
    new: Any = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op, "path": self.path}
        if self.op != "+":
            out["old"] = self.old
        if self.op != "-":
            out["new"] = self.new
        return out

    def render(self, width: int = 100) -> str:
        if self.op == "~" and self.old is None and self.new is None:  # a headline, not a field change
            return f"~ {self.path}"
        if self.op == "~":
            return f"~ {self.path}: {short(self.old, width)} -> {short(self.new, width)}"
        value = self.new if self.op == "+" else self.old
        if isinstance(value, (dict, list)):
            return f"{self.op} {self.path}"
        return f"{self.op} {self.path}: {short(value, width)}"


def short(value: Any, width: int = 100) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= width else text[: width - 3] + "..."


def semantic_diff(before: Any, after: Any, keyed: dict[str, KeyedList]) -> list[DiffLine]:
    """The changes that turn `before` into `after`, in a stable order."""
    if before == after:
        return []
    from deepdiff import DeepDiff

    labels: dict[str, str] = {}
    left = _keyify(before, keyed, labels)
    right = _keyify(after, keyed, labels)
    result = DeepDiff(left, right, view="tree", verbose_level=2, ignore_numeric_type_changes=True)
    lines: list[DiffLine] = []
    for report, levels in result.items():
        for level in levels:
            path = _render_path(level.path(output_format="list"), labels)
            if report in ("dictionary_item_added", "iterable_item_added", "attribute_added"):
                lines.append(DiffLine("+", path, new=level.t2))
            elif report in ("dictionary_item_removed", "iterable_item_removed", "attribute_removed"):
                lines.append(DiffLine("-", path, old=level.t1))
            else:
                lines.append(DiffLine("~", path, old=level.t1, new=level.t2))
    lines.sort(key=lambda line: (line.path, line.op))
    return lines


def _keyify(value: Any, keyed: dict[str, KeyedList], labels: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            spec = keyed.get(k)
            if spec is not None and isinstance(v, list) and all(isinstance(i, dict) for i in v):
                out[k] = _keyed_items(v, spec, keyed, labels)
            else:
                out[k] = _keyify(v, keyed, labels)
        return out
    if isinstance(value, list):
        return [_keyify(v, keyed, labels) for v in value]
    return value


def _keyed_items(items: list[dict], spec: KeyedList, keyed: dict[str, KeyedList], labels: dict) -> dict:
    out: dict[str, Any] = {}
    for index, item in enumerate(items):
        identity = spec.key(item)
        if identity is None or identity == "":
            identity = f"#{index + 1}"
        noun = spec.noun_of(item)
        key = f"{_KEY}{noun}{_KEY}{identity}"
        if key in out:  # duplicate identity: fall back to position
            identity = f"#{index + 1}"
            key = f"{_KEY}{noun}{_KEY}{identity}"
        labels[key] = spec.label(item, identity)  # the newer title wins: `after` is keyified last
        out[key] = _keyify(item, keyed, labels)
    return out


def _render_path(parts: list[Any], labels: dict[str, str]) -> str:
    keyed_part: list[str] = []
    fields: list[str] = []
    for part in parts:
        if isinstance(part, str) and part.startswith(_KEY):
            keyed_part.append(labels.get(part, part.replace(_KEY, " ").strip()))
            fields = []  # container names before a keyed item say nothing the label does not
        elif isinstance(part, int):
            if fields:
                fields[-1] += f"[{part}]"
            else:
                fields.append(f"[{part}]")
        else:
            fields.append(str(part))
    head = " > ".join(keyed_part)
    tail = ".".join(fields)
    if head and tail:
        return f"{head}: {tail}"
    return head or tail or "(whole)"
