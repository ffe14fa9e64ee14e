"""Panel builders: validated at the call, modern Grafana JSON, logical datasources, an escape hatch."""

import pytest

from dashkit.builders import (
    BuilderError,
    Datasource,
    Query,
    alert_list,
    bar_gauge,
    gauge,
    heatmap,
    logs,
    stat,
    table,
    text,
    timeseries,
    traces,
)
from dashkit.project_context import loading_project


def test_timeseries_shape():
    panel = timeseries("Requests", "Requests per second.", "reqps", [Query("sum(rate(x[5m]))", legend="{{route}}"),
                                                                     "sum(up)"], steps=[(1, "red")])
    assert panel["type"] == "timeseries"
    assert panel["datasource"] == {"type": "prometheus", "uid": "@prometheus"}
    assert [t["refId"] for t in panel["targets"]] == ["A", "B"]
    assert panel["targets"][0]["legendFormat"] == "{{route}}"
    assert panel["fieldConfig"]["defaults"]["unit"] == "reqps"
    assert panel["fieldConfig"]["defaults"]["thresholds"]["steps"] == [{"color": "green", "value": None},
                                                                       {"color": "red", "value": 1}]
    assert panel["gridPos"]["w"] == 12


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: timeseries("T", "d", "secs", "up"), "unknown unit 'secs'; did you mean 's'?"),
        (lambda: timeseries("", "d", "s", "up"), "title must be a non-empty string"),
        (lambda: stat("T", "", "s", "up"), "description of panel 'T'"),
        (lambda: gauge("T", "d", "s", "up", width=-3), "width must be 1-24"),
        (lambda: timeseries("T", "d", "s", "up", datasource="graphite"), "unknown logical datasource 'graphite'"),
        (lambda: timeseries("T", "d", "s", []), "at least one query"),
        (lambda: stat("T", "d", "s", "up", steps=[(5, "red"), (1, "orange")]), "must increase"),
        (lambda: stat("T", "d", "s", "up", reduce="median"), "reduce must be one of"),
        (lambda: logs("T", "d", "{a=\"b\"}", flavor="splunk"), "loki' or 'elasticsearch"),
    ],
)
def test_bad_arguments_raise_at_the_call(call, message):
    with pytest.raises(BuilderError) as info:
        call()
    assert message in str(info.value)


def test_datasource_names_come_from_the_project_when_loading_one():
    with loading_project({"metrics", "logs"}):
        assert timeseries("T", "d", "s", "up", datasource="metrics")["datasource"]["uid"] == "@metrics"
        with pytest.raises(BuilderError, match=r"dashkit\.yaml maps: logs, metrics"):
            timeseries("T", "d", "s", "up")  # the default 'prometheus' is not mapped in this project


def test_datasource_variable_reference():
    panel = timeseries("T", "d", "s", "up", datasource="${datasource}")
    assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    assert panel["targets"][0]["datasource"] == panel["datasource"]


def test_extra_is_deep_merged_last():
    panel = timeseries("T", "d", "s", "up", extra={"fieldConfig": {"defaults": {"decimals": 2}}, "transparent": True})
    assert panel["fieldConfig"]["defaults"]["decimals"] == 2
    assert panel["fieldConfig"]["defaults"]["unit"] == "s"
    assert panel["transparent"] is True


def test_every_panel_kind():
    panels = [
        stat("S", "d", "percentunit", "up"),
        gauge("G", "d", "percentunit", "up"),
        bar_gauge("B", "d", "reqps", "up"),
        table("T", "d", "short", ["up", "sum(up)"]),
        heatmap("H", "d", "sum by (le) (rate(x_bucket[$__rate_interval]))"),
        text("Txt", "# Hello"),
        logs("L", "d", '{service_name="api"}'),
        logs("ES", "d", 'service.name:"api"', datasource=Datasource("elasticsearch", "elasticsearch"),
             flavor="elasticsearch"),
        traces("Tr", "d", '{resource.service.name="api"}'),
        traces("J", "d", "api", datasource="jaeger", flavor="jaeger"),
        alert_list("A", "d", labels={"service": "api"}),
    ]
    assert [p["type"] for p in panels] == ["stat", "gauge", "bargauge", "table", "heatmap", "text", "logs", "logs",
                                           "table", "table", "alertlist"]
    assert panels[3]["targets"][0]["instant"] is True and panels[3]["transformations"][0]["id"] == "merge"
    assert panels[4]["targets"][0]["format"] == "heatmap"
    assert panels[7]["targets"][0]["query"] == 'service.name:"api"'
    assert panels[8]["targets"][0]["queryType"] == "traceql"
    assert panels[10]["options"]["alertInstanceLabelFilter"] == '{service="api"}'
    for panel in panels:
        assert panel["title"] and panel["description"]
