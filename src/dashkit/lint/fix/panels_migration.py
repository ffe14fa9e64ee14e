"""DK105, DK108: deprecated Angular panels to their React successors, as Grafana migrates them when it loads them:
graph → timeseries (its timeseries graphPanelChangedHandler), singlestat → stat, or gauge when its gauge was shown
(sharedSingleStatPanelChangedHandler and the stat and gauge handlers), the old table (`table-old`, or `table` with
`styles` before schemaVersion 24) → table (tablePanelChangedHandler). Queries, datasource, layout, links and repeat
options are kept as they are; the Angular options are replaced by fieldConfig and options."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ..model import Document, Finding
from ..walk import as_dict, as_list, panel_type
from .json_edits import local_path, owner_path, rebuilt, replace_in_place, resolve, sorted_deep, sorted_keys
from .registry import FixContext, Fixed, Left, Outcome, fixes

# What every panel keeps through a type change; the rest is the old plugin's options.
PANEL_KEYS = frozenset({
    "id", "gridPos", "type", "title", "description", "datasource", "targets", "links", "repeat", "repeatDirection",
    "repeatIteration", "repeatPanelId", "scopedVars", "maxPerRow", "minSpan", "span", "height", "transparent",
    "timeFrom", "timeShift", "hideTimeOverride", "interval", "maxDataPoints", "cacheTimeout", "queryCachingTTL",
    "transformations", "libraryPanel", "dashkitLint", "fieldConfig", "options",
})
# Angular legend values and singlestat valueName → Grafana's reducer ids (their names and aliases).
REDUCERS = {"min": "min", "max": "max", "avg": "mean", "mean": "mean", "current": "lastNotNull",
            "lastNotNull": "lastNotNull", "last": "last", "total": "sum", "sum": "sum", "first": "first",
            "firstNotNull": "firstNotNull", "count": "count", "range": "range", "delta": "delta", "diff": "diff"}
TABLE_TRANSFORMS = {"timeseries_to_rows": "seriesToRows", "timeseries_to_columns": "seriesToColumns",
                    "timeseries_aggregations": "reduce", "table": "merge"}
TABLE_COLOR_MODES = {"cell": "color-background", "row": "color-background", "value": "color-text"}
THRESHOLD_COLORS = {"critical": "red", "warning": "orange"}


def _number(value: Any) -> float | int | None:
    """A number, or a string holding one ("0", "1.5"), as Grafana's validNumber reads axis limits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and value.strip():
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and re.fullmatch(r"\s*-?\d+\s*", value) else number
    return None


def _without_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None}


# ---- graph → timeseries -----------------------------------------------------------------------------------------
def _axis(axis: Any) -> dict[str, Any]:
    """fieldConfig for an old y axis: unit, decimals, min, max, and its placement, label and log scale."""
    axis = as_dict(axis)
    if not axis:
        return {}
    custom: dict[str, Any] = {"axisPlacement": "auto" if axis.get("show", True) else "hidden"}
    if axis.get("label"):
        custom["axisLabel"] = axis["label"]
    if axis.get("logBase") in (2, 10):
        custom["scaleDistribution"] = {"type": "log", "log": axis["logBase"]}
    return _without_none({"unit": axis.get("format") or None, "decimals": _number(axis.get("decimals")),
                          "min": _number(axis.get("min")), "max": _number(axis.get("max")), "custom": custom})


def _stacking(value: Any) -> dict[str, Any]:
    if value is False:
        return {"mode": "none", "group": "A"}
    return {"mode": "normal", "group": value if isinstance(value, str) and value else "A"}


