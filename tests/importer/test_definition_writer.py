"""The definition writer writes readable modules that rebuild exactly the dashboard they came from, within 120
columns, under file names that are safe Python module names."""

import json
import keyword

from dashkit.importer.definition_writer import module_name, module_source
from dashkit.importer.fidelity import check
from dashkit.normalize import plain_json

from .test_python_source import assert_fits


def test_module_names_are_unique_snake_case_identifiers():
    taken: set[str] = set()
    names = []
    for title in ["Node Exporter Full", "Node Exporter / Full", "node-exporter-full", "Kubernetes / API server"]:
        names.append(module_name(title, taken))
        taken.add(names[-1])
    assert names == ["node_exporter_full", "node_exporter_full_2", "node_exporter_full_3", "kubernetes_api_server"]
    assert module_name("1 Node", set()) == "dashboard_1_node"
    assert module_name("class", set()) == "class_dashboard"
    assert module_name("", set()) == module_name("监控 ✓", set()) == "dashboard"
    assert module_name("Überblick Café", set()) == "uberblick_cafe"
    assert module_name("_private __dunder", set()) == "private_dunder"  # a leading _ would hide it from discovery
    long = "A very long dashboard title " * 5
    first = module_name(long, set())
    second = module_name(long, {first})
    for name in (first, second):
        assert len(name) <= 60 and name.isidentifier() and not keyword.iskeyword(name)
    assert second != first and second.endswith("_2")


EDGE = {
    "__inputs": "dropped by adopt, not here",
    "id": 12,
    "version": 7,
    "dashkit": {"owner": "someone"},
    "title": "Edge \"cases\" \\ \"\"\" dashboard",
    "uid": "edge-cases",
    "tags": ["a", "dashkit:someone"],
    "weird-key": {"class": 1, "from": [1.0, 0.5, 2]},
    "class": "a keyword as a top-level key",
    "templating": {"list": [
        {"type": "query", "name": "job", "datasource": {"type": "prometheus", "uid": "@prometheus"},
         "query": 'label_values(up{job=~".+"}, job)', "refresh": 2},
        {"name": "no type"},
    ], "extra": True},
    "annotations": {"list": [{"builtIn": 1, "datasource": {"uid": "@loki"}, "enable": True, "name": "Annotations"}]},
    "panels": [
        {"type": "text", "title": "Above the rows", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 2},
         "options": {"content": "# Hello\n\n" + "Long *markdown* text. " * 20, "mode": "markdown"}},
        {"type": "row", "title": "I", "collapsed": False, "panels": [], "gridPos": {"x": 0, "y": 2, "w": 24, "h": 1}},
        {"type": "timeseries", "title": "Float grid", "gridPos": {"x": 0.5, "y": 3, "w": 12, "h": 8},
         "datasource": {"type": "", "uid": "@notype"}, "targets": [
             {"refId": "A", "expr": "up", "legendFormat": "{{instance}}", "datasource": {"uid": "@prometheus"}},
             {"expr": "no refId"}, {"refId": None, "expr": "null refId"}, {"ref_id": "x"}]},
        {"type": "stat", "title": None, "id": 40},
        {"title": "no type", "id": 41},
        {"type": "graph", "title": "grid key", "grid": {"x": 1}, "id": 42},
        {"type": "piechart", "id": 43, "datasource": "-- Mixed --", "$$hashKey": "object:1", "for": 1, "ñame": 2},
        {"type": "row", "title": "CPU", "collapsed": True, "gridPos": {"x": 0, "y": 11, "w": 24, "h": 1},
         "panels": [{"type": "gauge", "title": "Nested", "datasource": "@prometheus", "targets": []}]},
        {"type": "timeseries", "title": "After a collapsed row"},
        {"type": "row", "title": "CPU ", "collapsed": True, "panels": [{"type": "bargauge"}]},
        {"type": "row", "title": "CPU_ROW", "panels": None},
        {"type": "row", "title": "O"},
    ],
    "rows": [{"title": "Legacy", "showTitle": True, "panels": [{"type": "singlestat", "span": 6, "title": "Up"}]},
             {"title": "hidden", "showTitle": False, "panels": [{"type": "graph", "title": "Named after me"}]},
             {"title": "empty", "panels": []}],
    "nan": None,
    "": "empty key",
}


