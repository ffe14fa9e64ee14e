"""The code generator writes readable modules that rebuild exactly the JSON they came from, within 120 columns."""

import itertools
import json
import keyword
import math
import unicodedata

import pytest

from dashkit.importer.codegen import module_name, module_source, render_literal
from dashkit.importer.fidelity import check
from dashkit.normalize import plain_json


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def assert_fits(source: str) -> None:
    too_long = [line for line in source.splitlines() if columns(line) > 120]
    assert not too_long, too_long[:3]


def roundtrip(value, indent: int = 0):
    text = render_literal(value, indent)
    assert_fits(" " * indent + text)
    return eval(text), text


PROMQL = ('sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{cluster="$cluster", namespace="$namespace",'
          ' pod=~"$pod", container!="", image!=""}[$__rate_interval])) / on (namespace, pod) group_left '
          'sum by (namespace, pod) (kube_pod_container_resource_requests{resource="cpu"})')


@pytest.mark.parametrize("text", [
    PROMQL,
    "x" * 400,  # no break point at all
    "# Title\n\nSome *markdown* with a [link](https://example.com/a/very/long/path?with=query&and=more).\n" * 6,
    "\\n is not a newline, \\\\ is two backslashes, \t tab, \x00 nul, \u2028 line separator, \ufeff bom " * 5,
    "double \" and single ' quotes, 'both' \"mixed\" " * 8,
    "日本語のダッシュボード、監視パネルの説明文です。" * 10,  # wide characters count two columns
    "emoji 🚀🔥 and accents é ü ñ " * 10,
    "\ud800 lone surrogate " * 12,
])
def test_long_strings_split_within_120_columns_and_rejoin_equal(text):
    for indent in (0, 8, 40):
        value, source = roundtrip({"content": text}, indent)
        assert value == {"content": text}
        assert source.count("\n") > 2  # actually split


def test_long_strings_break_at_spaces_and_after_newlines():
    _, source = roundtrip(PROMQL)
    pieces = [line.strip()[1:-1] for line in source.splitlines()[1:-1]]
    assert len(pieces) == 3 and all(piece.endswith(" ") for piece in pieces[:-1])
    label_matchers = "x" * 60 + "".join(f'{{label_{i}="value_{i}"}}' for i in range(8))  # no space to break at
    _, source = roundtrip(label_matchers)
    pieces = [line.strip()[1:-1] for line in source.splitlines()[1:-1]]
    assert all(a[-1] in ",}" or b[0] == "{" for a, b in itertools.pairwise(pieces))  # between tokens, not in a word
    markdown = "line one\nline two\nline three " + "word " * 30
    _, source = roundtrip(markdown)
    assert source.splitlines()[1:3] == ['    "line one\\n"', '    "line two\\n"']


def test_an_escape_sequence_is_never_cut():
    text = "\\" * 300 + "\x01" * 100
    value, source = roundtrip(text)
    assert value == text
    assert all(line.strip() in ("(", ")") or line.strip().startswith('"') for line in source.splitlines())


@pytest.mark.parametrize("number", [0.1, 1.0, -0.0, 1e-7, 1e300, 5e-324, 2.5e16, 1 / 3, 10**30, -7, True, False])
def test_numbers_round_trip_exactly_with_their_type(number):
    value, _ = roundtrip([number])
    assert type(value[0]) is type(number) and value[0] == number
    assert math.copysign(1, value[0]) == math.copysign(1, number)


def test_nan_and_infinity_are_written_as_float_calls():
    value, text = roundtrip([float("inf"), float("-inf"), float("nan")])
    assert value[:2] == [float("inf"), float("-inf")] and math.isnan(value[2])
    assert text == '[float("inf"), -float("inf"), float("nan")]'


def test_short_collections_stay_on_one_line_long_ones_get_trailing_commas():
    assert render_literal({"a": [1, 2], "b": None, "c": {}}) == '{"a": [1, 2], "b": None, "c": {}}'
    nested = {"level1": {"level2": [{"key": f"value {i}", "n": i} for i in range(8)]}, "tail": "x"}
    value, source = roundtrip(nested)
    assert value == nested
    assert source.splitlines()[:3] == ["{", '    "level1": {', '        "level2": [']
    assert '            {"key": "value 0", "n": 0},' in source.splitlines()
    assert source.endswith('    "tail": "x",\n}')


def test_a_key_longer_than_a_line_is_split_too():
    value, _ = roundtrip({"k" * 150: 1, "short": {"x" * 130: [1, 2]}})
    assert value == {"k" * 150: 1, "short": {"x" * 130: [1, 2]}}


def test_output_is_deterministic_and_keeps_key_order():
    value = {"z": 1, "a": [3, 2, 1], "m": {"y": PROMQL, "b": 2}}
    assert render_literal(value) == render_literal(json.loads(json.dumps(value)))
    assert list(eval(render_literal(value))) == ["z", "a", "m"]


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
