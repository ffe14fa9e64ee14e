"""DK105 and DK108 fixed: graph, singlestat and the old table become timeseries, stat (or gauge) and table, with
their common options carried over the way Grafana migrates them on load; queries are kept exactly."""

import copy

from dashkit.lint.fix.panels_migration import migrate_panel
from dashkit.lint.fix.registry import Fixed, Left
from dashkit.lint.rules._examples import dashboard

from .helpers import findings, run_fixer

TARGETS = [{"expr": 'sum by (mode) (rate(node_cpu_seconds_total{mode!="idle"}[$__rate_interval]))',
            "legendFormat": "{{mode}}", "refId": "A"}]

# rfmoz node-exporter-full, cut down: a stacked graph with colours, overrides, a right axis and thresholds.
GRAPH = {
    "aliasColors": {"idle": "#052B51"}, "bars": False, "dashLength": 10, "dashes": False, "datasource": "$ds",
    "fill": 4, "id": 77, "legend": {"alignAsTable": True, "avg": True, "current": True, "max": False, "rightSide": True,
                                    "show": True, "values": True},
    "lines": True, "linewidth": 1, "links": [], "nullPointMode": "null", "percentage": False, "pointradius": 5,
    "points": False, "renderer": "flot", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
    "seriesOverrides": [{"alias": "Busy Iowait", "color": "#890F02"}, {"alias": "/Receive/", "transform": "negative-Y"},
                        {"alias": "load", "yaxis": 2, "fill": 0, "linewidth": 2, "stack": False}],
    "spaceLength": 10, "stack": True, "steppedLine": False, "targets": TARGETS,
    "thresholds": [{"colorMode": "critical", "fill": True, "line": False, "op": "gt", "value": 90}],
    "title": "CPU Basic", "tooltip": {"shared": True, "sort": 0, "value_type": "individual"}, "type": "graph",
    "xaxis": {"mode": "time", "show": True}, "description": "Basic CPU info",
    "yaxes": [{"format": "percent", "label": "busy", "logBase": 1, "max": "100", "min": 0, "show": True,
               "decimals": 1},
              {"format": "short", "logBase": 1, "show": True}],
}


def _migrated(panel: dict, code: str = "DK105", **dashboard_fields) -> tuple[dict, list]:
    data = dashboard(copy.deepcopy(panel), **dashboard_fields)
    outcomes = run_fixer(migrate_panel, data, "DK105", "DK108")
    assert findings(data, code) == []
    return data["panels"][0], outcomes


def test_a_graph_becomes_a_timeseries_with_its_axis_legend_and_overrides():
    fixed, outcomes = _migrated(GRAPH)
    assert outcomes == [Fixed("DK105", "panels[0]", "graph → timeseries")]
    assert fixed["targets"] == TARGETS and fixed["datasource"] == "$ds" and fixed["gridPos"] == GRAPH["gridPos"]
    defaults = fixed["fieldConfig"]["defaults"]
    assert (defaults["unit"], defaults["min"], defaults["max"], defaults["decimals"]) == ("percent", 0, 100, 1)
    custom = defaults["custom"]
    assert custom["axisLabel"] == "busy" and custom["fillOpacity"] == 40 and custom["lineWidth"] == 1
    assert custom["stacking"] == {"mode": "normal", "group": "A"} and custom["showPoints"] == "never"
    assert defaults["thresholds"]["steps"] == [{"color": "transparent", "value": None}, {"color": "red", "value": 90}]
    assert custom["thresholdsStyle"] == {"mode": "area"}
    assert fixed["options"]["legend"] == {"calcs": ["mean", "lastNotNull"], "displayMode": "table",
                                          "placement": "right", "showLegend": True}
    overrides = {o["matcher"]["options"]: (o["matcher"]["id"], o["properties"])
                 for o in fixed["fieldConfig"]["overrides"]}
    assert overrides["idle"][1] == [{"id": "color", "value": {"fixedColor": "#052B51", "mode": "fixed"}}]
    assert overrides["/Receive/"] == ("byRegexp", [{"id": "custom.transform", "value": "negative-Y"}])
    load = dict((p["id"], p["value"]) for p in overrides["load"][1])
    assert load == {"unit": "short", "custom.axisPlacement": "right", "custom.fillOpacity": 0,
                    "custom.lineWidth": 2, "custom.stacking": {"mode": "none", "group": "A"}}
    assert not {"yaxes", "seriesOverrides", "aliasColors", "legend", "lines", "renderer"} & set(fixed)
    assert fixed["options"]["tooltip"] == {"mode": "multi", "sort": "none"}  # a shared tooltip shows every series


def test_a_graphs_tooltip_legend_width_and_hidden_time_axis_are_kept_as_grafana_migrates_them():
    graph = {**GRAPH, "tooltip": {"shared": True, "sort": 2}, "xaxis": {"mode": "time", "show": False},
             "legend": {**GRAPH["legend"], "sideWidth": 250}}
    fixed, _ = _migrated(graph)
    assert fixed["options"]["tooltip"] == {"mode": "multi", "sort": "desc"}
    assert fixed["options"]["legend"]["width"] == 250
    assert {"matcher": {"id": "byType", "options": "time"},
            "properties": [{"id": "custom.axisPlacement", "value": "hidden"}]} in fixed["fieldConfig"]["overrides"]
    single, _ = _migrated({**GRAPH, "tooltip": {"shared": False, "sort": 1}})
    assert single["options"]["tooltip"] == {"mode": "single", "sort": "none"}


