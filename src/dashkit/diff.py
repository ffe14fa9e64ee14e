"""Semantic diff of two normalised bodies: list items are matched by what they are (a panel by its title and type
within its row, a target by refId, a route by its matchers and receiver), never by their position in the list.

A change reads "row 'search' > panel 'Error rate' > target A: expr", never "panels[3].targets[0].expr".
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import secrets

Identity = Callable[[dict], Any]
Path = tuple[tuple[str, Any], ...]  # ("label", "panel 'X'"), ("field", "expr") or ("index", 3), outermost first
_MISSING = object()
WIDTH = 100  # how wide a value may be shown before it is summarised


def _nothing(item: dict) -> Any:
    return None


@dataclass(frozen=True)
class KeyedList:
    """How the items of one list field are identified and named.

    Items are matched in stages: by `key`, then by each of `fallbacks` in turn, each stage only among the items
    still unmatched and only where an identity is unique on both sides; duplicates are then paired in the order they
    come, and items with no identity at all by position. With `sections` (the heading an item sits under, such as a
    panel's row), each stage first matches within a section, then across sections (an item that moved)."""

    noun: str | Callable[[dict], str]  # "panel", "target", ... or a function of the item
    key: Identity  # identity used to match items (None or "": the item has none)
    title: Callable[[dict], Any] = _nothing  # what to call the item in messages
    fallbacks: tuple[Identity, ...] = ()  # further identities, tried for the items the key left unmatched
    name: Callable[[dict], Any] | None = None  # what to call an item without a title (default: its key)
    sections: Callable[[list[dict]], list[str | None]] | None = None  # per item: its section's label, or None
    formats: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)  # readable forms of item fields
    ordered: bool = False  # the order of the items means something (routing order): a reorder is a change
    placement: tuple[str, ...] = ()  # fields that say only where an item sits: changed alone, one "moved" line

    def noun_of(self, item: dict) -> str:
        return self.noun(item) if callable(self.noun) else self.noun

    def label(self, item: dict, position: int) -> str:
        """What messages call the item at `position` (0-based) of its list."""
        title = self.title(item)
        if title not in (None, ""):
            return f"{self.noun_of(item)} '{title}'"
        name = (self.name or self.key)(item)
        if isinstance(name, (str, int, float)) and name != "":
            return f"{self.noun_of(item)} {name}"
        return f"{self.noun_of(item)} #{position + 1}"


class Secret(str):
    """A value standing for secret values in a comparable (an HMAC of them, or the --rotate-secrets mark): compared
    as the string it is, never shown; the diff names the environment variables that hold the secrets instead."""

    names: tuple[str, ...] = ()
    rotated: bool = False  # the mark --rotate-secrets puts on the live side, not a digest

    def __new__(cls, value: str, names: Iterable[str] = (), rotated: bool = False) -> Secret:
        self = super().__new__(cls, value)
        self.names = tuple(sorted(set(names)))
        self.rotated = rotated
        return self

    def phrase(self) -> str:
        """`secret SLACK_WEBHOOK_URL`, `secret A or B` (one digest covers them all), or `secrets`."""
        if not self.names:
            return "secrets"
        if len(self.names) == 1:
            return f"secret {self.names[0]}"
        return f"secret {', '.join(self.names[:-1])} or {self.names[-1]}"


@dataclass(frozen=True)
class DiffLine:
    op: str  # "+", "-" or "~"
    path: str
    old: Any = None
    new: Any = None
    text: str | None = None  # how the change reads when the values do not say it well ("": the path says it all)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op, "path": self.path}
        if self.op != "+":
            out["old"] = self.old
        if self.op != "-":
            out["new"] = self.new
        if self.text:
            out["text"] = self.text
        return out

    def render(self, width: int = WIDTH) -> str:
        if self.text is not None:
            return f"{self.op} {self.path}: {self.text}" if self.text else f"{self.op} {self.path}"
        if self.op == "~" and self.old is None and self.new is None:  # a headline, not a field change
            return f"~ {self.path}"
        if self.op == "~" and isinstance(self.old, str) and isinstance(self.new, str):
            return f"~ {self.path}: {' -> '.join(_excerpts(self.old, self.new, width))}"
        if self.op == "~":
            return f"~ {self.path}: {short(self.old, width)} -> {short(self.new, width)}"
        return f"{self.op} {self.path}: {short(self.new if self.op == '+' else self.old, width)}"


