"""A dashboard's definition module: its file name, and its source as readable calls to the exact builders
(dashkit.builders.exact) that build back exactly the dashboard it was generated from."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..datasource_refs import logical_name
from ..kinds.dashboard import ENVELOPE, SERVER_MANAGED
from ..safe_paths import WINDOWS_RESERVED
from .python_source import Call, Code, TupleExpr, docstring, render_statement

_KWARG_MAX = 60
_NAME_MAX = 40
_MODULE_MAX = 60
_RESERVED = frozenset({"VARIABLES", "ANNOTATIONS", "LINKS", "PANELS", "ROWS", "ABOVE_ROWS"})
_AMBIGUOUS = frozenset({"I", "O", "l"})  # E741
_SHADOWING = frozenset({*sys.stdlib_module_names, "dashkit"})
_PANEL_FIRST = ("id", "gridPos", "datasource", "description", "targets")
_TARGET_FIRST = ("expr", "legendFormat")
_DASHBOARD_FIRST = ("uid", "panels", "rows", "templating", "annotations", "links")
_STATEMENT_ORDER = ("templating", "annotations", "links", "panels", "rows")


# ---- public API ----------------------------------------------------------------------------------------------
def module_source(dashboard: dict[str, Any], *, source: str, notes: Sequence[str] = ()) -> str:
    """The text of a definition module whose `dashboard` builds exactly `dashboard`. Server-managed id, version
    and iteration, and dashkit's own ownership envelope, are left out: dashkit strips them on build anyway."""
    writer = _ModuleWriter()
    call = writer.dashboard_call(dashboard)
    statements = [*writer.statements, ("dashboard", call)]
    body = "\n".join(render_statement(name, value) for name, value in statements)
    imports = ", ".join(sorted(writer.helpers))
    return f"{_docstring(dashboard, source, notes)}\nfrom dashkit.builders.exact import {imports}\n\n{body}"


def module_name(title: str, taken: set[str]) -> str:
    """A snake_case file stem for a dashboard titled `title`, not in `taken` (the caller adds it). Never a keyword,
    a standard-library or dashkit module name (the loader puts the module's folder on sys.path while it runs, so
    `json.py` would shadow `json`), nor a Windows device name."""
    stem = _ascii_words(title).lower()
    if not stem:
        stem = "dashboard"
    elif stem[0].isdigit():
        stem = "dashboard_" + stem
    if keyword.iskeyword(stem) or keyword.issoftkeyword(stem) or stem in _SHADOWING or stem.upper() in WINDOWS_RESERVED:
        stem += "_dashboard"
    stem = _truncate(stem, _MODULE_MAX)
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{_truncate(stem, _MODULE_MAX - len(str(n)) - 1)}_{n}"
    return candidate


