"""grafanalib interop: builder panels inside grafanalib dashboards (numbered by auto_panel_ids, written by its
encoder as modern panel JSON) while staying plain dicts for dashkit; grafanalib alert groups as dashkit rule groups."""

import copy
import io
import json
import pickle
import subprocess
import sys

import attr
import pytest
from grafanalib import core as g
from grafanalib._gen import DashboardEncoder, write_dashboard

from dashkit.builders import BuilderError, Row, dashboard, layout, service_dashboard, stat, timeseries
from dashkit.builders.alerts import prometheus_expression
from dashkit.builders.grafanalib_compat import grafanalib_rule_group
from dashkit.project_context import loading_project

ERRORS = 'sum(rate(http_requests_total{status_code=~"5.."}[$__rate_interval]))'


def _encoded(board: g.Dashboard) -> dict:
    return json.loads(json.dumps(board.to_json_data(), cls=DashboardEncoder))


def _rate() -> dict:
    return timeseries("Error rate", "5xx per second.", "reqps", ERRORS)


def _errors() -> dict:
    return stat("Errors", "5xx per second now.", "reqps", ERRORS)


def test_a_grafanalib_dashboard_numbers_builder_panels_with_its_own():
    grafanalib_panel = g.TimeSeries(title="Latency", targets=[g.Target(expr="up", refId="A")],
                                    gridPos=g.GridPos(h=8, w=12, x=0, y=8))
    board = g.Dashboard(title="Mixed", panels=[_rate(), _errors(), grafanalib_panel]).auto_panel_ids()
    panels = _encoded(board)["panels"]
    assert [p["id"] for p in panels] == [1, 2, 3]
    assert panels[0] == {**_rate(), "id": 1}  # the builder's modern JSON, as it is, with grafanalib's id
    assert panels[1] == {**_errors(), "id": 2}
    assert panels[0]["fieldConfig"]["defaults"]["unit"] == "reqps" and "legend" in panels[0]["options"]
    assert panels[2]["title"] == "Latency" and panels[2]["type"] == "timeseries"
    written = io.StringIO()
    write_dashboard(board, written)  # grafanalib's own writer: sorted keys, indented
    assert json.loads(written.getvalue())["panels"] == panels


def test_ids_builders_or_layout_set_are_kept_and_the_rest_numbered_around_them():
    pinned = timeseries("Pinned", "Has its own id.", "short", "up", extra={"id": 2})
    board = g.Dashboard(title="Ids", panels=[_rate(), pinned, g.Stat(title="Up")]).auto_panel_ids()
    assert [p["id"] for p in _encoded(board)["panels"]] == [1, 2, 3]

    placed = layout([Row("Signals", [_rate(), g.Stat(title="Up", targets=[g.Target(expr="up", refId="A")])]),
                     Row("More", [_errors()], collapsed=True)])
    board = g.Dashboard(title="Laid out", panels=[*placed, g.TimeSeries(title="Extra")]).auto_panel_ids()
    panels = _encoded(board)["panels"]
    assert [(p["type"], p["id"]) for p in panels] == [("row", 1), ("timeseries", 2), ("stat", 3), ("row", 4),
                                                      ("timeseries", 6)]
    assert [p["id"] for p in panels[3]["panels"]] == [5]
    assert panels[1]["gridPos"] == {"h": 8, "w": 12, "x": 0, "y": 1}  # placed by layout, kept by grafanalib


def test_a_service_dashboards_panels_go_into_a_grafanalib_dashboard_as_they_are():
    panels = service_dashboard("checkout", traces_datasource=None, logs_datasource=None)["panels"]
    board = g.Dashboard(title="Checkout", panels=panels).auto_panel_ids()
    assert _encoded(board)["panels"] == json.loads(json.dumps(panels))


def test_grafanalib_rows_hold_builder_panels():
    collapsed = g.RowPanel(title="Details", collapsed=True, panels=[_rate()])
    board = g.Dashboard(title="Rows", panels=[collapsed, _errors()]).auto_panel_ids()
    panels = _encoded(board)["panels"]
    assert [(p["type"], p["id"]) for p in panels] == [("row", 1), ("stat", 3)]
    assert panels[0]["panels"] == [{**_rate(), "id": 2}]

    legacy = g.Dashboard(title="Legacy", rows=[g.Row(panels=[_rate(), _errors()])]).auto_panel_ids()
    inner = _encoded(legacy)["rows"][0]["panels"]
    assert [(p["id"], p["span"]) for p in inner] == [(1, 6), (2, 6)]  # balanced like grafanalib's own panels