def short(value: Any, width: int = WIDTH) -> str:
    """`value` as JSON, summarised when longer than `width`: a string is cut between characters (never inside an
    escape) and ends in `..."`, an object or array shows what fits and how many entries it leaves out."""
    text = _json(value)
    if len(text) <= width:
        return text
    if isinstance(value, str):
        keep = width
        while keep > 1 and len(_json(value[:keep])) + 3 > width:  # the closing quote gives way to '..."'
            keep = max(1, keep - max(1, (len(_json(value[:keep])) + 3 - width) // 2))
        return _json(value[:keep])[:-1] + '..."'
    if isinstance(value, dict):
        entries = [(f"{_json(str(k))}: ", v) for k, v in sorted(value.items(), key=lambda kv: natural_key(kv[0]))]
        return _summarised(entries, "{", "}", "key", width)
    if isinstance(value, list):
        return _summarised([("", v) for v in value], "[", "]", "item", width)
    return text[: width - 3] + "..."


def _excerpts(old: str, new: str, width: int) -> tuple[str, str]:
    """Two long strings shown where they start to differ (a change deep in a long query is visible), each cut
    between characters. Secrets are masked before cutting, so no part of one is left that masking would miss."""
    if len(_json(old)) <= width and len(_json(new)) <= width:
        return _json(old), _json(new)
    forms = secrets.seen_forms()
    old, new = secrets.mask(old, forms), secrets.mask(new, forms)
    same = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    start = max(0, same - width // 3)
    if start < width // 4:  # the difference is near the beginning: show the beginnings
        return short(old, width), short(new, width)
    return '"...' + short(old[start:], width - 3)[1:], '"...' + short(new[start:], width - 3)[1:]


def _summarised(entries: list[tuple[str, Any]], opening: str, closing: str, noun: str, width: int) -> str:
    parts: list[str] = []
    used = len(opening) + len(closing)
    for prefix, value in entries:
        left = len(entries) - len(parts) - 1
        room = width - used - (len(f", ... {left} more {noun}s") if left else 0) - 2
        piece = prefix + short(value, max(room - len(prefix), 12))
        if len(piece) > room:
            break
        parts.append(piece)
        used += len(piece) + 2
    left = len(entries) - len(parts)
    if left:
        parts.append(f"... {left} more {noun}{'s' if left > 1 else ''}")
    return opening + ", ".join(parts) + closing


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def natural_key(text: Any) -> tuple:
    """Sort key that orders the numbers in names by value: `panels[2]` before `panels[10]`."""
    parts = re.split(r"(\d+)", str(text))
    return (tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts)), str(text))


def semantic_diff(before: Any, after: Any, keyed: dict[str, KeyedList]) -> list[DiffLine]:
    """The changes that turn `before` into `after`: fields in natural order, list items in the order they come."""
    if before == after:
        return []
    differ = _Differ(keyed)
    differ.value(before, after, ())
    return differ.lines or differ.reorders


class _Differ:
    def __init__(self, keyed: dict[str, KeyedList]) -> None:
        self.keyed = keyed
        self.lines: list[DiffLine] = []
        self.reorders: list[DiffLine] = []  # order changes that mean nothing: said only when nothing else differs

    def add(self, op: str, path: Path, old: Any = None, new: Any = None, text: str | None = None) -> None:
        self.lines.append(DiffLine(op, _render_path(path), old, new, text))

    def value(self, old: Any, new: Any, path: Path, spec: KeyedList | None = None) -> None:
        if _same(old, new):
            return
        if isinstance(old, Secret) or isinstance(new, Secret):
            self.secret(old, new, path)
        elif isinstance(old, dict) and isinstance(new, dict):
            self.mapping(old, new, path, spec)
        elif isinstance(old, list) and isinstance(new, list):
            self.sequence(old, new, path)
        else:
            self.add("~", path, old, new)

    def mapping(self, old: dict, new: dict, path: Path, spec: KeyedList | None) -> None:
        for key in sorted(old.keys() | new.keys(), key=natural_key):
            before, after = old.get(key, _MISSING), new.get(key, _MISSING)
            if _same(before, after):
                continue
            here = (*path, ("field", key))
            items = self.keyed.get(key)
            olds, news = _items(before), _items(after)
            if items is not None and olds is not None and news is not None:
                self.keyed_items(olds, news, items, here)
            elif spec is not None and key in spec.formats:
                self.formatted(before, after, here, spec.formats[key])
            elif before is _MISSING:
                self.one_sided("+", after, here)
            elif after is _MISSING:
                self.one_sided("-", before, here)
            else:
                self.value(before, after, here)

    def one_sided(self, op: str, value: Any, path: Path) -> None:
        if isinstance(value, Secret):
            self.secret(value if op == "-" else _MISSING, value if op == "+" else _MISSING, path)
        elif op == "+":
            self.add("+", path, new=value)
        else:
            self.add("-", path, old=value)

    def formatted(self, old: Any, new: Any, path: Path, fmt: Callable[[Any], str]) -> None:
        if old is _MISSING:
            self.add("+", path, new=new, text=fmt(new))
        elif new is _MISSING:
            self.add("-", path, old=old, text=fmt(old))
        else:
            self.add("~", path, old, new, text=f"{fmt(old)} -> {fmt(new)}")

    def secret(self, old: Any, new: Any, path: Path) -> None:
        """Secrets are named by their env vars, never shown: `secret SLACK_WEBHOOK_URL changed`."""
        mark = new if isinstance(new, Secret) else old
        head = _render_labels(path)
        what = (f"{head} > " if head else "") + mark.phrase()
        if old is _MISSING:
            self.lines.append(DiffLine("+", f"digest of {what}", text=""))
        elif new is not _MISSING:
            self.lines.append(DiffLine("~", f"{what} changed"))
        elif mark.rotated:
            self.lines.append(DiffLine("~", f"{what} re-sent (--rotate-secrets)"))
        else:
            self.lines.append(DiffLine("-", f"digest of {what}", text=""))

    def sequence(self, old: list, new: list, path: Path) -> None:
        """A list nobody said how to key: records side by side when only their contents changed, else the items
        that came and went, by value (a label list such as group_by is a set, not positions)."""
        if old and len(old) == len(new) and all(isinstance(v, (dict, list)) for v in (*old, *new)):
            for index, (before, after) in enumerate(zip(old, new, strict=True)):
                self.value(before, after, (*path, ("index", index)))
            return
        gone = Counter(_json(v) for v in old) - Counter(_json(v) for v in new)
        came = Counter(_json(v) for v in new) - Counter(_json(v) for v in old)
        whole = f"{_json(old)} -> {_json(new)}"
        if not (gone or came) or (gone and came and len(whole) <= WIDTH):  # reordered, or short enough to read whole
            self.add("~", path, old, new)
            return
        for op, values, counts in (("-", old, gone), ("+", new, came)):
            for value in values:
                if counts[_json(value)] > 0:
                    counts[_json(value)] -= 1
                    self.one_sided(op, value, path)

    def keyed_items(self, olds: list[dict], news: list[dict], spec: KeyedList, path: Path) -> None:
        old_sections = spec.sections(olds) if spec.sections else [None] * len(olds)
        new_sections = spec.sections(news) if spec.sections else [None] * len(news)
        pairs = _match(olds, news, spec, old_sections, new_sections)
        order = _merged(len(olds), len(news), pairs)
        labels = []
        for i, j in order:
            items, sections, at = (news, new_sections, j) if j is not None else (olds, old_sections, i)
            labels.append((sections[at], spec.label(items[at], at), at))
        counts = Counter((section, label) for section, label, _ in labels)
        for (i, j), (section, label, at) in zip(order, labels, strict=True):
            if counts[(section, label)] > 1:  # two items of one name: say which
                items = news if j is not None else olds
                name = spec.name(items[at]) if spec.name else None
                label += f" ({name})" if name not in (None, "") else f" #{at + 1}"
            here = (*path, *((("label", section),) if section else ()), ("label", label))
            if i is not None and j is not None:
                self.matched(olds[i], news[j], here, spec)
            elif j is not None:
                self.add("+", here, new=news[j], text="")
            else:
                self.add("-", here, old=olds[i], text="")
        kept = sorted(pairs.items())  # (new index, old index) of the items on both sides
        if [i for _, i in kept] != sorted(i for _, i in kept):
            named = {i: spec.label(olds[i], i) for _, i in kept}
            noun = spec.noun_of(news[kept[0][0]])
            head = _render_labels(path)
            line = DiffLine("~", (f"{head}: " if head else "") + f"order of {noun}s",
                            old=[named[i] for i in sorted(named)], new=[named[i] for _, i in kept])
            (self.lines if spec.ordered else self.reorders).append(line)

    def matched(self, old: Any, new: Any, path: Path, spec: KeyedList) -> None:
        """One item on both sides; when only its placement changed (a panel pushed down by one inserted above it),
        one line says so rather than a line per coordinate."""
        moved = spec.placement and isinstance(old, dict) and isinstance(new, dict) and {
            k for k in old.keys() | new.keys() if not _same(old.get(k, _MISSING), new.get(k, _MISSING))}
        if not moved or not moved <= set(spec.placement):
            self.value(old, new, path, spec)
            return
        where = _Differ(self.keyed)
        where.value({k: old[k] for k in moved if k in old}, {k: new[k] for k in moved if k in new}, ())
        self.add("~", path, {k: old.get(k) for k in sorted(moved)}, {k: new.get(k) for k in sorted(moved)},
                 text=f"moved ({'; '.join(line.render()[2:] for line in where.lines)})")


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, bool) is isinstance(b, bool) and a == b