def _series_override(override: dict[str, Any], y1: dict[str, Any], y2: dict[str, Any],
                     dash: dict[str, Any]) -> dict[str, Any] | None:
    alias = override.get("alias")
    if not isinstance(alias, str) or not alias:
        return None
    regex = len(alias) > 1 and alias.startswith("/") and alias.endswith("/")
    props: list[dict[str, Any]] = []
    line_style: dict[str, Any] | None = None
    hide: dict[str, bool] = {}
    for key, value in override.items():
        if key == "yaxis" and value == 2:
            for name, setting in y2.items():
                if name != "custom" and setting != y1.get(name):
                    props.append({"id": name, "value": setting})
            for name, setting in as_dict(y2.get("custom")).items():
                if name != "axisPlacement" and setting != as_dict(y1.get("custom")).get(name):
                    props.append({"id": f"custom.{name}", "value": setting})
            props.append({"id": "custom.axisPlacement", "value": "right"})
        elif key == "fill" and _number(value) is not None:
            props.append({"id": "custom.fillOpacity", "value": _number(value) * 10})
        elif key == "fillBelowTo":
            props.append({"id": "custom.fillBelowTo", "value": value})
        elif key == "fillGradient" and _number(value):
            props += [{"id": "custom.gradientMode", "value": "opacity"},
                      {"id": "custom.fillOpacity", "value": _number(value) * 10}]
        elif key == "points":
            props.append({"id": "custom.showPoints", "value": "always" if value else "never"})
        elif key == "bars":
            props += ([{"id": "custom.drawStyle", "value": "bars"}, {"id": "custom.fillOpacity", "value": 100}]
                      if value else [{"id": "custom.drawStyle", "value": "line"}])
        elif key == "lines" and value is False:
            props.append({"id": "custom.lineWidth", "value": 0})
        elif key == "linewidth" and _number(value) is not None:
            props.append({"id": "custom.lineWidth", "value": _number(value)})
        elif key == "pointradius" and _number(value) is not None:
            props.append({"id": "custom.pointSize", "value": 2 + _number(value) * 2})
        elif key in ("dashes", "dashLength", "spaceLength"):
            line_style = line_style or {"fill": dash["fill"], "dash": list(dash["dash"])}
            if key == "dashes":
                line_style["fill"] = "dash" if value else "solid"
            elif _number(value) is not None:
                line_style["dash"][0 if key == "dashLength" else 1] = _number(value)
        elif key == "stack":
            props.append({"id": "custom.stacking", "value": _stacking(value)})
        elif key == "color" and isinstance(value, str):
            props.append({"id": "color", "value": {"fixedColor": value, "mode": "fixed"}})
        elif key == "transform" and value in ("negative-Y", "constant"):
            props.append({"id": "custom.transform", "value": value})
        elif key == "steppedLine" and value:
            props.append({"id": "custom.lineInterpolation", "value": "stepAfter"})
        elif key == "legend" and value is False:
            hide["legend"] = True
        elif key == "hideTooltip" and value is True:
            hide["tooltip"] = True
        elif key == "hiddenSeries" and value is True:
            hide["viz"] = True
    if line_style is not None:
        props.append({"id": "custom.lineStyle", "value": line_style})
    if hide:
        props.append({"id": "custom.hideFrom", "value": {"legend": hide.get("legend", False),
                                                         "tooltip": hide.get("tooltip", False),
                                                         "viz": hide.get("viz", False)}})
    if not props:
        return None
    return {"matcher": {"id": "byRegexp" if regex else "byName", "options": alias}, "properties": props}


def _graph_thresholds(thresholds: list[Any]) -> tuple[list[dict[str, Any]], str] | None:
    """Threshold steps and the thresholdsStyle mode for the graph's threshold lines and areas."""
    levels = sorted((t for t in thresholds if isinstance(t, dict) and _number(t.get("value")) is not None),
                    key=lambda t: _number(t["value"]))
    if not levels:
        return None
    steps: list[dict[str, Any]] = []

    def color(threshold: dict[str, Any]) -> str:
        if threshold.get("colorMode") == "custom":
            return threshold.get("fillColor") or threshold.get("lineColor") or "red"
        return THRESHOLD_COLORS.get(threshold.get("colorMode"), "red")

    for index, threshold in enumerate(levels):
        value, following = _number(threshold["value"]), levels[index + 1] if index + 1 < len(levels) else None
        if threshold.get("op") == "gt":
            steps.append({"color": color(threshold), "value": value})
        elif threshold.get("op") == "lt":
            if not steps:
                steps.append({"color": color(threshold), "value": None})
            if following is not None and following.get("op") == "lt":
                steps.append({"color": color(following), "value": value})
            else:
                steps.append({"color": "transparent", "value": value})
    if steps and steps[0]["value"] is not None:
        steps.insert(0, {"color": "transparent", "value": None})
    area = any(t.get("fill") for t in levels)
    line = any(t.get("line") for t in levels)
    return steps, "line+area" if area and line else "area" if area else "line"


