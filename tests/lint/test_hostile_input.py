"""`dashkit lint` on hostile input: alias bombs, deep nesting, huge dashboards, fields of the wrong type and
definitions that print all end as findings or clear errors, quickly, never as a crash."""

import copy
import json
import random
import textwrap
from pathlib import Path

import pytest

from conftest import CORPUS
from dashkit.lint import documents
from dashkit.lint.model import DocKind, Document, Severity
from dashkit.lint.registry import LintContext
from dashkit.lint.rules.dashboard_structure import PanelOverlap
from dashkit.lint.runner import lint


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_yaml_alias_bomb_is_a_finding_not_gigabytes(project, dashkit):
    lines = ["kind: List", "a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    lines += ["items:", "  - groups:", "      - name: lol", "        rules: [{alert: Lol, expr: *a8}]"]
    bomb = _write(project.root / "rules" / "bomb.yaml", "\n".join(lines) + "\n")
    assert bomb.stat().st_size < 1024
    result = dashkit("lint", "--format", "json", str(bomb))
    assert result.code == 1, result.text
    [finding] = json.loads(result.out)["findings"]
    assert finding["code"] == "DK001"
    assert "aliases expand to more than 100,000 nodes" in finding["message"]


_LEVELS = "\n".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9))


@pytest.mark.parametrize("linter_file", [
    f"a0: &a0 [{', '.join(['lol'] * 10)}]\n{_LEVELS}\nexclusions: *a8\n",
    "exclusions: [panel-title-description-rule]\n",
    "exclusions: {panel-title-description-rule: {entries: [7, {panel: [x]}]}}\nwarnings: 3\n",
    "- just a list\n",
], ids=["alias-bomb", "list-of-exclusions", "wrong-entries", "not-a-mapping"])
def test_a_hostile_dashboard_linter_file_is_ignored(project, dashkit, linter_file):
    board = {"uid": "b", "title": "B", "editable": False, "panels": []}
    path = _write(project.root / "boards" / "b.json", json.dumps(board))
    _write(path.parent / ".lint", linter_file)
    result = dashkit("lint", "--select", "DK101", str(path))
    assert result.code == 0, result.text


@pytest.mark.parametrize("depth", [150, 5000])
def test_deeply_nested_dashboard_json_is_a_finding_not_a_crash(project, dashkit, depth):
    nested = "[" * depth + "]" * depth
    path = _write(project.root / "deep.json", f'{{"uid": "deep", "title": "Deep", "panels": {nested}}}')
    result = dashkit("lint", str(path))
    assert result.code == 1, result.text
    assert "DK001" in result.out and "nests deeper than 100 levels" in result.out


def test_deeply_nested_yaml_and_configmap_json_are_findings(project, dashkit):
    deep_yaml = _write(project.root / "in" / "rules.yaml",
                       "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels: "
                       + "[" * 300 + "]" * 300 + "\n")
    dashboard = json.dumps({"uid": "cm", "title": "CM", "panels": [], "links": json.loads("[" * 200 + "]" * 200)})
    configmap = _write(project.root / "in" / "configmap.yaml", textwrap.dedent("""\
        kind: ConfigMap
        data:
          board.json: '{dashboard}'
        """).replace("{dashboard}", dashboard))
    result = dashkit("lint", str(project.root / "in"))
    assert result.code == 1, result.text
    assert f"{deep_yaml}: DK001" in result.out and "the YAML nests deeper than 100 levels" in result.out
    assert f"{configmap}: DK001" in result.out and "JSON in data.board.json nests deeper" in result.out