def _items(value: Any) -> list[dict] | None:
    """The items of a keyed list field (a missing or null one has none), None when it is not a list of objects."""
    if value is _MISSING or value is None:
        return []
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    return None


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return _json(value)
    return value


def _match(olds: list[dict], news: list[dict], spec: KeyedList, old_sections: list[str | None],
           new_sections: list[str | None]) -> dict[int, int]:
    """new index -> old index of the items that are the same item on both sides."""
    pairs: dict[int, int] = {}
    free_old, free_new = set(range(len(olds))), set(range(len(news)))
    stages = (spec.key, *spec.fallbacks)
    scopes = (True, False) if spec.sections else (False,)

    def identity(stage: Identity, item: dict, section: str | None, scoped: bool) -> Any:
        value = stage(item)
        if value is None or value == "":
            return None
        return (section, _hashable(value)) if scoped else _hashable(value)

    def grouped(items: list[dict], sections: list[str | None], free: set[int], stage: Identity,
                scoped: bool) -> dict[Any, list[int]]:
        out: dict[Any, list[int]] = defaultdict(list)
        for index in sorted(free):
            key = identity(stage, items[index], sections[index], scoped)
            if key is not None:
                out[key].append(index)
        return out

    for in_order in (False, True):
        for stage in stages:
            for scoped in scopes:
                by_old = grouped(olds, old_sections, free_old, stage, scoped)
                for key, js in grouped(news, new_sections, free_new, stage, scoped).items():
                    is_ = by_old.get(key)
                    if not is_ or (not in_order and (len(is_) > 1 or len(js) > 1)):
                        continue
                    for i, j in zip(is_, js, strict=False):
                        pairs[j] = i
                        free_old.discard(i)
                        free_new.discard(j)
    anonymous_old = [i for i in sorted(free_old) if all(identity(s, olds[i], None, False) is None for s in stages)]
    anonymous_new = [j for j in sorted(free_new) if all(identity(s, news[j], None, False) is None for s in stages)]
    for i, j in zip(anonymous_old, anonymous_new, strict=False):
        pairs[j] = i
    return pairs