def graph_to_timeseries(panel: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The panel as a timeseries, and what else the report should say."""
    yaxes = as_list(panel.get("yaxes"))
    y1, y2 = _axis(yaxes[0] if yaxes else None), _axis(yaxes[1] if len(yaxes) > 1 else None)
    old_config = as_dict(panel.get("fieldConfig"))
    defaults = {**as_dict(old_config.get("defaults")), **y1}
    custom = dict(as_dict(defaults.get("custom")))
    bars, lines, points = bool(panel.get("bars")), panel.get("lines", True) is not False, bool(panel.get("points"))
    custom["drawStyle"] = "bars" if bars else "line" if lines else "points"
    if points:
        custom["showPoints"] = "always"
        if _number(panel.get("pointradius")) is not None:
            custom["pointSize"] = 2 + _number(panel["pointradius"]) * 2
    elif custom["drawStyle"] != "points":
        custom["showPoints"] = "never"
    custom["lineWidth"] = _number(panel.get("linewidth", 1))
    dash = {"fill": "dash" if panel.get("dashes") else "solid",
            "dash": [_number(panel.get("dashLength")) or 10, _number(panel.get("spaceLength")) or 10]}
    if dash["fill"] != "solid":
        custom["lineStyle"] = dash
    overrides_in = [o for o in as_list(panel.get("seriesOverrides")) if isinstance(o, dict)]
    if any("fillBelowTo" in o for o in overrides_in):
        custom["fillOpacity"] = 35  # flot's bands
    elif _number(panel.get("fill", 1)) is not None:
        custom["fillOpacity"] = _number(panel.get("fill", 1)) * 10
    if (_number(panel.get("fillGradient")) or 0) > 0:
        custom["gradientMode"] = "opacity"
        custom["fillOpacity"] = _number(panel["fillGradient"]) * 10
    custom["spanNulls"] = panel.get("nullPointMode") == "connected"
    if panel.get("steppedLine"):
        custom["lineInterpolation"] = "stepAfter"
    if bars:
        custom["fillOpacity"] = 100
    if panel.get("stack"):
        custom["stacking"] = {"mode": "percent" if panel.get("percentage") else "normal", "group": "A"}
    defaults["custom"] = _without_none(custom)
    overrides = list(as_list(old_config.get("overrides")))
    for alias, color in as_dict(panel.get("aliasColors")).items():
        if isinstance(color, str) and color:
            overrides.append({"matcher": {"id": "byName", "options": alias},
                              "properties": [{"id": "color", "value": {"fixedColor": color, "mode": "fixed"}}]})
    overrides += [rule for rule in (_series_override(o, y1, y2, dash) for o in overrides_in) if rule is not None]
    thresholds = _graph_thresholds(as_list(panel.get("thresholds")))
    if thresholds is not None:
        steps, style = thresholds
        defaults["custom"]["thresholdsStyle"] = {"mode": style}
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    legend = as_dict(panel.get("legend")) if "legend" in panel else {"show": True}
    calcs = [REDUCERS[key] for key, on in legend.items() if on and key in REDUCERS] if legend.get("values") else []
    options = {"legend": {"calcs": list(dict.fromkeys(calcs)),
                          "displayMode": "table" if legend.get("alignAsTable") else "list",
                          "placement": "right" if legend.get("rightSide") else "bottom",
                          "showLegend": bool(legend.get("show", True))},
               "tooltip": _graph_tooltip(as_dict(panel.get("tooltip")))}
    if legend.get("sideWidth"):
        options["legend"]["width"] = legend["sideWidth"]
    xaxis = as_dict(panel.get("xaxis"))
    if xaxis.get("show") is False and xaxis.get("mode", "time") == "time":  # Grafana hides the time axis so
        overrides.append({"matcher": {"id": "byType", "options": "time"},
                          "properties": [{"id": "custom.axisPlacement", "value": "hidden"}]})
    fixed = {"type": "timeseries", "fieldConfig": {"defaults": defaults, "overrides": overrides}, "options": options}
    return _replace_plugin(panel, fixed, keep={"alert"}), ""


def _graph_tooltip(old: dict[str, Any]) -> dict[str, str]:
    """The tooltip as Grafana's graph migration sets it: a shared tooltip shows every series (`multi`), sorted as the
    graph sorted it (1 ascending, 2 descending)."""
    shared = bool(old.get("shared"))
    return {"mode": "multi" if shared else "single",
            "sort": {1: "asc", 2: "desc"}.get(old.get("sort"), "none") if shared else "none"}


# ---- singlestat → stat or gauge ----------------------------------------------------------------------------------
def _singlestat_thresholds(panel: dict[str, Any]) -> dict[str, Any] | None:
    levels_text, colors = panel.get("thresholds"), as_list(panel.get("colors"))
    if not isinstance(levels_text, str) or not levels_text.strip() or not colors:
        return None
    levels = [_number(level) for level in levels_text.split(",")]
    if any(level is None for level in levels):
        return None
    steps = []
    for index, color in enumerate(colors):
        if index == 0:
            steps.append({"color": color, "value": None})
        elif index - 1 < len(levels):
            steps.append({"color": color, "value": levels[index - 1]})
    return {"mode": "absolute", "steps": steps}


def _value_mappings(panel: dict[str, Any]) -> list[dict[str, Any]]:
    """singlestat's value or range maps (whichever its mappingType picks) in the current mappings format."""
    kind = panel.get("mappingType")
    if kind not in (1, 2):
        kind = 1 if as_list(panel.get("valueMaps")) else 2 if as_list(panel.get("rangeMaps")) else None
    out: list[dict[str, Any]] = []
    if kind == 1:
        values: dict[str, Any] = {}
        for entry in as_list(panel.get("valueMaps")):
            entry = as_dict(entry)
            if entry.get("value") is None:
                continue
            if entry["value"] == "null":
                out.append({"type": "special", "options": {"match": "null", "result": {"text": entry.get("text")}}})
            else:
                values[str(entry["value"])] = {"text": entry.get("text")}
        if values:
            out.insert(0, {"type": "value", "options": values})
    elif kind == 2:
        for entry in as_list(panel.get("rangeMaps")):
            entry = as_dict(entry)
            out.append({"type": "range", "options": {"from": _number(entry.get("from")), "to": _number(entry.get("to")),
                                                     "result": {"text": entry.get("text")}}})
    return out


def singlestat_to_stat(panel: dict[str, Any]) -> tuple[dict[str, Any], str]:
    gauge = as_dict(panel.get("gauge"))
    value_name = panel.get("valueName")
    reduce: dict[str, Any] = {"calcs": [REDUCERS.get(value_name, "mean")] if isinstance(value_name, str)
                              else ["mean"]}
    if isinstance(panel.get("tableColumn"), str) and panel["tableColumn"]:
        reduce["fields"] = f"/^{panel['tableColumn']}$/"
    options: dict[str, Any] = {"reduceOptions": reduce, "orientation": "horizontal"}
    old_config = as_dict(panel.get("fieldConfig"))
    defaults = dict(as_dict(old_config.get("defaults")))
    if isinstance(panel.get("format"), str) and panel["format"]:
        defaults["unit"] = panel["format"]
    if panel.get("nullText"):
        defaults["noValue"] = panel["nullText"]
    if _number(panel.get("decimals")) is not None:
        defaults["decimals"] = _number(panel["decimals"])
    thresholds = _singlestat_thresholds(panel)
    if thresholds is not None:
        defaults["thresholds"] = thresholds
    mappings = _value_mappings(panel)
    if mappings:
        defaults["mappings"] = mappings
    if gauge.get("show"):
        defaults.update(_without_none({"min": _number(gauge.get("minValue")), "max": _number(gauge.get("maxValue"))}))
        options.update(_without_none({"showThresholdMarkers": gauge.get("thresholdMarkers"),
                                      "showThresholdLabels": gauge.get("thresholdLabels")}))
        new_type = "gauge"
    else:
        sparkline = as_dict(panel.get("sparkline"))
        options["graphMode"] = "area" if sparkline.get("show") else "none"
        if panel.get("colorBackground"):
            options["colorMode"] = "background"
        elif panel.get("colorValue"):
            options["colorMode"] = "value"
        else:
            options["colorMode"] = "none"
            if sparkline.get("lineColor") and options["graphMode"] == "area":
                defaults["color"] = {"fixedColor": sparkline["lineColor"], "mode": "fixed"}
        if value_name == "name":
            options["textMode"] = "name"
        new_type = "stat"
    dropped = [f"{key} {panel[key]!r}" for key in ("prefix", "postfix") if isinstance(panel.get(key), str)
               and panel[key].strip()]
    note = f" ({' and '.join(dropped)} dropped: {new_type} panels have none; a unit can say it)" if dropped else ""
    if new_type == "gauge":
        note = " (its gauge was shown)" + note
    fixed = {"type": new_type, "fieldConfig": {"defaults": defaults, "overrides": list(as_list(
        old_config.get("overrides")))}, "options": options}
    return _replace_plugin(panel, fixed), note


# ---- old table → table -------------------------------------------------------------------------------------------
def _table_thresholds(style: dict[str, Any]) -> dict[str, Any] | None:
    levels, colors = [_number(t) for t in as_list(style.get("thresholds"))], as_list(style.get("colors"))
    if not levels or not colors or any(level is None for level in levels):
        return None
    return {"mode": "absolute", "steps": [{"color": colors[index], "value": None if index == 0 else levels[index - 1]}
                                          for index in range(min(len(levels) + 1, len(colors)))]}


def _style_override(style: dict[str, Any]) -> dict[str, Any] | None:
    pattern = style.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        return None
    props: list[dict[str, Any]] = []
    if style.get("alias"):
        props.append({"id": "displayName", "value": style["alias"]})
    if style.get("unit") and style.get("type") != "date":
        props.append({"id": "unit", "value": style["unit"]})
    if style.get("decimals"):
        props.append({"id": "decimals", "value": style["decimals"]})
    if style.get("type") == "date":
        props.append({"id": "unit", "value": f"time: {style.get('dateFormat') or 'YYYY-MM-DD HH:mm:ss'}"})
    if style.get("type") == "hidden":
        props.append({"id": "custom.hidden", "value": True})
    if style.get("link"):
        props.append({"id": "links", "value": [{"targetBlank": bool(style.get("linkTargetBlank", False)),
                                                "title": style.get("linkTooltip") or "",
                                                "url": style.get("linkUrl") or ""}]})
    if style.get("colorMode") in TABLE_COLOR_MODES:
        props.append({"id": "custom.cellOptions", "value": {"type": TABLE_COLOR_MODES[style["colorMode"]]}})
    if style.get("align") not in (None, "", "auto"):
        props.append({"id": "custom.align", "value": style["align"]})
    thresholds = _table_thresholds(style)
    if thresholds is not None:
        props.append({"id": "thresholds", "value": thresholds})
    if not props:
        return None
    regex = len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/")
    return {"matcher": {"id": "byRegexp" if regex else "byName", "options": pattern}, "properties": props}


def _table_defaults(style: dict[str, Any] | None) -> dict[str, Any]:
    if style is None:
        return {"custom": {}}
    custom: dict[str, Any] = {}
    if style.get("align") not in (None, "", "auto"):
        custom["align"] = style["align"]
    if style.get("colorMode") in TABLE_COLOR_MODES:
        custom["cellOptions"] = {"type": TABLE_COLOR_MODES[style["colorMode"]]}
    defaults = _without_none({"unit": style.get("unit") or None, "decimals": _number(style.get("decimals")),
                              "displayName": style.get("alias") or None, "custom": custom})
    thresholds = _table_thresholds(style)
    if thresholds is not None:
        defaults["thresholds"] = thresholds
    return defaults


def old_table_to_table(panel: dict[str, Any]) -> tuple[dict[str, Any], str]:
    styles = [s for s in as_list(panel.get("styles")) if isinstance(s, dict)]
    transformations = list(as_list(panel.get("transformations")))
    transform = panel.get("transform")
    if transform in TABLE_TRANSFORMS:
        step: dict[str, Any] = {"reducers": []}
        if transform == "timeseries_aggregations":
            columns = [as_dict(c).get("value") for c in as_list(panel.get("columns"))]
            step = {"includeTimeField": False, "reducers": [REDUCERS.get(c, c) for c in columns if isinstance(c, str)]}
        transformations.append({"id": TABLE_TRANSFORMS[transform], "options": step})
    default_style = next((s for s in styles if s.get("pattern") == "/.*/"), None)
    overrides = list(as_list(as_dict(panel.get("fieldConfig")).get("overrides")))
    overrides += [rule for rule in (_style_override(s) for s in styles if s is not default_style) if rule is not None]
    options: dict[str, Any] = {"showHeader": panel.get("showHeader") is not False}
    fixed: dict[str, Any] = {"type": "table", "fieldConfig": {"defaults": _table_defaults(default_style),
                                                              "overrides": overrides}, "options": options}
    if transformations:
        fixed["transformations"] = transformations
    notes = []
    if transform not in (None, "", *TABLE_TRANSFORMS):
        notes.append(f"its transform {transform!r} has no transformation: check the columns")
    if as_dict(panel.get("sort")).get("col") is not None:
        notes.append("its sort by column number is not carried: sort it in Grafana")
    return _replace_plugin(panel, fixed), f" ({'; '.join(notes)})" if notes else ""


def _replace_plugin(panel: dict[str, Any], fixed: dict[str, Any], keep: set[str] = frozenset()) -> dict[str, Any]:
    """The panel with the old plugin's options dropped and the new type, fieldConfig and options in their place
    (their keys in alphabetical order too when the panel keeps its keys so)."""
    if sorted_keys(panel):
        fixed = {key: sorted_deep(value) for key, value in fixed.items()}
    return rebuilt(panel, fixed, drop={key for key in panel if key not in PANEL_KEYS and key not in keep})


MIGRATIONS: dict[str, Callable[[dict[str, Any]], tuple[dict[str, Any], str]]] = {
    "graph": graph_to_timeseries,
    "singlestat": singlestat_to_stat,
    "grafana-singlestat-panel": singlestat_to_stat,
    "table-old": old_table_to_table,
    "table": old_table_to_table,  # with styles, in a dashboard older than schemaVersion 24 (DK108)
}


@fixes("DK105", "DK108")
def migrate_panel(doc: Document, findings: list[Finding], ctx: FixContext) -> Iterator[Outcome]:
    done: set[int] = set()
    for finding in findings:
        where = local_path(doc, finding.location)
        panel_path = owner_path(owner_path(where, "type"), "styles")
        panel = resolve(doc.data, panel_path)
        if not isinstance(panel, dict) or id(panel) in done:
            continue
        kind = panel_type(panel)
        location = doc.where(panel_path)
        if panel.get("libraryPanel"):
            yield Left(finding.code, location, "a library panel: migrate it in the library, where its model lives")
            continue
        if kind not in MIGRATIONS:
            yield Left(finding.code, location, f"no mechanical migration for a {kind} panel: convert it by hand")
            continue
        new_panel, note = MIGRATIONS[kind](panel)
        replace_in_place(panel, new_panel)
        done.add(id(panel))
        shown = "table (styles)" if kind == "table" else kind
        yield Fixed(finding.code, location, f"{shown} → {new_panel['type']}{note}")