def _grid_dashboard(count: int) -> dict:
    """`count` panels four to a row, 6 columns by 8 rows each, like a generated dashboard."""
    return {"uid": "big", "title": "Big", "panels": [
        {"id": i + 1, "type": "stat", "title": f"P{i + 1}",
         "gridPos": {"x": (i % 4) * 6, "y": (i // 4) * 8, "w": 6, "h": 8}} for i in range(count)]}


def _overlap_findings(data: dict) -> list:
    doc = Document(DocKind.DASHBOARD, data, "big.json", label="Big")
    return list(PanelOverlap().check(doc, LintContext()))


def test_forty_thousand_panels_are_checked_for_overlaps():
    # how long it takes is measured by scripts/bench (a quadratic check took 48 s here)
    clean = _grid_dashboard(40_000)
    assert _overlap_findings(clean) == []

    planted = copy.deepcopy(clean)
    planted["panels"][-1]["gridPos"] = {"x": 0, "y": 0, "w": 24, "h": 1}  # the last panel covers the first row
    planted["panels"][-2]["gridPos"]["x"] = 3  # and the one before it overlaps its left neighbour
    findings = _overlap_findings(planted)
    side_by_side = "at the same y: Grafana stacks them instead of side by side"
    assert sorted(f.message for f in findings) == [
        f"panel 'P39999' overlaps 'P39998' (panels[39997]) {side_by_side}",
        f"panel 'P40000' overlaps 'P4' (panels[3]) {side_by_side}",  # the latest of P1..P4 it covers
    ]


def test_forty_thousand_panels_on_one_spot_each_name_the_one_placed_before():
    stacked = _grid_dashboard(40_000)
    for panel in stacked["panels"]:
        panel["gridPos"] = {"x": 0, "y": 0, "w": 12, "h": 8}
    findings = _overlap_findings(stacked)
    assert len(findings) == 39_999
    assert "panel 'P40000' overlaps 'P39999' (panels[39998]) at the same y: Grafana stacks them instead of side " \
           "by side" in {f.message for f in findings}
    assert {f.severity for f in findings} == {Severity.WARNING}


def test_forty_thousand_full_width_panels_on_one_spot_are_stacked_in_order_and_quiet():
    stacked = _grid_dashboard(40_000)
    for panel in stacked["panels"]:
        panel["gridPos"] = {"x": 0, "y": 0, "w": 24, "h": 8}
    assert _overlap_findings(stacked) == []  # generated dashboards count on Grafana stacking them


def test_malformed_rule_fields_are_findings_naming_the_field(project, dashkit):
    path = _write(project.root / "rules.yaml", textwrap.dedent("""\
        groups:
          - name: api
            rules:
              - alert: ListLabel
                expr: up == 0
                for: 5m
                labels: {severity: [critical, page]}
                annotations: [summary]
              - alert: WrongTypes
                expr: {sum: up}
                for: 5
                labels: severity
                annotations: {summary: {text: down}}
              - just a string
          - not a group
        """))
    result = dashkit("lint", "--select", "DK2", str(path))
    assert result.code == 1, result.text
    assert "this is a bug" not in result.text.lower()
    for message in ("label 'severity' must be a string, not a list",
                    "annotations must be a mapping of names to strings, not a list",
                    "expr must be a PromQL string, not a mapping",
                    "for must be a duration such as '5m', not the number 5",
                    "labels must be a mapping of names to strings, not 'severity'",
                    "annotation 'summary' must be a string, not a mapping",
                    "a rule must be a mapping, not 'just a string'",
                    "a rule group must be a mapping with a name and rules, not 'not a group'"):
        assert message in result.out, message


def test_malformed_grafana_rule_group_is_findings_not_a_crash(project, dashkit):
    path = _write(project.root / "provisioning.yaml", textwrap.dedent("""\
        apiVersion: 1
        groups:
          - name: g
            folder: f
            interval: 1m
            rules:
              - uid: a
                title: A
                condition: C
                labels: {team: {name: api}}
                data: [7, {refId: A, model: [1]}, {refId: C, datasourceUid: x, model: {expr: [up]}}]
        """))
    result = dashkit("lint", "--format", "json", str(path))
    assert result.code == 1, result.text
    messages = {f["message"] for f in json.loads(result.out)["findings"] if f["code"] == "DK211"}
    assert messages == {"label 'team' must be a string, not a mapping", "a query must be a mapping, not the number 7",
                        "a query's model must be a mapping, not a list", "expr must be a PromQL string, not a list"}


HOSTILE_VALUES = [["a", "b"], {"k": ["v"]}, 7, -1, 2.5, True, None, "", [], {}, [{"a": 1}]]


def _value_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _value_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:5]):
            yield from _value_paths(item, (*prefix, index))


def _replace(data, path, value):
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def test_every_rule_survives_values_of_the_wrong_type_in_corpus_files():
    """Seeded fuzzing: corpus dashboards, rule files and SLO specs with values swapped for lists, mappings,
    numbers and nulls; every lint rule runs on each copy and none may raise."""
    rng = random.Random(20240610)
    docs, problems = documents.from_paths([CORPUS])
    assert {(p.code, p.severity) for p in problems} == {("DK004", Severity.INFO)}  # promtool tests, Sloth CRDs...
    by_kind: dict[DocKind, list[Document]] = {}
    for doc in docs:
        by_kind.setdefault(doc.kind, []).append(doc)
    assert {DocKind.DASHBOARD, DocKind.PROMETHEUS_RULES, DocKind.SLO} <= set(by_kind)
    sample = [doc for kind in sorted(by_kind) for doc in rng.sample(by_kind[kind], min(8, len(by_kind[kind])))]
    copies = 0
    for doc in sample:
        paths = [p for p in _value_paths(doc.data) if p]
        for _ in range(25):
            data = copy.deepcopy(doc.data)
            for path in rng.sample(paths, min(rng.choice((1, 3, 8)), len(paths))):
                try:
                    _replace(data, path, copy.deepcopy(rng.choice(HOSTILE_VALUES)))
                except (KeyError, IndexError, TypeError):
                    continue  # an earlier replacement removed this path
            lint([Document(doc.kind, data, doc.path, doc.label, doc.prefix, facts=dict(doc.facts))])
            copies += 1
    assert copies >= 500


def test_a_definition_that_prints_keeps_json_output_valid(project, dashkit):
    project.write("dashboards/chatty.py", """\
        print("loading the chatty dashboard")


        class Board:
            def to_json_data(self):
                print("rendering the chatty dashboard")
                return {"title": "Chatty", "panels": []}


        dashboard = Board()
        """)
    result = dashkit("lint", "--format", "json")
    assert json.loads(result.out)["findings"] is not None, result.out
    assert "loading the chatty dashboard" in result.err
    assert "rendering the chatty dashboard" in result.err
    assert "the chatty dashboard" not in result.out


def test_a_definition_that_prints_keeps_diff_json_valid(grafana, project, dashkit):
    project.write("dashboards/chatty.py", """\
        print("loading the chatty dashboard")
        dashboard = {"title": "Chatty", "panels": []}
        """)
    result = dashkit("diff", "--env", "local", "--format", "json")
    assert result.code == 0, result.text
    json.loads(result.out)
    assert "loading the chatty dashboard" in result.err
