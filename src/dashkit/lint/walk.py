"""Walking a dashboard: panels with their JSON paths (collapsed rows and legacy rows included), targets,
variables, and where variables are used."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

PSEUDO_DATASOURCES = {"-- Mixed --", "-- Dashboard --", "-- Grafana --", "grafana", "__expr__", "-100", "mixed"}
_VAR_RE = re.compile(r"\$\{(\w+)(?:[.:][^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")
BUILTIN_VARIABLES = {"__interval", "__interval_ms", "__rate_interval", "__range", "__range_s", "__range_ms",
                     "__from", "__to", "__dashboard", "__org", "__user", "__name", "__timeFilter", "timeFilter",
                     "__timeGroup", "__timeGroupAlias", "__unixEpochFilter", "__all_variables", "__url_time_range",
                     "__field", "__series", "__value", "__data", "__cell", "__org_id", "__timezone",
                     "__auto_interval"}


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a mapping, else {}: lint reads hostile JSON, where any field may have any type."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """`value` when it is a list, else []."""
    return value if isinstance(value, list) else []


def panel_type(panel: dict[str, Any]) -> str:
    """The panel's type, or '' when it has none or not a string."""
    kind = panel.get("type")
    return kind if isinstance(kind, str) else ""


@dataclass(frozen=True)
class PanelRef:
    panel: dict[str, Any]
    path: str  # e.g. "panels[3]" or "panels[2].panels[0]" or "rows[1].panels[4]"
    row: dict[str, Any] | None = None


def panels(dashboard: dict[str, Any], include_rows: bool = False) -> Iterator[PanelRef]:
    for index, panel in enumerate(as_list(dashboard.get("panels"))):
        if not isinstance(panel, dict):
            continue
        path = f"panels[{index}]"
        if panel.get("type") == "row":
            if include_rows:
                yield PanelRef(panel, path)
            for inner_index, inner in enumerate(as_list(panel.get("panels"))):
                if isinstance(inner, dict):
                    yield PanelRef(inner, f"{path}.panels[{inner_index}]", panel)
        else:
            yield PanelRef(panel, path)
    for row_index, row in enumerate(as_list(dashboard.get("rows"))):  # schema < 16 layout
        if not isinstance(row, dict):
            continue
        for index, panel in enumerate(as_list(row.get("panels"))):
            if isinstance(panel, dict):
                yield PanelRef(panel, f"rows[{row_index}].panels[{index}]", row)


def doc_panels(doc: Any, include_rows: bool = False) -> list[PanelRef]:
    """panels(doc.data), walked once per document and kept in its facts: a dozen rules read every panel."""
    key = "_panels_and_rows" if include_rows else "_panels"
    cached = doc.facts.get(key)
    if cached is None:
        cached = doc.facts[key] = list(panels(doc.data, include_rows))
    return cached


def datasource_of(panel: dict[str, Any], target: dict[str, Any] | None = None) -> Any:
    """The datasource a target really uses: its own, else the panel's (unless the panel is Mixed)."""
    if target is not None and target.get("datasource") not in (None, ""):
        return target["datasource"]
    return panel.get("datasource")


def datasource_type(ds: Any, dashboard: dict[str, Any]) -> str | None:
    """'prometheus', 'loki', ... as far as the JSON tells; via the datasource variable's type when it is one."""
    if isinstance(ds, dict):
        if ds.get("type"):
            return str(ds["type"])
        ds = ds.get("uid")
    if isinstance(ds, str):
        match = _VAR_RE.fullmatch(ds.strip())
        if match:
            name = next(g for g in match.groups() if g)
            for var in variables(dashboard):
                if var.get("name") == name and var.get("type") == "datasource":
                    return str(var.get("query") or "") or None
        lowered = ds.lower()
        for known in ("prometheus", "loki", "elasticsearch", "tempo", "jaeger", "graphite", "influx", "mimir"):
            if known in lowered:
                return "prometheus" if known == "mimir" else known
    return None


def is_prometheus(panel: dict[str, Any], target: dict[str, Any], dashboard: dict[str, Any]) -> bool:
    kind = datasource_type(datasource_of(panel, target), dashboard)
    if kind is not None:
        return kind == "prometheus"
    return "expr" in target and "query" not in target and "rawSql" not in target  # unknown: judge by the shape


def targets(ref: PanelRef) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, target in enumerate(as_list(ref.panel.get("targets"))):
        if isinstance(target, dict):
            yield index, target


def variables(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    templating = dashboard.get("templating")
    items = templating.get("list") if isinstance(templating, dict) else None
    return [v for v in as_list(items) if isinstance(v, dict)]


def variable_query(var: dict[str, Any]) -> str:
    query = var.get("query")
    if isinstance(query, dict):
        query = query.get("query")
    return query if isinstance(query, str) else ""


def referenced_variables(text: str) -> set[str]:
    if not text or ("$" not in text and "[[" not in text):
        return set()
    return {braced or old or plain for braced, old, plain in _VAR_RE.findall(text)}


def all_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(json path, string) for every string in a JSON value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from all_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from all_strings(item, f"{path}[{index}]")