# ---- from dashboard JSON to calls ----------------------------------------------------------------------------
class _ModuleWriter:
    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []
        self.helpers: set[str] = set()
        self.names: set[str] = set(_RESERVED)

    def call(self, func: str, args: Iterable[Any], kwargs: Iterable[tuple[str, Any]]) -> Call:
        self.helpers.add(func)
        return Call(func, tuple(args), tuple(kwargs))

    def dashboard_call(self, dash: dict[str, Any]) -> Call:
        keys = [k for k in _ordered(dash, _DASHBOARD_FIRST) if k != "title" and k not in (*SERVER_MANAGED, ENVELOPE)]
        values = {}  # statements come out variables first, panels last, whatever the key order
        for key in sorted(keys, key=lambda k: _STATEMENT_ORDER.index(k) if k in _STATEMENT_ORDER else -1):
            value = dash[key]
            if key in ("templating", "annotations"):
                value = self.listed(value, "VARIABLES" if key == "templating" else "ANNOTATIONS",
                                    self.variable if key == "templating" else self.literal)
            elif key == "links" and isinstance(value, list) and value:
                self.statements.append(("LINKS", [self.literal(link) for link in value]))
                value = Code("LINKS")
            elif key == "panels" and isinstance(value, list):
                value = self.panel_sections(value)
            elif key == "rows" and isinstance(value, list):
                self.statements.append(("ROWS", [self.legacy_row(r) for r in value]))
                value = Code("ROWS")
            else:
                value = self.literal(value)
            values[key] = value
        return self.call("dashboard_json", [dash["title"]], _keywords([(k, values[k]) for k in keys]))

    def listed(self, value: Any, name: str, convert: Callable[[Any], Any]) -> Any:
        """`{"list": NAME, ...}` with NAME = [...] as its own statement, when the list has items."""
        if not (isinstance(value, dict) and isinstance(value.get("list"), list) and value["list"]):
            return self.literal(value)
        self.statements.append((name, [convert(item) for item in value["list"]]))
        return {k: Code(name) if k == "list" else self.literal(v) for k, v in value.items()}

    def variable(self, var: Any) -> Any:
        if not (isinstance(var, dict) and "type" in var and "name" in var):
            return self.literal(var)
        rest = [(k, self.literal(v, k)) for k, v in var.items() if k not in ("type", "name")]
        return self.call("variable", [var["type"], var["name"]], _keywords(rest))

    def panel_sections(self, panels: list[Any]) -> Any:
        """PANELS in reading order; with rows, one constant per row section so the list reads like a contents."""
        if not any(_is_row(p) for p in panels):
            self.statements.append(("PANELS", [self.panel(p) for p in panels]))
            return Code("PANELS")
        contents: list[Any] = []
        start = next(i for i, p in enumerate(panels) if _is_row(p))
        if start:
            self.statements.append(("ABOVE_ROWS", [self.panel(p) for p in panels[:start]]))
            contents.append(Code("*ABOVE_ROWS"))
        while start < len(panels):
            end = next((i for i in range(start + 1, len(panels)) if _is_row(panels[i])), len(panels))
            head, followers = panels[start], panels[start + 1:end]
            name = self.unique_name(_ascii_words(head.get("title")).upper(), "_ROW")
            if head.get("panels"):  # collapsed: NAME holds the nested panels, NAME_ROW the row itself
                self.statements.append((name, [self.panel(p) for p in head["panels"]]))
                self.statements.append((name + "_ROW", self.panel(head, Code(name))))
                contents.append(Code(name + "_ROW"))
                contents.extend(self.panel(p) for p in followers)
            else:  # expanded: NAME is the row and the panels under it
                self.statements.append((name, [self.panel(head), *(self.panel(p) for p in followers)]))
                contents.append(Code("*" + name))
            start = end
        self.statements.append(("PANELS", contents))
        return Code("PANELS")

    def legacy_row(self, row: Any) -> Any:
        """A legacy `rows[]` entry stays a dict; its panels become a constant of panel() calls, named after the row,
        or after its first panel when the row's title is not shown."""
        if not (isinstance(row, dict) and isinstance(row.get("panels"), list) and row["panels"]):
            return self.literal(row)
        named = row if row.get("showTitle", True) and _ascii_words(row.get("title")) else row["panels"][0]
        name = self.unique_name(_ascii_words(named.get("title") if isinstance(named, dict) else None).upper(), "")
        self.statements.append((name, [self.panel(p) for p in row["panels"]]))
        return {k: Code(name) if k == "panels" else self.literal(v, k) for k, v in row.items()}

    def panel(self, p: Any, nested: Code | None = None) -> Any:
        """panel(type, title, ...) or row(title, panels, ...); a plain dict when no call can spell it exactly."""
        if not isinstance(p, dict) or "type" not in p or "grid" in p or ("title" in p and p["title"] is None):
            return self.literal(p)
        is_row = _is_row(p)
        args: list[Any] = [] if is_row else [p["type"]]
        if "title" in p or is_row:
            args.append(p.get("title"))
        if is_row and "panels" in p:
            args.append(nested if nested is not None else [self.panel(c) for c in p["panels"]])
        kwargs = []
        for key in _ordered(p, _PANEL_FIRST):
            value = p[key]
            if key in ("type", "title") or (is_row and key == "panels"):
                continue
            if key == "gridPos" and _is_grid(value):
                kwargs.append(("grid", TupleExpr(tuple(value[k] for k in "xywh"))))
            elif key == "targets" and isinstance(value, list):
                kwargs.append((key, [self.target(t) for t in value]))
            elif key == "panels" and isinstance(value, list):
                kwargs.append((key, [self.panel(c) for c in value]))
            else:
                kwargs.append((key, self.literal(value, key)))
        return self.call("row" if is_row else "panel", args, _keywords(kwargs))

    def target(self, t: Any) -> Any:
        if not isinstance(t, dict) or "ref_id" in t:
            return self.literal(t)
        ref = t.get("refId")
        args = [ref] if ref is not None else []
        keys = [k for k in _ordered(t, _TARGET_FIRST) if not (k == "refId" and ref is not None)]
        rest = [(k, self.literal(t[k], k)) for k in keys]
        return self.call("target", args, _keywords(rest))

    def literal(self, value: Any, key: str | None = None) -> Any:
        """JSON as printer input; logical datasource references become ds() calls."""
        if key == "datasource" and isinstance(value, dict):
            name = logical_name(value)
            kind = value.get("type")
            if name and (set(value) == {"uid"} or (set(value) == {"type", "uid"} and isinstance(kind, str) and kind)):
                return self.call("ds", [name, kind] if kind else [name], ())
        if isinstance(value, dict):
            return {k: self.literal(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.literal(v) for v in value]
        return value

    def unique_name(self, base: str, suffix: str) -> str:
        """A constant name not used yet, also free with `suffix` appended (NAME and NAME_ROW go together)."""
        base = _truncate(base, _NAME_MAX) if base else "ROW"
        if base[0].isdigit() or base in _AMBIGUOUS:
            base = "ROW_" + base
        name, n = base, 1
        while name in self.names or (name + suffix) in self.names:
            n += 1
            name = f"{base}_{n}"
        self.names.update((name, name + suffix))
        return name


def _is_row(p: Any) -> bool:
    return (isinstance(p, dict) and p.get("type") == "row" and "grid" not in p and p.get("title", "") is not None
            and isinstance(p.get("panels", []), list))


def _is_grid(value: Any) -> bool:
    return (isinstance(value, dict) and set(value) == {"x", "y", "w", "h"}
            and all(type(v) is int for v in value.values()))


def _ordered(data: dict[str, Any], first: Sequence[str]) -> list[str]:
    return [k for k in first if k in data] + [k for k in data if k not in first]


def _keywords(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Keyword arguments; keys that cannot be Python names go, in order, through `**{...}`."""
    out: list[tuple[str, Any]] = []
    for key, value in pairs:
        if _is_kwarg(key):
            out.append((key, value))
        elif out and out[-1][0] == "**":
            out[-1][1][key] = value
        else:
            out.append(("**", {key: value}))
    return out


def _is_kwarg(key: str) -> bool:
    # isascii: Python NFKC-normalises identifiers, so a non-ASCII keyword could name a different key
    return key.isascii() and key.isidentifier() and not keyword.iskeyword(key) and len(key) <= _KWARG_MAX


def _ascii_words(text: Any) -> str:
    """`text` as ASCII words joined by underscores ("Quick CPU / Mem" -> "Quick_CPU_Mem")."""
    ascii_text = unicodedata.normalize("NFKD", text if isinstance(text, str) else "").encode("ascii", "ignore")
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_text.decode()).strip("_")


def _truncate(name: str, limit: int) -> str:
    if len(name) <= limit:
        return name
    cut = name[:limit]
    return (cut.rsplit("_", 1)[0] if "_" in cut[limit // 2:] else cut).rstrip("_")


# ---- module docstring ----------------------------------------------------------------------------------------
def _docstring(dash: dict[str, Any], source: str, notes: Sequence[str]) -> str:
    panels, rows = _count(dash)
    size = f"{panels} panel{'s' * (panels != 1)}" + (f" in {rows} row{'s' * (rows != 1)}" if rows else "")
    paragraphs = [[f"{_one_line(dash.get('title'))}: imported by `dashkit import` from {_one_line(source)}; {size}."]]
    if notes:
        paragraphs.append(["Notes from the import:", *(f"- {_one_line(note)}" for note in notes)])
    paragraphs.append(["This module builds back exactly the imported dashboard; edit it like any dashkit definition."])
    return docstring(paragraphs)


def _count(dash: dict[str, Any]) -> tuple[int, int]:
    panels = rows = 0

    def visit(items: Any) -> None:
        nonlocal panels, rows
        for p in items if isinstance(items, list) else ():
            if isinstance(p, dict):
                if p.get("type") == "row":
                    rows += 1
                else:
                    panels += 1
                visit(p.get("panels"))

    visit(dash.get("panels"))
    for row in dash.get("rows") if isinstance(dash.get("rows"), list) else ():
        rows += 1
        visit(row.get("panels") if isinstance(row, dict) else None)
    return panels, rows


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


