"""Exact constructors: they build precisely the JSON they are given, adding nothing. `dashkit import` writes
definitions with them so an imported dashboard builds back unchanged; use the opinionated builders for new work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..datasource_refs import PREFIX
from .grafanalib_compat import Panel


def ds(name: str, type: str | None = None) -> dict[str, str]:
    """A datasource reference by logical name (mapped per environment in dashkit.yaml)."""
    return {"type": type, "uid": PREFIX + name} if type else {"uid": PREFIX + name}


def grid(x: int, y: int, w: int, h: int) -> dict[str, int]:
    return {"h": h, "w": w, "x": x, "y": y}


def panel(type: str, title: str | None = None, **fields: Any) -> Panel:
    """A panel of any type (plugins included) with exactly these fields; `grid=(x, y, w, h)` sets gridPos."""
    out = Panel(type=type)
    if title is not None:
        out["title"] = title
    if "grid" in fields:
        out["gridPos"] = grid(*fields.pop("grid"))
    out.update(fields)
    return out


def row(title: str | None, panels: Sequence[Mapping[str, Any]] | None = None, **fields: Any) -> Panel:
    """A row panel; a collapsed row holds its panels."""
    out = panel("row", title, **fields)
    if panels is not None:
        out["panels"] = [Panel(p) for p in panels]
    return out


def target(ref_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """One query of a panel (Prometheus `expr`, Loki `expr`, Elasticsearch `query`, ...)."""
    return {"refId": ref_id, **fields} if ref_id is not None else dict(fields)


def variable(type: str, name: str, **fields: Any) -> dict[str, Any]:
    """A dashboard variable (query, custom, datasource, interval, constant, textbox, adhoc)."""
    return {"type": type, "name": name, **fields}


def dashboard_json(title: str, **fields: Any) -> dict[str, Any]:
    """A dashboard with exactly these top-level fields."""
    return {"title": title, **fields}