def _generate(project, name: str, dashboard: dict, **kwargs):
    source = module_source(dashboard, source="tests/edge.json", **kwargs)
    path = project.root / "dashboards" / "team" / f"{name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return source, path


def test_edge_cases_build_back_exactly_and_stay_readable(project):
    source, path = _generate(project, "edge", EDGE, notes=["dropped __inputs (import metadata)", "a note"])
    fidelity = check(path, project.root, EDGE)
    assert fidelity.identical, fidelity.differences
    namespace: dict = {}
    exec(compile(source, str(path), "exec"), namespace)
    expected = {k: v for k, v in EDGE.items() if k not in ("id", "version", "dashkit")}
    assert json.dumps(plain_json(namespace["dashboard"]), sort_keys=True) == json.dumps(expected, sort_keys=True)
    assert_fits(source)
    assert source.endswith(")\n") and not source.endswith("\n\n")
    assert source.startswith('"""Edge "cases" \\\\ "\\"\\" dashboard: imported by `dashkit import` from tests/edge')
    assert "- a note\n" in source and "builds back exactly the imported dashboard" in source
    assert "from dashkit.builders.exact import dashboard_json, ds, panel, row, target, variable\n" in source
    assert 'datasource=ds("prometheus", "prometheus")' in source and '"datasource": ds("loki")' in source
    assert 'datasource={"type": "", "uid": "@notype"}' in source and 'datasource="@prometheus"' in source
    assert '**{"weird-key": {"class": 1, "from": [1.0, 0.5, 2]}, "class": "a keyword as a top-level key"}' in source
    assert '**{"$$hashKey": "object:1", "for": 1, "ñame": 2}' in source
    assert "ABOVE_ROWS = [" in source and "ROW_I = [" in source and "CPU_ROW = row(" in source
    assert "CPU_2 = [" in source and "CPU_2_ROW = row(" in source and "ROW_O = [" in source
    assert 'PANELS = [\n    *ABOVE_ROWS,\n    *ROW_I,\n    CPU_ROW,\n    panel("timeseries", "After a' in source
    assert 'panel("row", "CPU_ROW", panels=None),' in source  # not a row() call: row() cannot write panels=None
    assert 'LEGACY = [panel("singlestat", "Up", span=6)]' in source and '"panels": LEGACY}' in source
    assert 'NAMED_AFTER_ME = [panel("graph", "Named after me")]' in source  # the row's title is hidden
    assert "grid=(0, 0, 24, 2)" in source and '"gridPos": {"x": 0.5' not in source  # literal gridPos= kwarg
    assert 'gridPos={"x": 0.5, "y": 3, "w": 12, "h": 8}' in source
    assert '"id": 12' not in source and "version=" not in source and "owner" not in source


def test_same_dashboard_same_bytes(project):
    assert module_source(EDGE, source="x") == module_source(json.loads(json.dumps(EDGE)), source="x")


def test_fidelity_names_what_an_edited_module_changes(project):
    source, path = _generate(project, "edited", EDGE)
    path.write_text(source.replace('"Float grid"', '"Float grid (edited)"').replace('expr="up"', 'expr="up == 1"'))
    fidelity = check(path, project.root, EDGE)
    assert not fidelity.identical
    assert fidelity.title == EDGE["title"]
    assert any("Float grid (edited)" in line and "title" in line for line in fidelity.differences)
    assert any("target A: expr" in line and '"up == 1"' in line for line in fidelity.differences)


def test_fidelity_reports_a_module_that_does_not_build(project):
    _, path = _generate(project, "broken", EDGE)
    path.write_text("dashboard = 1 / 0\n")
    fidelity = check(path, project.root, EDGE)
    assert not fidelity.identical
    assert fidelity.differences and "ZeroDivisionError" in fidelity.differences[0]
    path.write_text("panels = []\n")
    assert "defines no `dashboard`" in check(path, project.root, EDGE).differences[0]