def test_a_builder_result_stays_a_plain_dict_of_panel_json():
    panel = timeseries("Error rate", "5xx per second.", "reqps", ERRORS, extra={"options": {"legend": {
        "showLegend": False}}, "fieldConfig": {"defaults": {"min": 0}}})
    plain = json.loads(json.dumps(panel))
    assert isinstance(panel, dict) and panel == plain and repr(panel) == repr(plain)
    assert panel["options"]["legend"] == {"displayMode": "list", "placement": "bottom", "showLegend": False,
                                          "calcs": []}  # extra= deep-merged
    assert panel["fieldConfig"]["defaults"]["unit"] == "reqps" and panel["fieldConfig"]["defaults"]["min"] == 0
    for copied in (copy.copy(panel), copy.deepcopy(panel), pickle.loads(pickle.dumps(panel))):
        assert copied == panel and type(copied) is type(panel)
    renamed = attr.evolve(panel, title="5xx rate")
    assert renamed == {**plain, "title": "5xx rate"} and panel["title"] == "Error rate"
    assert panel.to_json_data() == plain
    board = dashboard("Checkout", [panel, g.TimeSeries(title="Latency")])
    assert [(p["id"], p["title"]) for p in board["panels"]] == [(1, "Error rate"), (2, "Latency")]
    assert panel.get("id") is None  # layout placed a copy


def test_a_dashkit_row_in_a_grafanalib_dashboard_says_to_use_layout():
    board = g.Dashboard(title="Rows", panels=[Row("Signals", [_rate()])])
    with pytest.raises(AttributeError, match=r"only through layout\(\).*panels=layout"):
        board.auto_panel_ids()
    with pytest.raises(BuilderError, match=r"only through layout\(\)"):
        json.dumps(board.to_json_data(), cls=DashboardEncoder)


def test_importing_the_builders_does_not_import_attrs():
    """Every dashkit command imports the builders; attrs is loaded only once grafanalib (or evolve) needs it."""
    code = "import sys, dashkit.builders; print(sorted({'attr', 'grafanalib'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


# ---- alert groups --------------------------------------------------------------------------------------------------
AVAILABILITY = 'sum(rate(http_requests_total{status_code!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'


def _rule(**fields) -> g.AlertRulev9:
    defaults = dict(
        title="AvailabilityLow",
        triggers=[g.Target(expr=AVAILABILITY, refId="A", datasource="@prometheus", instant=True),
                  g.AlertExpression(refId="B", expression="A", expressionType=g.EXP_TYPE_REDUCE,
                                    reduceFunction=g.EXP_REDUCER_FUNC_LAST),
                  g.AlertExpression(refId="C", expression="$B < 0.99", expressionType=g.EXP_TYPE_MATH)],
        condition="C", evaluateFor="600s", labels={"severity": "warning"}, annotations={"summary": "Low"},
        noDataAlertState=g.ALERTRULE_STATE_DATA_NODATA, errorAlertState=g.ALERTRULE_STATE_DATA_ERROR)
    return g.AlertRulev9(**{**defaults, **fields})


def test_an_alert_group_becomes_the_provisioning_rule_dashkit_writes():
    group = grafanalib_rule_group(g.AlertGroup(name="availability", rules=[_rule()], evaluateInterval="30s"))
    assert (group.name, group.interval, group.folder) == ("availability", "30s", None)  # folder: the module's
    (rule,) = group.rules
    assert rule.to_grafana() == {
        "title": "AvailabilityLow",
        "condition": "C",
        "data": [
            {"refId": "A", "queryType": "", "relativeTimeRange": {"from": 300, "to": 0}, "datasourceUid": "@prometheus",
             "model": {"expr": AVAILABILITY, "format": "time_series", "hide": False, "intervalFactor": 2, "step": 10,
                       "instant": True, "datasource": "@prometheus", "refId": "A"}},
            {"refId": "B", "queryType": "", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "__expr__",
             "model": {"type": "reduce", "expression": "A", "reducer": "last",
                       "datasource": {"type": "__expr__", "uid": "__expr__"}, "refId": "B"}},
            {"refId": "C", "queryType": "", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "__expr__",
             "model": {"type": "math", "expression": "$B < 0.99",
                       "datasource": {"type": "__expr__", "uid": "__expr__"}, "refId": "C"}},
        ],
        "noDataState": "NoData",  # grafanalib's "No Data"
        "execErrState": "Error",
        "for": "10m",
        "labels": {"severity": "warning"},
        "annotations": {"summary": "Low"},
        "isPaused": False,
    }
    assert prometheus_expression(rule) == f"({AVAILABILITY}) < 0.99"  # so it also gets a Prometheus rule file


