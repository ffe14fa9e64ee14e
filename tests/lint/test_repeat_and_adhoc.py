"""DK126 and DK127: variables that panels and filters depend on: a repeat by a variable that does not exist, and
ad-hoc filters pinned to one datasource."""

from __future__ import annotations

from dashkit.lint.config import LintConfig
from dashkit.lint.model import DocKind, Document
from dashkit.lint.runner import lint


def _findings(data: dict, code: str) -> list[str]:
    doc = Document(DocKind.DASHBOARD, data, "d.json", label="D")
    return [f"{f.location}: {f.message}" for f in lint([doc], LintConfig(select={code}))]


def _variables(*names: str) -> dict:
    return {"list": [{"type": "query", "name": name, "query": f"label_values(up, {name.lower()})"} for name in names]}


def test_a_panel_repeated_by_a_variable_spelt_in_another_case_is_reported_with_the_right_name():
    data = {"uid": "d", "title": "D", "templating": _variables("Path"),
            "panels": [{"id": 1, "type": "timeseries", "title": "Latency $Path", "repeat": "path"}]}
    assert _findings(data, "DK126") == ["panels[0].repeat: panel 'Latency $Path' repeats by 'path', which is not a "
                                        "variable of this dashboard; did you mean 'Path'?"]


def test_rows_collapsed_rows_and_legacy_rows_are_checked():
    data = {"uid": "d", "title": "D", "templating": _variables("namespace"), "panels": [
        {"id": 1, "type": "row", "title": "Cluster $cluster", "repeat": "cluster", "collapsed": True, "panels": [
            {"id": 2, "type": "timeseries", "title": "Pods", "repeat": "$namespace"}]}],
        "rows": [{"title": "Nodes", "repeat": "node", "panels": []}]}
    assert _findings(data, "DK126") == [
        "panels[0].panels[0].repeat: panel 'Pods' repeats by '$namespace', which is not a variable of this "
        "dashboard; write the name without '$': 'namespace'",
        "panels[0].repeat: row 'Cluster $cluster' repeats by 'cluster', which is not a variable of this dashboard",
        "rows[0].repeat: row 'Nodes' repeats by 'node', which is not a variable of this dashboard"]


def test_repeats_by_defined_variables_and_empty_repeats_are_quiet():
    data = {"uid": "d", "title": "D", "templating": _variables("cluster"), "panels": [
        {"id": 1, "type": "row", "title": "$cluster", "repeat": "cluster", "panels": []},
        {"id": 2, "type": "timeseries", "title": "Pods", "repeat": ""},
        {"id": 3, "type": "timeseries", "title": "Nodes", "repeat": None}]}
    assert _findings(data, "DK126") == []


def _adhoc(datasource: object) -> dict:
    return {"uid": "d", "title": "D", "panels": [], "templating": {"list": [
        {"type": "datasource", "name": "datasource", "query": "prometheus"},
        {"type": "adhoc", "name": "Filters", "datasource": datasource}]}}


def test_an_adhoc_filter_pinned_to_a_uid_or_name_is_reported():
    assert _findings(_adhoc({"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}), "DK127") == [
        "templating.list[1].datasource: ad-hoc filter variable 'Filters' is pinned to datasource 'P1809F7CD0C75ACF3'"]
    assert len(_findings(_adhoc("Prometheus"), "DK127")) == 1


def test_an_adhoc_filter_on_a_variable_a_logical_name_or_the_default_is_quiet():
    for datasource in ({"type": "prometheus", "uid": "${datasource}"}, {"uid": "$datasource"},
                       {"uid": "@prometheus"}, None, {"type": "prometheus"}, "${DS_PROMETHEUS}"):
        assert _findings(_adhoc(datasource), "DK127") == [], datasource
