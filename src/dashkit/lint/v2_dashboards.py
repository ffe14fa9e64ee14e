"""Schema-v2 dashboards (Grafana 12+ `elements` and `layout`) for lint: checked by the same dashboard rules as
classic JSON, through the down-conversion Grafana itself applies (dashkit.schema_v2), with every finding reported
at the v2 element, variable or annotation it is about rather than at a classic path the file does not have.

Rules that only make sense for the classic model (panel ids, gridPos overlaps, schemaVersion, old table styles,
the `uid` field) say so with `classic_only` and are not run on these documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..schema_v2 import v2_to_classic
from .model import DocKind, Document

_PANEL = re.compile(r"panels\[(\d+)\](?:\.panels\[(\d+)\])?")
_LISTED = re.compile(r"(templating|annotations)\.list\[(\d+)\]")
_TARGET = re.compile(r"\.targets\[(\d+)\]")
_TRANSFORMATION = re.compile(r"\.transformations\[(\d+)\]")
_QUERY_OPTIONS = (".interval", ".maxDataPoints", ".timeFrom", ".timeShift", ".hideTimeOverride", ".cacheTimeout",
                  ".queryCachingTTL")
_LAYOUT_KEYS = (".gridPos", ".repeat", ".maxPerRow", ".collapsed")
_VIZ_KEYS = (".fieldConfig", ".options")


def is_schema_v2(data: Any) -> bool:
    """A v2 dashboard spec, or an app-platform object holding one (`dashboard.grafana.app/v2*`)."""
    if not isinstance(data, dict):
        return False
    if str(data.get("apiVersion", "")).startswith("dashboard.grafana.app/v2"):
        return True
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else data
    return isinstance(spec.get("elements"), dict) and isinstance(spec.get("layout"), dict)


def document(data: dict[str, Any], path: str, *, prefix: str, label_suffix: str,
             locate: Callable[[str], int | None] | None) -> Document:
    """The v2 dashboard in `data` (a bare spec or an app-platform object) as a classic-form Document."""
    wrapped = isinstance(data.get("spec"), dict) and ("apiVersion" in data or "metadata" in data)
    spec = data["spec"] if wrapped else data
    origins: dict[int, str] = {}
    classic = v2_to_classic(spec, origins)
    name = (data.get("metadata") or {}).get("name") if wrapped and isinstance(data.get("metadata"), dict) else None
    if isinstance(name, str) and name:
        classic["uid"] = name
    label = f"{classic.get('title') or name or path}{label_suffix}"
    return Document(DocKind.DASHBOARD, classic, path, label=label, prefix=prefix, locate=locate,
                    facts={"schema_v2": True},
                    translate=_Paths(spec, classic, origins, "spec." if wrapped else ""))


class _Paths:
    """Classic path of the converted dashboard -> the path in the v2 document it came from."""

    def __init__(self, spec: dict[str, Any], classic: dict[str, Any], origins: dict[int, str], at: str) -> None:
        self.classic = classic
        self.origins = origins
        self.at = at
        self.listed = {
            "templating": _kept_indexes(spec.get("variables")),
            "annotations": _kept_indexes(spec.get("annotations")),
        }

    def __call__(self, path: str) -> str:
        if not path:
            return path
        if path == "uid":
            return "metadata.name" if self.at else ""
        panel = _PANEL.match(path)
        if panel:
            return self._panel(panel, path[panel.end():])
        listed = _LISTED.match(path)
        if listed:
            where, index = listed.group(1), int(listed.group(2))
            kept = self.listed[where]
            origin = kept[index] if index < len(kept) else index
            name = "variables" if where == "templating" else "annotations"
            return f"{self.at}{name}[{origin}].spec{path[listed.end():]}"
        if path.startswith(("templating", "annotations")):
            return f"{self.at}{'variables' if path.startswith('templating') else 'annotations'}"
        return f"{self.at}{path}"

    def _panel(self, match: re.Match[str], rest: str) -> str:
        panels = self.classic.get("panels") or []
        outer, inner = int(match.group(1)), match.group(2)
        panel = panels[outer] if outer < len(panels) else None
        if inner is not None and isinstance(panel, dict):
            nested = panel.get("panels") or []
            panel = nested[int(inner)] if int(inner) < len(nested) else None
        name = self.origins.get(id(panel)) if panel is not None else None
        if name is None:  # a row: rows (and tabs) live in the layout
            return f"{self.at}layout"
        return f"{self.at}elements.{name}{_element_rest(rest)}"


def _element_rest(rest: str) -> str:
    """The part of a classic panel path below the panel, in a v2 Panel element."""
    if not rest:
        return ""
    target = _TARGET.match(rest)
    if target:
        below = rest[target.end():]
        query = f".spec.data.spec.queries[{target.group(1)}].spec"
        if not below or below.startswith((".refId", ".hide", ".datasource")):
            return query + below.replace(".hide", ".hidden", 1)
        return f"{query}.query.spec{below}"
    transformation = _TRANSFORMATION.match(rest)
    if transformation:
        return f".spec.data.spec.transformations[{transformation.group(1)}].spec{rest[transformation.end():]}"
    if rest.startswith(_VIZ_KEYS):
        return f".spec.vizConfig.spec{rest}"
    if rest.startswith((".type", ".pluginVersion")):
        return ".spec.vizConfig"
    if rest.startswith(_QUERY_OPTIONS):
        return f".spec.data.spec.queryOptions{rest}"
    if rest.startswith(".datasource"):
        return ".spec.data.spec.queries"
    if rest.startswith(_LAYOUT_KEYS):
        return ""
    return f".spec{rest}"


def _kept_indexes(value: Any) -> list[int]:
    """Indexes of the entries the conversion keeps (the dicts), in order."""
    return [i for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []
