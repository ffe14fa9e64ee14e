"""Dashboard spec conversions between classic JSON (v0alpha1/v1beta1/v1) and schema v2 (v2alpha1/v2beta1/v2), as
Grafana's conversion does it for the shapes dashkit writes (grafana-api.md §14.4, §14.8). Lossy where Grafana is:
classic fields v2 has no place for (`schemaVersion`, `gnetId`, `__inputs`, row ids, unknown panel keys) are dropped."""

from __future__ import annotations

import copy
from typing import Any

V2_VERSIONS = ("v2alpha1", "v2beta1", "v2")
CLASSIC_VERSIONS = ("v0alpha1", "v1beta1", "v1")
SCHEMA_VERSION = 41  # what a down-converted dashboard reports (Grafana writes its current schemaVersion) [unverified]
GRID_WIDTH = 24
LEGACY_STRING = "__legacyStringValue"  # a classic string query kept inside a v2 DataQuery spec, as Grafana does
DEFAULT_PANEL_HEIGHT = 8  # AutoGridLayout "standard" row height, in grid units

_CURSOR_SYNC = {0: "Off", 1: "Crosshair", 2: "Tooltip"}
_HIDE = {0: "dontHide", 1: "hideLabel", 2: "hideVariable", 3: "inControlsMenu"}
_REFRESH = {0: "never", 1: "onDashboardLoad", 2: "onTimeRangeChanged"}
_SORT = {
    0: "disabled",
    1: "alphabeticalAsc",
    2: "alphabeticalDesc",
    3: "numericalAsc",
    4: "numericalDesc",
    5: "alphabeticalCaseInsensitiveAsc",
    6: "alphabeticalCaseInsensitiveDesc",
    7: "naturalAsc",
    8: "naturalDesc",
}
_VARIABLE_KINDS = {
    "query": "QueryVariable",
    "custom": "CustomVariable",
    "datasource": "DatasourceVariable",
    "interval": "IntervalVariable",
    "textbox": "TextVariable",
    "constant": "ConstantVariable",
    "adhoc": "AdhocVariable",
    "groupby": "GroupByVariable",
    "switch": "SwitchVariable",
}
_VARIABLE_TYPES = {kind: vtype for vtype, kind in _VARIABLE_KINDS.items()}
# classic variable keys each v2 variable spec carries over as they are (besides the mapped hide/refresh/sort/query)
_VARIABLE_PLAIN_KEYS = (
    "name",
    "label",
    "description",
    "current",
    "options",
    "multi",
    "includeAll",
    "allValue",
    "allowCustomValue",
    "regex",
    "definition",
    "skipUrlSync",
    "auto",
    "auto_min",
    "auto_count",
    "baseFilters",
    "filters",
    "defaultKeys",
    "defaultValue",
    "enabledValue",
    "disabledValue",
)
_QUERY_OPTION_KEYS = ("interval", "maxDataPoints", "timeFrom", "timeShift", "cacheTimeout", "hideTimeOverride",
                      "queryCachingTTL")
_ANNOTATION_KEYS = ("builtIn", "datasource", "enable", "hide", "iconColor", "name", "filter", "target")
_LINK_DEFAULTS: dict[str, Any] = {
    "title": "",
    "type": "link",
    "icon": "",
    "tooltip": "",
    "tags": [],
    "asDropdown": False,
    "targetBlank": False,
    "includeVars": False,
    "keepTime": False,
}


def is_v2(version: str) -> bool:
    """Whether `version` holds a schema-v2 spec (v2alpha1, v2beta1, v2)."""
    return version.startswith("v2")


def looks_like_v2(spec: Any) -> bool:
    """A classic-looking body that is really schema v2 (has `elements` or `layout`), as 13's legacy save detects."""
    return isinstance(spec, dict) and ("elements" in spec or "layout" in spec)


def convert_spec(spec: dict[str, Any], from_version: str, to_version: str) -> dict[str, Any]:
    """`spec` stored at `from_version` as read at `to_version` (a new dict; the input is never changed)."""
    if is_v2(from_version) and is_v2(to_version):
        return spec if from_version == to_version else convert_v2(spec, to_version)
    if is_v2(from_version):
        return v2_to_classic(spec)
    if is_v2(to_version):
        return classic_to_v2(spec, to_version)
    return spec