def _merged(n_old: int, n_new: int, pairs: dict[int, int]) -> list[tuple[int | None, int | None]]:
    """(old index, new index) of every item in reading order: the new list's, each removed item where it was (before
    the items added in its place)."""
    matched = set(pairs.values())
    out: list[tuple[int | None, int | None]] = []
    next_old = 0
    upcoming = n_old  # old index of the next item on both sides, walking the new list backwards
    until: list[int] = [n_old] * n_new
    for j in reversed(range(n_new)):
        until[j] = upcoming = pairs.get(j, upcoming)
    for j in range(n_new):
        i = pairs.get(j)
        for gone in range(next_old, until[j]):  # removed items before this one (or before the next kept one)
            if gone not in matched:
                out.append((gone, None))
        next_old = max(next_old, until[j])
        if i is not None:
            next_old = max(next_old, i + 1)
        out.append((i, j))
    out.extend((gone, None) for gone in range(next_old, n_old) if gone not in matched)
    return out


def _render_labels(path: Path) -> str:
    return " > ".join(str(part) for kind, part in path if kind == "label")


def _render_path(path: Path) -> str:
    labels: list[str] = []
    fields: list[str] = []
    for kind, part in path:
        if kind == "label":
            labels.append(str(part))
            fields = []  # container names before a keyed item say nothing its label does not
        elif kind == "index":
            if fields:
                fields[-1] += f"[{part}]"
            else:
                fields.append(f"[{part}]")
        else:
            fields.append(str(part))
    head = " > ".join(labels)
    tail = ".".join(fields)
    if head and tail:
        return f"{head}: {tail}"
    return head or tail or "(whole)"