def test_what_grafanalib_writes_but_dashkit_carries_differently():
    expression = g.AlertExpression(refId="B", expression="A", expressionType=g.EXP_TYPE_REDUCE,
                                   reduceFunction=g.EXP_REDUCER_FUNC_MEAN, reduceMode=g.EXP_REDUCER_FUNC_REPLACE_NN,
                                   reduceReplaceWith=0, maxDataPoints=500)
    classic = g.AlertExpression(refId="C", expression="B", expressionType=g.EXP_TYPE_CLASSIC,
                                conditions=[g.AlertCondition(evaluator=g.GreaterThan(3), reducerType=g.RTYPE_MAX)])
    rule = _rule(triggers=[g.Target(expr="up", refId="A", datasource={"type": "prometheus", "uid": "prom-prod"}),
                           expression, classic],
                 timeRangeFrom=900, timeRangeTo=60, uid="availability-low", dashboard_uid="checkout", panel_id=4)
    (converted,) = grafanalib_rule_group(g.AlertGroup(name="a", rules=[rule], folder="Team/Checkout")).rules
    body = converted.to_grafana()
    query, reduce, condition = body["data"]
    assert query["datasourceUid"] == "prom-prod" and query["model"]["datasource"] == {"type": "prometheus",
                                                                                         "uid": "prom-prod"}
    assert query["relativeTimeRange"] == {"from": 900, "to": 60}
    assert reduce["model"] == {"type": "reduce", "expression": "A", "reducer": "mean",
                               "settings": {"mode": "replaceNN", "replaceWithValue": 0}, "maxDataPoints": 500,
                               "datasource": {"type": "__expr__", "uid": "__expr__"}, "refId": "B"}
    assert condition["model"]["conditions"] == [{
        "evaluator": {"type": "gt", "params": [3]}, "operator": {"type": "and"}, "query": {"params": ["B"]},
        "reducer": {"params": [], "type": "max"}, "type": "query"}]
    assert converted.uid == "availability-low"
    assert body["annotations"] == {"summary": "Low", "__dashboardUid__": "checkout", "__panelId__": "4"}
    assert grafanalib_rule_group(g.AlertGroup(name="a", rules=[rule], folder="Team/Checkout")).folder == \
        "Team/Checkout"


def test_only_a_prometheus_query_makes_a_prometheus_rule():
    concrete = _rule(triggers=[g.Target(expr="up", refId="A", datasource="prom-prod"),
                               g.AlertExpression(refId="C", expression="$A < 1", expressionType=g.EXP_TYPE_MATH)])
    (rule,) = grafanalib_rule_group(g.AlertGroup(name="a", rules=[concrete])).rules
    assert prometheus_expression(rule) is None  # a uid says nothing of the datasource's type
    typed = _rule(triggers=[g.Target(expr="up", refId="A", datasource={"type": "prometheus", "uid": "prom-prod"}),
                            g.AlertExpression(refId="C", expression="$A < 1", expressionType=g.EXP_TYPE_MATH)])
    (rule,) = grafanalib_rule_group(g.AlertGroup(name="a", rules=[typed])).rules
    assert prometheus_expression(rule) == "(up) < 1"


@pytest.mark.parametrize(("group", "message"), [
    (g.AlertGroup(name="a", rules=[g.AlertRulev8(title="Old", triggers=[])]), r"AlertRulev8 is not a Grafana 9\+ rule"),
    (g.AlertGroup(name="a", rules=[_rule(condition="D")]), "condition 'D' names no query"),
    (g.AlertGroup(name="a", rules=[_rule(triggers=[g.Target(expr="up", refId="A"), g.AlertExpression(
        refId="C", expression="$A > 1", expressionType=g.EXP_TYPE_MATH)])]), "query A needs a datasource"),
    (g.AlertGroup(name="a", rules=[_rule(triggers=[g.Target(expr="up", refId="A", datasource="@metrics"),
                                                   g.AlertExpression(refId="C", expression="$Z > 1",
                                                                     expressionType=g.EXP_TYPE_MATH)])]),
     "unknown logical datasource 'metrics'"),
    (g.AlertGroup(name="a", rules=[_rule(evaluateFor="ten minutes")]), "evaluateFor 'ten minutes' must be a duration"),
    (g.AlertGroup(name="a", rules=[_rule(triggers=[g.Target(expr="up", refId="A", datasource=object())])]),
     r"alert rule 'AvailabilityLow': to_json_data\(\) failed: TypeError"),
    (g.AlertGroup(name="a", rules=[_rule(labels={"severity": 1})]), "label severity must be a string"),
    (g.AlertGroup(name="a", rules=[_rule()], evaluateInterval="15s"), "must be a positive multiple of 10s"),
    (g.AlertGroup(name="a", rules=[_rule(), _rule()]), "two rules titled 'AvailabilityLow'"),
])
def test_a_group_grafana_would_refuse_fails_where_it_is_converted(group, message):
    with loading_project(["prometheus"]), pytest.raises(BuilderError, match=message):
        grafanalib_rule_group(group)