# --- small helpers ----------------------------------------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


def _mapped(table: dict[int, str], value: Any, default: str) -> str:
    if isinstance(value, str) and value in table.values():
        return value
    return table.get(_int(value, -1), default)


def _unmapped(table: dict[int, str], value: Any, default: int = 0) -> int:
    for number, name in table.items():
        if name == value:
            return number
    return _int(value, default)


def _datasource_ref(value: Any) -> tuple[str, str]:
    """(type, uid) of a classic datasource reference (an object, or a legacy name/uid string)."""
    if isinstance(value, dict):
        return str(value.get("type") or ""), str(value.get("uid") or "")
    if isinstance(value, str) and value:
        return "", value
    return "", ""


def _classic_datasource(ds_type: str, ds_uid: str) -> dict[str, str] | None:
    ref = {}
    if ds_type:
        ref["type"] = ds_type
    if ds_uid:
        ref["uid"] = ds_uid
    return ref or None


def _shared_head(source: dict[str, Any]) -> dict[str, Any]:
    """The dashboard fields classic and v2 specs spell alike: title, description, tags, editable, liveNow."""
    out: dict[str, Any] = {"title": source.get("title") or ""}
    if isinstance(source.get("description"), str):
        out["description"] = source["description"]
    out["tags"] = [t for t in _list(source.get("tags")) if isinstance(t, str)]
    out["editable"] = source.get("editable", True) is not False
    if "liveNow" in source:
        out["liveNow"] = bool(source["liveNow"])
    return out


def _annotation_flags(source: dict[str, Any]) -> dict[str, Any]:
    """The annotation fields classic and v2 spell alike (`enable`, `hide`, `iconColor`, `name`), with defaults."""
    return {
        "enable": source.get("enable", True) is not False,
        "hide": bool(source.get("hide", False)),
        "iconColor": source.get("iconColor") or "",
        "name": source.get("name") or "",
    }


def _v2_variable_datasource(spec: dict[str, Any]) -> tuple[str, str]:
    """(type, uid) of an Adhoc/GroupBy variable's datasource in a v2 spec: `group` + `datasource.name` (v2beta1,
    v2), or a classic `datasource` ref (v2alpha1)."""
    if "group" in spec:
        return str(spec.get("group") or ""), str(_dict(spec.get("datasource")).get("name") or "")
    return _datasource_ref(spec.get("datasource"))


def _put_variable_datasource(spec: dict[str, Any], version: str, ds_type: str, ds_uid: str) -> None:
    """Write an Adhoc/GroupBy variable's datasource into its v2 spec as `version` spells it."""
    if version == "v2alpha1":
        spec["datasource"] = _classic_datasource(ds_type, ds_uid)
    else:
        spec["group"] = ds_type
        if ds_uid:
            spec["datasource"] = {"name": ds_uid}