def test_a_singlestat_becomes_a_stat_with_unit_thresholds_calculation_and_sparkline():
    singlestat = {"colorBackground": False, "colorValue": True, "colors": ["green", "orange", "red"],
                  "datasource": "$ds", "format": "percent", "id": 2, "mappingType": 1, "prefix": "~",
                  "sparkline": {"show": True}, "targets": TARGETS, "thresholds": "80,90", "title": "Used",
                  "type": "singlestat", "valueMaps": [{"op": "=", "text": "N/A", "value": "null"}],
                  "valueName": "current", "gridPos": {"h": 4, "w": 4, "x": 0, "y": 0}}
    fixed, [outcome] = _migrated(singlestat)
    assert outcome.what == "singlestat → stat (prefix '~' dropped: stat panels have none; a unit can say it)"
    assert fixed["type"] == "stat" and fixed["targets"] == TARGETS
    defaults = fixed["fieldConfig"]["defaults"]
    assert defaults["unit"] == "percent"
    assert defaults["thresholds"]["steps"] == [{"color": "green", "value": None}, {"color": "orange", "value": 80},
                                               {"color": "red", "value": 90}]
    assert defaults["mappings"] == [{"type": "special", "options": {"match": "null", "result": {"text": "N/A"}}}]
    assert fixed["options"]["reduceOptions"] == {"calcs": ["lastNotNull"]}
    assert (fixed["options"]["graphMode"], fixed["options"]["colorMode"]) == ("area", "value")


def test_a_singlestat_showing_its_gauge_becomes_a_gauge():
    singlestat = {"format": "percent", "gauge": {"show": True, "minValue": 0, "maxValue": 100,
                                                 "thresholdMarkers": True, "thresholdLabels": False},
                  "id": 2, "targets": TARGETS, "title": "Used", "type": "singlestat", "valueName": "avg",
                  "gridPos": {"h": 4, "w": 4, "x": 0, "y": 0}}
    fixed, [outcome] = _migrated(singlestat)
    assert outcome.what == "singlestat → gauge (its gauge was shown)"
    assert (fixed["fieldConfig"]["defaults"]["min"], fixed["fieldConfig"]["defaults"]["max"]) == (0, 100)
    assert fixed["options"]["showThresholdMarkers"] is True and fixed["options"]["reduceOptions"]["calcs"] == ["mean"]


# kube-prometheus v0.8 k8s-resources-cluster.json: a table styled per column, in a schemaVersion 14 dashboard.
OLD_TABLE = {"id": 5, "type": "table", "title": "CPU Quota", "transform": "table", "gridPos": {"h": 7, "w": 24,
                                                                                              "x": 0, "y": 0},
             "styles": [{"alias": "Time", "pattern": "Time", "type": "hidden"},
                        {"alias": "Pods", "pattern": "Value #A", "type": "number", "unit": "short", "decimals": 0,
                         "link": True, "linkUrl": "/d/85a562078cdf77779eaa1add43ccec1e/k8s-resources-namespace",
                         "colorMode": None, "thresholds": []},
                        {"alias": "", "pattern": "/.*/", "type": "string", "unit": "short", "decimals": 2,
                         "thresholds": []}],
             "targets": [{"refId": "A", "expr": "sum(kube_pod_owner) by (namespace)", "format": "table",
                          "instant": True}]}


def test_an_old_table_becomes_a_table_with_its_styles_as_overrides():
    fixed, outcomes = _migrated(OLD_TABLE, code="DK108", schemaVersion=14)
    assert outcomes == [Fixed("DK108", "panels[0]", "table (styles) → table")]
    assert fixed["transformations"] == [{"id": "merge", "options": {"reducers": []}}]
    assert fixed["fieldConfig"]["defaults"] == {"unit": "short", "decimals": 2, "custom": {}}
    by_name = {o["matcher"]["options"]: o["properties"] for o in fixed["fieldConfig"]["overrides"]}
    assert by_name["Time"] == [{"id": "displayName", "value": "Time"}, {"id": "custom.hidden", "value": True}]
    assert by_name["Value #A"][:2] == [{"id": "displayName", "value": "Pods"}, {"id": "unit", "value": "short"}]
    assert by_name["Value #A"][2]["value"][0]["url"].startswith("/d/85a562078cdf77779eaa1add43ccec1e")
    assert "styles" not in fixed and fixed["targets"] == OLD_TABLE["targets"]


def test_a_library_panel_and_an_angular_plugin_are_left_with_why():
    library = {**GRAPH, "libraryPanel": {"uid": "cpu", "name": "CPU"}}
    _, [outcome] = run_and_keep(library)
    assert isinstance(outcome, Left) and "library" in outcome.why
    plugin = {"id": 3, "type": "grafana-piechart-panel", "title": "Pie", "targets": TARGETS,
              "gridPos": {"h": 4, "w": 4, "x": 0, "y": 0}}
    _, [outcome] = run_and_keep(plugin)
    assert outcome.why == "no mechanical migration for a grafana-piechart-panel panel: convert it by hand"


def run_and_keep(panel: dict) -> tuple[dict, list]:
    data = dashboard(copy.deepcopy(panel))
    outcomes = run_fixer(migrate_panel, data, "DK105")
    assert data["panels"][0] == panel
    return data["panels"][0], outcomes