def _viz(spec: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """(plugin, plugin version, viz spec) of a v2 panel's `vizConfig`, in either spelling (v2alpha1: `{kind:
    <plugin>, spec {pluginVersion, ...}}`; v2beta1/v2: `{kind: VizConfig, group, version, spec}`)."""
    viz = _dict(spec.get("vizConfig"))
    viz_spec = _dict(viz.get("spec"))
    if viz.get("kind") == "VizConfig":
        return viz.get("group") or "", viz.get("version") or "", viz_spec
    return viz.get("kind") or "", viz_spec.get("pluginVersion") or "", viz_spec


def _field_config(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"defaults": {}, "overrides": []}


# --- data queries (panel targets, annotation and variable queries) ----------------------------------------------


def _data_query(version: str, ds_type: str, ds_uid: str, spec: dict[str, Any]) -> dict[str, Any]:
    """The query node: v2beta1/v2 `DataQuery` (group = datasource type, datasource.name = uid); v2alpha1 `{kind:
    <type>, spec}` (its datasource then sits next to the query, see `_put_query`)."""
    if version == "v2alpha1":
        return {"kind": ds_type, "spec": spec}
    query: dict[str, Any] = {"kind": "DataQuery", "group": ds_type, "version": "v0"}
    if ds_uid:
        query["datasource"] = {"name": ds_uid}
    query["spec"] = spec
    return query


def _put_query(target: dict[str, Any], version: str, ds_type: str, ds_uid: str, spec: dict[str, Any]) -> None:
    """Write a query (and, on v2alpha1, its `datasource {type, uid}`) into a PanelQuery/variable/annotation spec."""
    if version == "v2alpha1" and (ds_type or ds_uid):
        target["datasource"] = _classic_datasource(ds_type, ds_uid)
    target["query"] = _data_query(version, ds_type, ds_uid, spec)


def _read_query(holder: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(datasource type, datasource uid, query spec) from a v2 spec holding a `query` (any v2 version)."""
    query = _dict(holder.get("query"))
    spec = _dict(query.get("spec"))
    if query.get("kind") == "DataQuery":
        return str(query.get("group") or ""), str(_dict(query.get("datasource")).get("name") or ""), spec
    ds_type, ds_uid = _datasource_ref(holder.get("datasource"))
    return ds_type or str(query.get("kind") or ""), ds_uid, spec


# --- classic -> v2 ----------------------------------------------------------------------------------------------


def classic_to_v2(spec: dict[str, Any], version: str = "v2beta1") -> dict[str, Any]:
    """A classic dashboard spec as schema v2 at `version` (§14.8): panels become `panel-<id>` elements placed by a
    GridLayout, or a RowsLayout when the dashboard has row panels (panels above the first row go to a row with
    `hideHeader: true`)."""
    if version not in V2_VERSIONS:
        raise ValueError(f"not a schema v2 version: {version!r}")
    source = copy.deepcopy(spec)
    time = _dict(source.get("time"))
    picker = _dict(source.get("timepicker"))
    out = _shared_head(source)
    out["preload"] = bool(source.get("preload", False))
    if isinstance(source.get("revision"), int):
        out["revision"] = source["revision"]
    out["cursorSync"] = _mapped(_CURSOR_SYNC, source.get("graphTooltip", 0), "Off")
    out["links"] = [{**_LINK_DEFAULTS, **link} for link in _list(source.get("links")) if isinstance(link, dict)]
    settings: dict[str, Any] = {
        "timezone": source["timezone"] if isinstance(source.get("timezone"), str) else "browser",
        "from": time.get("from") or "now-6h",
        "to": time.get("to") or "now",
        "autoRefresh": source.get("refresh") or "",
        "autoRefreshIntervals": picker.get("refresh_intervals")
        or ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"],
        "hideTimepicker": bool(picker.get("hidden", False)),
        "fiscalYearStartMonth": _int(source.get("fiscalYearStartMonth")),
    }
    if source.get("weekStart"):
        settings["weekStart"] = source["weekStart"]
    if picker.get("nowDelay"):
        settings["nowDelay"] = picker["nowDelay"]
    if picker.get("quick_ranges"):
        settings["quickRanges"] = picker["quick_ranges"]
    out["timeSettings"] = settings
    annotations = _list(_dict(source.get("annotations")).get("list"))
    out["annotations"] = [_annotation_to_v2(a, version) for a in annotations if isinstance(a, dict)]
    variables = _list(_dict(source.get("templating")).get("list"))
    out["variables"] = [_variable_to_v2(v, version) for v in variables if isinstance(v, dict)]
    elements: dict[str, Any] = {}
    out["elements"] = elements
    out["layout"] = _layout_to_v2([p for p in _list(source.get("panels")) if isinstance(p, dict)], elements, version)
    return out


def _annotation_to_v2(annotation: dict[str, Any], version: str) -> dict[str, Any]:
    ds_type, ds_uid = _datasource_ref(annotation.get("datasource"))
    spec: dict[str, Any] = {}
    _put_query(spec, version, ds_type, ds_uid, _dict(annotation.get("target")))
    spec.update(_annotation_flags(annotation))
    if annotation.get("builtIn"):
        spec["builtIn"] = True
    if isinstance(annotation.get("filter"), dict):
        spec["filter"] = annotation["filter"]
    legacy = {k: v for k, v in annotation.items() if k not in _ANNOTATION_KEYS}
    if legacy:
        spec["legacyOptions"] = legacy
    return {"kind": "AnnotationQuery", "spec": spec}


def _variable_to_v2(variable: dict[str, Any], version: str) -> dict[str, Any]:
    vtype = str(variable.get("type") or "query")
    kind = _VARIABLE_KINDS.get(vtype, "CustomVariable")
    spec: dict[str, Any] = {key: variable[key] for key in _VARIABLE_PLAIN_KEYS if key in variable}
    spec.setdefault("name", "")
    spec["hide"] = _mapped(_HIDE, variable.get("hide", 0), "dontHide")
    spec.setdefault("skipUrlSync", False)
    if "refresh" in variable and kind in ("QueryVariable", "DatasourceVariable", "IntervalVariable"):
        spec["refresh"] = _mapped(_REFRESH, variable["refresh"], "never")
    if kind == "QueryVariable":
        ds_type, ds_uid = _datasource_ref(variable.get("datasource"))
        query = variable.get("query")
        spec["sort"] = _mapped(_SORT, variable.get("sort", 0), "disabled")
        _put_query(spec, version, ds_type, ds_uid, query if isinstance(query, dict) else {LEGACY_STRING: query or ""})
    elif kind == "DatasourceVariable":
        spec["pluginId"] = variable.get("query") or ""
    elif kind in ("AdhocVariable", "GroupByVariable"):
        _put_variable_datasource(spec, version, *_datasource_ref(variable.get("datasource")))
    elif "query" in variable:
        spec["query"] = variable["query"]
    return {"kind": kind, "spec": spec}


def _panel_id(panel: dict[str, Any], used: set[int]) -> int:
    panel_id = _int(panel.get("id"), 0)
    if panel_id <= 0 or panel_id in used:
        panel_id = max(used, default=0) + 1
    used.add(panel_id)
    return panel_id


def _layout_to_v2(panels: list[dict[str, Any]], elements: dict[str, Any], version: str) -> dict[str, Any]:
    used: set[int] = set()
    if not any(p.get("type") == "row" for p in panels):
        return _grid([_item_to_v2(p, elements, version, used, 0) for p in panels])
    rows: list[dict[str, Any]] = []
    header: dict[str, Any] | None = None  # the row panel the next panels belong to; None above the first row
    members: list[dict[str, Any]] = []

    def close() -> None:
        if header is None and not members:
            return
        offset = _int(_dict(header.get("gridPos")).get("y")) + 1 if header is not None else 0
        items = [_item_to_v2(p, elements, version, used, offset) for p in members]
        row: dict[str, Any] = {"layout": _grid(items)}
        if header is None:
            row["hideHeader"] = True
        else:
            row["title"] = header.get("title") or ""
            row["collapse"] = bool(header.get("collapsed", False))
            if header.get("repeat"):
                row["repeat"] = {"mode": "variable", "value": header["repeat"]}
        rows.append({"kind": "RowsLayoutRow", "spec": row})

    for panel in panels:
        if panel.get("type") == "row":
            close()
            header = panel
            nested = [p for p in _list(panel.get("panels")) if isinstance(p, dict)]
            members = nested if panel.get("collapsed") else []
        else:
            members.append(panel)
    close()
    return {"kind": "RowsLayout", "spec": {"rows": rows}}


def _grid(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "GridLayout", "spec": {"items": items}}


def _item_to_v2(
    panel: dict[str, Any], elements: dict[str, Any], version: str, used: set[int], y_offset: int
) -> dict[str, Any]:
    panel_id = _panel_id(panel, used)
    name = f"panel-{panel_id}"
    elements[name] = _element_to_v2(panel, panel_id, version)
    pos = _dict(panel.get("gridPos"))
    item: dict[str, Any] = {
        "x": _int(pos.get("x")),
        "y": max(_int(pos.get("y")) - y_offset, 0),
        "width": _int(pos.get("w"), 12),
        "height": _int(pos.get("h"), DEFAULT_PANEL_HEIGHT),
        "element": {"kind": "ElementReference", "name": name},
    }
    if panel.get("repeat"):
        repeat: dict[str, Any] = {"mode": "variable", "value": panel["repeat"]}
        if panel.get("repeatDirection"):
            repeat["direction"] = "h" if panel["repeatDirection"] == "h" else "v"
        if panel.get("maxPerRow"):
            repeat["maxPerRow"] = panel["maxPerRow"]
        item["repeat"] = repeat
    return {"kind": "GridLayoutItem", "spec": item}


def _element_to_v2(panel: dict[str, Any], panel_id: int, version: str) -> dict[str, Any]:
    title = panel.get("title") or ""
    library = panel.get("libraryPanel")
    if isinstance(library, dict):
        return {
            "kind": "LibraryPanel",
            "spec": {"id": panel_id, "title": title, "libraryPanel": {"uid": library.get("uid", ""),
                                                                      "name": library.get("name", "")}},
        }
    panel_type, panel_uid = _datasource_ref(panel.get("datasource"))
    targets = [t for t in _list(panel.get("targets")) if isinstance(t, dict)]
    taken = {t["refId"] for t in targets if isinstance(t.get("refId"), str) and t["refId"]}
    queries = []
    for target in targets:
        ds_type, ds_uid = _datasource_ref(target.get("datasource"))
        if not ds_type and not ds_uid:
            ds_type, ds_uid = panel_type, panel_uid
        query_spec = {k: v for k, v in target.items() if k not in ("refId", "hide", "datasource")}
        ref_id = target.get("refId") if isinstance(target.get("refId"), str) and target["refId"] else ""
        if not ref_id:
            ref_id = _next_ref_id(taken)
        pq: dict[str, Any] = {"refId": ref_id, "hidden": bool(target.get("hide", False))}
        _put_query(pq, version, ds_type, ds_uid, query_spec)
        queries.append({"kind": "PanelQuery", "spec": pq})
    options = {k: panel[k] for k in _QUERY_OPTION_KEYS if k in panel}
    spec: dict[str, Any] = {"id": panel_id, "title": title, "description": panel.get("description") or ""}
    spec["links"] = _list(panel.get("links"))
    if "transparent" in panel:
        spec["transparent"] = bool(panel["transparent"])
    spec["data"] = {
        "kind": "QueryGroup",
        "spec": {
            "queries": queries,
            "transformations": [_transformation_to_v2(t, version) for t in _list(panel.get("transformations"))
                                if isinstance(t, dict)],
            "queryOptions": options,
        },
    }
    spec["vizConfig"] = _viz_config(
        version,
        str(panel.get("type") or ""),
        str(panel.get("pluginVersion") or ""),
        _dict(panel.get("options")),
        _field_config(panel.get("fieldConfig")),
    )
    return {"kind": "Panel", "spec": spec}


def _next_ref_id(taken: set[str]) -> str:
    """The first free refId among A..Z, AA..ZZ (as Grafana names queries that have none)."""
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    for candidate in letters + [a + b for a in letters for b in letters]:
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise ValueError("more than 702 queries in one panel")


def _viz_config(
    version: str, plugin: str, plugin_version: str, options: dict[str, Any], field_config: dict[str, Any]
) -> dict[str, Any]:
    if version == "v2alpha1":
        return {
            "kind": plugin,
            "spec": {"pluginVersion": plugin_version, "options": options, "fieldConfig": field_config},
        }
    return {
        "kind": "VizConfig",
        "group": plugin,
        "version": plugin_version,
        "spec": {"options": options, "fieldConfig": field_config},
    }


def _transformation_to_v2(transformation: dict[str, Any], version: str) -> dict[str, Any]:
    transform_id = str(transformation.get("id") or "")
    if version == "v2":
        return {"kind": "Transformation", "group": transform_id, "spec": transformation}
    return {"kind": transform_id, "spec": transformation}


# --- v2 -> classic ----------------------------------------------------------------------------------------------


def v2_to_classic(spec: dict[str, Any], origins: dict[int, str] | None = None) -> dict[str, Any]:
    """A schema-v2 spec (any v2 version) as a classic dashboard (§14.5's down-conversion): layouts are flattened
    to gridPos (tabs and nested rows become rows, auto grids are laid out in a fixed grid), elements become panels.
    `origins`, when given, is filled with {id(classic panel): element name} (lint reports findings at the element)."""
    source = copy.deepcopy(spec)
    settings = _dict(source.get("timeSettings"))
    out = _shared_head(source)
    if source.get("preload"):
        out["preload"] = True
    if isinstance(source.get("revision"), int):
        out["revision"] = source["revision"]
    out["graphTooltip"] = _unmapped(_CURSOR_SYNC, source.get("cursorSync", "Off"))
    out["links"] = [link for link in _list(source.get("links")) if isinstance(link, dict)]
    out["time"] = {"from": settings.get("from") or "now-6h", "to": settings.get("to") or "now"}
    out["timezone"] = settings["timezone"] if isinstance(settings.get("timezone"), str) else "browser"
    out["refresh"] = settings.get("autoRefresh") or ""
    picker: dict[str, Any] = {}
    if settings.get("autoRefreshIntervals"):
        picker["refresh_intervals"] = settings["autoRefreshIntervals"]
    if settings.get("hideTimepicker"):
        picker["hidden"] = True
    if settings.get("nowDelay"):
        picker["nowDelay"] = settings["nowDelay"]
    if settings.get("quickRanges"):
        picker["quick_ranges"] = settings["quickRanges"]
    if picker:
        out["timepicker"] = picker
    out["fiscalYearStartMonth"] = _int(settings.get("fiscalYearStartMonth"))
    if settings.get("weekStart"):
        out["weekStart"] = settings["weekStart"]
    out["annotations"] = {
        "list": [_annotation_to_classic(_dict(a.get("spec"))) for a in _list(source.get("annotations"))
                 if isinstance(a, dict)]
    }
    out["templating"] = {
        "list": [_variable_to_classic(v) for v in _list(source.get("variables")) if isinstance(v, dict)]
    }
    out["panels"] = _Flattener(_dict(source.get("elements")), origins).flatten(_dict(source.get("layout")))
    out["schemaVersion"] = SCHEMA_VERSION
    return out


def _annotation_to_classic(spec: dict[str, Any]) -> dict[str, Any]:
    ds_type, ds_uid, query = _read_query(spec)
    annotation: dict[str, Any] = {}
    if spec.get("builtIn"):
        annotation["builtIn"] = 1
    datasource = _classic_datasource(ds_type, ds_uid)
    if datasource:
        annotation["datasource"] = datasource
    annotation.update(_annotation_flags(spec))
    if isinstance(spec.get("filter"), dict):
        annotation["filter"] = spec["filter"]
    if query:
        annotation["target"] = query
    annotation.update(_dict(spec.get("legacyOptions")))
    return annotation


def _variable_to_classic(variable: dict[str, Any]) -> dict[str, Any]:
    kind = str(variable.get("kind") or "")
    spec = _dict(variable.get("spec"))
    out: dict[str, Any] = {key: spec[key] for key in _VARIABLE_PLAIN_KEYS if key in spec}
    out["type"] = _VARIABLE_TYPES.get(kind, "custom")
    out["hide"] = _unmapped(_HIDE, spec.get("hide", "dontHide"))
    if "refresh" in spec:
        out["refresh"] = _unmapped(_REFRESH, spec["refresh"])
    if kind == "QueryVariable":
        ds_type, ds_uid, query = _read_query(spec)
        datasource = _classic_datasource(ds_type, ds_uid)
        if datasource:
            out["datasource"] = datasource
        out["query"] = query[LEGACY_STRING] if set(query) == {LEGACY_STRING} else query
        out["sort"] = _unmapped(_SORT, spec.get("sort", "disabled"))
    elif kind == "DatasourceVariable":
        out["query"] = spec.get("pluginId") or ""
    elif kind in ("AdhocVariable", "GroupByVariable"):
        datasource = _classic_datasource(*_v2_variable_datasource(spec))
        if datasource:
            out["datasource"] = datasource
    elif "query" in spec:
        out["query"] = spec["query"]
    return out


class _Flattener:
    """Turns a (possibly nested) v2 layout into classic panels with absolute gridPos, rows as row panels."""

    def __init__(self, elements: dict[str, Any], origins: dict[int, str] | None = None) -> None:
        self.elements = elements
        self.origins = origins if origins is not None else {}
        self.panels: list[dict[str, Any]] = []
        self.used_ids = {
            _int(_dict(e.get("spec")).get("id"), 0) for e in elements.values() if isinstance(e, dict)
        } - {0}

    def flatten(self, layout: dict[str, Any]) -> list[dict[str, Any]]:
        self._place(layout, self.panels, 0, allow_rows=True)
        return self.panels

    def _next_id(self) -> int:
        new_id = max(self.used_ids, default=0) + 1
        self.used_ids.add(new_id)
        return new_id

    def _place(self, layout: dict[str, Any], into: list[dict[str, Any]], top: int, *, allow_rows: bool) -> int:
        """Place `layout` starting at grid row `top`; returns the grid row below it."""
        kind = layout.get("kind")
        spec = _dict(layout.get("spec"))
        if kind == "GridLayout":
            return self._grid(spec, into, top)
        if kind == "AutoGridLayout":
            return self._auto_grid(spec, into, top)
        if kind == "RowsLayout":
            sections = [(_dict(r.get("spec")), "row") for r in _list(spec.get("rows")) if isinstance(r, dict)]
        elif kind == "TabsLayout":
            sections = [(_dict(t.get("spec")), "tab") for t in _list(spec.get("tabs")) if isinstance(t, dict)]
        else:
            return top
        for section, origin in sections:
            inner = _dict(section.get("layout"))
            if not allow_rows or (origin == "row" and section.get("hideHeader") and not section.get("title")):
                top = self._place(inner, into, top, allow_rows=False)
                continue
            row: dict[str, Any] = {
                "collapsed": bool(section.get("collapse", False)),
                "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": top},
                "id": self._next_id(),
                "panels": [],
                "title": section.get("title") or "",
                "type": "row",
            }
            repeat = _dict(section.get("repeat"))
            if repeat.get("value"):
                row["repeat"] = repeat["value"]
            into.append(row)
            if row["collapsed"]:
                self._place(inner, row["panels"], top + 1, allow_rows=False)
                top += 1
            else:
                top = self._place(inner, into, top + 1, allow_rows=False)
        return top

    def _grid(self, spec: dict[str, Any], into: list[dict[str, Any]], top: int) -> int:
        bottom = top
        for item in _list(spec.get("items")):
            item_spec = _dict(_dict(item).get("spec"))
            pos = {
                "h": _int(item_spec.get("height"), DEFAULT_PANEL_HEIGHT),
                "w": _int(item_spec.get("width"), 12),
                "x": _int(item_spec.get("x")),
                "y": top + _int(item_spec.get("y")),
            }
            panel = self._panel(item_spec, pos)
            if panel is not None:
                into.append(panel)
                bottom = max(bottom, pos["y"] + pos["h"])
        return bottom

    def _auto_grid(self, spec: dict[str, Any], into: list[dict[str, Any]], top: int) -> int:
        columns = max(_int(spec.get("maxColumnCount"), 3), 1)
        width = max(GRID_WIDTH // columns, 1)
        heights = {"short": 5, "standard": DEFAULT_PANEL_HEIGHT, "tall": 14}
        height = heights.get(str(spec.get("rowHeightMode") or "standard"), DEFAULT_PANEL_HEIGHT)
        index = 0
        for item in _list(spec.get("items")):
            row, column = divmod(index, columns)
            pos = {"h": height, "w": width, "x": column * width, "y": top + row * height}
            panel = self._panel(_dict(_dict(item).get("spec")), pos)
            if panel is not None:
                into.append(panel)
                index += 1
        rows = (index + columns - 1) // columns
        return top + rows * height

    def _panel(self, item_spec: dict[str, Any], pos: dict[str, int]) -> dict[str, Any] | None:
        name = _dict(item_spec.get("element")).get("name")
        element = _dict(self.elements.get(name)) if isinstance(name, str) else {}
        if not element:
            return None
        panel = _element_to_classic(element, name)
        self.origins[id(panel)] = name
        if not isinstance(panel.get("id"), int) or panel["id"] <= 0:
            panel["id"] = self._next_id()
        panel["gridPos"] = pos
        repeat = _dict(item_spec.get("repeat"))
        if repeat.get("value"):
            panel["repeat"] = repeat["value"]
            if repeat.get("direction"):
                panel["repeatDirection"] = repeat["direction"]
            if repeat.get("maxPerRow"):
                panel["maxPerRow"] = repeat["maxPerRow"]
        return panel


def _element_to_classic(element: dict[str, Any], name: str) -> dict[str, Any]:
    spec = _dict(element.get("spec"))
    panel_id = spec.get("id")
    if not isinstance(panel_id, int) and name.startswith("panel-") and name[6:].isdigit():
        panel_id = int(name[6:])
    panel: dict[str, Any] = {"id": panel_id, "title": spec.get("title") or ""}
    if element.get("kind") == "LibraryPanel":
        panel["libraryPanel"] = _dict(spec.get("libraryPanel"))
        return panel
    panel["type"], plugin_version, viz_spec = _viz(spec)
    if plugin_version:
        panel["pluginVersion"] = plugin_version
    if spec.get("description"):
        panel["description"] = spec["description"]
    if spec.get("links"):
        panel["links"] = spec["links"]
    if "transparent" in spec:
        panel["transparent"] = bool(spec["transparent"])
    data = _dict(_dict(spec.get("data")).get("spec"))
    targets, sources = [], []
    for query in _list(data.get("queries")):
        query_spec = _dict(_dict(query).get("spec"))
        ds_type, ds_uid, fields = _read_query(query_spec)
        target: dict[str, Any] = {}
        datasource = _classic_datasource(ds_type, ds_uid)
        if datasource:
            target["datasource"] = datasource
            sources.append(datasource)
        target.update(fields)
        target["refId"] = query_spec.get("refId") or ""
        if query_spec.get("hidden"):
            target["hide"] = True
        targets.append(target)
    if sources:
        same = all(s == sources[0] for s in sources)
        panel["datasource"] = sources[0] if same else {"type": "datasource", "uid": "-- Mixed --"}
    panel["targets"] = targets
    transformations = [_dict(t.get("spec")) for t in _list(data.get("transformations")) if isinstance(t, dict)]
    if transformations:
        panel["transformations"] = transformations
    panel.update({k: v for k, v in _dict(data.get("queryOptions")).items() if k in _QUERY_OPTION_KEYS})
    panel["fieldConfig"] = _field_config(viz_spec.get("fieldConfig"))
    panel["options"] = _dict(viz_spec.get("options"))
    return panel


# --- v2 <-> v2 --------------------------------------------------------------------------------------------------


def convert_v2(spec: dict[str, Any], version: str) -> dict[str, Any]:
    """A schema-v2 spec re-shaped for another v2 version (vizConfig, queries, transformations, datasource refs of
    annotations and variables); layouts and everything else are the same in all three."""
    if version not in V2_VERSIONS:
        raise ValueError(f"not a schema v2 version: {version!r}")
    out = copy.deepcopy(spec)
    for annotation in _list(out.get("annotations")):
        annotation_spec = _dict(_dict(annotation).get("spec"))
        if annotation_spec:
            _requery(annotation_spec, version)
    for variable in _list(out.get("variables")):
        variable = _dict(variable)
        variable_spec = _dict(variable.get("spec"))
        if variable.get("kind") == "QueryVariable":
            _requery(variable_spec, version)
        elif variable.get("kind") in ("AdhocVariable", "GroupByVariable"):
            ds_type, ds_uid = _v2_variable_datasource(variable_spec)
            variable_spec.pop("group", None)
            variable_spec.pop("datasource", None)
            _put_variable_datasource(variable_spec, version, ds_type, ds_uid)
    for element in _dict(out.get("elements")).values():
        element_spec = _dict(_dict(element).get("spec"))
        if _dict(element).get("kind") != "Panel":
            continue
        data = _dict(_dict(element_spec.get("data")).get("spec"))
        for query in _list(data.get("queries")):
            _requery(_dict(_dict(query).get("spec")), version)
        data["transformations"] = [
            _transformation_to_v2(_dict(t.get("spec")), version) for t in _list(data.get("transformations"))
            if isinstance(t, dict)
        ]
        plugin, plugin_version, viz_spec = _viz(element_spec)
        element_spec["vizConfig"] = _viz_config(
            version,
            str(plugin),
            str(plugin_version),
            _dict(viz_spec.get("options")),
            _field_config(viz_spec.get("fieldConfig")),
        )
    return out


def _requery(holder: dict[str, Any], version: str) -> None:
    ds_type, ds_uid, query = _read_query(holder)
    holder.pop("datasource", None)
    _put_query(holder, version, ds_type, ds_uid, query)
