"""`dashkit lint` as CI runs it: the project, files and folders, the corpus, planted bugs, every output format."""

import json
import os
import textwrap
from pathlib import Path

import pytest

from conftest import CORPUS
from dashkit.lint import documents
from dashkit.lint.runner import lint

REPO = Path(__file__).resolve().parents[2]


def _dashboard(**overrides):
    base = {
        "uid": "planted", "title": "Planted", "editable": False,
        "templating": {"list": [{"type": "datasource", "name": "datasource", "query": "prometheus"},
                                {"type": "query", "name": "job", "refresh": 2, "query": "label_values(up, job)",
                                 "datasource": {"uid": "${datasource}"}}]},
        "panels": [
            {"id": i + 1, "type": "timeseries", "title": f"Panel {i + 1}", "description": "d",
             "datasource": {"type": "prometheus", "uid": "${datasource}"},
             "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)},
             "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
             "targets": [{"refId": "A", "expr": f'sum(rate(http_requests_total{{job=~"$job", code="{i}"}}'
                                                 '[$__rate_interval]))'}]}
            for i in range(4)
        ],
    }
    base.update(overrides)
    return base


def _write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) if path.suffix == ".json" else data)
    return path


def test_clean_dashboard_and_rules_pass(project, dashkit):
    _write(project.root / "in" / "ok.json", _dashboard())
    result = dashkit("lint", str(project.root / "in"))
    assert result.code == 0, result.out
    assert "No findings in 1 dashboard or rule group." in result.out


@pytest.mark.parametrize(
    ("plant", "code"),
    [
        (lambda d: d["panels"][0]["targets"][0].update(expr="sum(rate(http_requests_total[5m])"), "DK130"),
        (lambda d: d["panels"][1].update(gridPos={"h": 8, "w": 12, "x": 0, "y": 0}), "DK104"),
        (lambda d: d["panels"][2].update(datasource={"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}), "DK115"),
    ],
)
def test_planted_dashboard_bugs_are_reported_once(project, dashkit, plant, code):
    dashboard = _dashboard()
    plant(dashboard)
    path = _write(project.root / "in" / "bug.json", dashboard)
    result = dashkit("lint", str(path), "--format", "json")
    codes = [f["code"] for f in json.loads(result.out)["findings"] if f["severity"] != "info"]
    assert codes == [code], result.out


def test_duplicated_uid_across_files_is_reported_once(project, dashkit):
    _write(project.root / "in" / "a.json", _dashboard())
    _write(project.root / "in" / "b.json", _dashboard(title="Copy"))
    result = dashkit("lint", str(project.root / "in"), "--format", "json")
    findings = [f for f in json.loads(result.out)["findings"] if f["code"] == "DK102"]
    assert len(findings) == 1 and "'Planted'" in findings[0]["message"] and result.code == 1


def test_alert_without_runbook_in_a_prometheusrule(project, dashkit):
    _write(project.root / "in" / "rules.yaml", textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: unrelated}
        ---
        apiVersion: monitoring.coreos.com/v1
        kind: PrometheusRule
        metadata: {name: api}
        spec:
          groups:
            - name: api
              rules:
                - alert: ApiDown
                  expr: up{job="api"} == 0
                  for: 5m
                  labels: {severity: critical}
                  annotations: {summary: "API is down"}
        """))
    result = dashkit("lint", str(project.root / "in"), "--format", "json")
    findings = json.loads(result.out)["findings"]
    assert [(f["code"], f["location"]) for f in findings] == [("DK203", "[doc 2] spec.groups[0].rules[0].annotations")]
    assert result.code == 0  # a warning does not fail the build


def test_unreadable_file_is_a_finding_not_a_crash(project, dashkit):
    (project.root / "in").mkdir()
    (project.root / "in" / "broken.json").write_text("{not json")
    result = dashkit("lint", str(project.root / "in"))
    assert result.code == 1 and "DK001" in result.out and "invalid JSON at line 1" in result.out


def test_this_repository_lints_clean():
    from dashkit.build import load_project
    from dashkit.config import load_settings

    findings = lint(load_project(load_settings(REPO)).lint_documents())
    assert [f for f in findings if f.severity.value != "info"] == []


def test_project_lint_names_the_definition_file(project, dashkit):
    project.write("dashboards/svc.py", textwrap.dedent("""\
        dashboard = {"title": "Svc", "editable": False, "panels": [{"id": 1, "type": "graph", "title": "Old",
            "description": "d", "gridPos": {"h": 8, "w": 24, "x": 0, "y": 0}, "datasource": "@prometheus",
            "yaxes": [{"format": "short"}], "targets": [{"refId": "A", "expr": "sum(up)"}]}]}
        """))
    result = dashkit("lint", "--select", "DK105")
    assert result.code == 0
    assert "dashboards/svc.py: panels[0].type [Svc] DK105 warning: panel 'Old' is a graph panel" in result.out


def test_select_ignore_and_severity_from_config(project, dashkit):
    _write(project.root / "in" / "d.json", _dashboard(panels=[dict(_dashboard()["panels"][0], description="")]))
    assert "DK111" in dashkit("lint", str(project.root / "in")).out
    assert "DK111" not in dashkit("lint", str(project.root / "in"), "--ignore", "DK11").out
    project.config(extra_env="lint:\n  severity: {DK111: error}\n")
    result = dashkit("lint", str(project.root / "in"))
    assert result.code == 1 and "DK111 error" in result.out


def test_suppression_with_reason_and_dashboard_linter_file(project, dashkit):
    panel = dict(_dashboard()["panels"][0], description="", dashkitLint={"DK111": "self-explanatory"})
    _write(project.root / "in" / "d.json", _dashboard(panels=[panel]))
    assert "DK111" not in dashkit("lint", str(project.root / "in")).out
    panel["dashkitLint"] = {"DK111": ""}
    _write(project.root / "in" / "d.json", _dashboard(panels=[panel]))
    result = dashkit("lint", str(project.root / "in"))
    assert "DK002" in result.out and result.code == 1
    del panel["dashkitLint"]
    _write(project.root / "in" / "d.json", _dashboard(panels=[panel]))
    (project.root / "in" / ".lint").write_text(textwrap.dedent("""\
        exclusions:
          panel-title-description-rule:
            reason: our panels are obvious
            entries:
              - panel: Panel 1
        """))
    assert "DK111" not in dashkit("lint", str(project.root / "in")).out


def test_explain(dashkit):
    result = dashkit("lint", "--explain", "DK135")
    assert result.code == 0 and "histogram-quantile-le (error)" in result.out and "Bad:" in result.out
    assert dashkit("lint", "--explain", "target-counter-agg-rule").out.startswith("DK134")
    assert dashkit("lint", "--explain", "DK999").code == 2


def test_github_annotations(project, dashkit):
    dashboard = _dashboard()
    dashboard["panels"][0]["targets"][0]["expr"] = "sum(rate(x[5m])"
    path = _write(project.root / "in" / "bug.json", dashboard)
    result = dashkit("lint", str(path), "--format", "github", "--select", "DK130")
    assert result.code == 1
    line = result.out.strip()
    assert line.startswith(f"::error file={path},line=") and "title=DK130 promql-invalid::" in line
    assert "panels[0].targets[0].expr" in line


def test_sarif_is_valid_sarif_2_1_0(project, dashkit):
    schema_path = os.environ.get("DASHKIT_SARIF_SCHEMA")
    if not schema_path:
        pytest.skip("scripts/test provides the SARIF 2.1.0 schema (DASHKIT_SARIF_SCHEMA)")
    import jsonschema

    dashboard = _dashboard()
    dashboard["panels"][1]["gridPos"] = dashboard["panels"][0]["gridPos"]
    _write(project.root / "in" / "bug.json", dashboard)
    result = dashkit("lint", str(project.root / "in"), "--format", "sarif")
    log = json.loads(result.out)
    jsonschema.validate(log, json.loads(Path(schema_path).read_text()))
    results = log["runs"][0]["results"]
    assert any(r["ruleId"] == "DK104" and r["locations"][0]["physicalLocation"]["region"]["startLine"] > 1
               for r in results)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_the_whole_corpus_lints_without_a_crash_and_all_promql_parses():
    docs, problems = documents.from_paths([CORPUS])
    assert {(p.code, p.severity.value) for p in problems} == {("DK004", "info")}  # promtool tests, Sloth CRDs...
    assert {Path(p.path).name for p in problems} >= {"jsonnetfile.json", "kubelet-test.yaml"}
    dashboards = [d for d in docs if d.kind.value == "dashboard"]
    assert len(dashboards) >= 247
    findings = lint(docs)
    assert [f for f in findings if f.code == "DK130"] == []  # every dashboard query parses
    invalid_rules = {Path(f.path).name for f in findings if f.code == "DK201"}
    assert invalid_rules == {"victoria-metrics.yml"}  # MetricsQL-only histogram_share, a true negative


def test_pre_commit_hooks_run_dashkit_lint():
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"dashkit-lint", "dashkit-lint-files"}
    assert all(h["entry"] == "dashkit lint" and h["language"] == "python" for h in hooks)


def test_documented_workflow_lints_then_posts_the_plan():
    import yaml

    workflow = yaml.safe_load((REPO / "docs" / "examples" / "github-workflow.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["lint-and-plan"]["steps"]]
    assert any("dashkit lint --format github" in r for r in runs)
    assert any("dashkit --no-color diff --env prod --exit-code" in r for r in runs)


def test_same_alert_title_in_one_folder_across_groups_is_flagged(project, dashkit):
    project.write("alerts/a.py", textwrap.dedent("""\
        from dashkit.builders import alert_rule, rule_group
        rule_groups = [
            rule_group(name, [alert_rule("Down", "up == 0", threshold=0, summary="down", runbook_url="https://r/x")],
                       folder="shared")
            for name in ("one", "two")
        ]
        """))
    result = dashkit("lint", "--select", "DK210")
    assert "DK210 warning: rule 'Down' has the same title as a rule of 'shared/one'" in result.out
    project.write("alerts/a.py", (project.root / "alerts/a.py").read_text().replace('folder="shared"',
                                                                                     'folder=f"shared/{name}"'))
    assert "DK210" not in dashkit("lint", "--select", "DK210").out


def test_a_schema_v2_dashboard_is_linted_and_findings_name_its_elements(project, dashkit):
    query = {"kind": "PanelQuery", "spec": {"refId": "A", "query": {
        "kind": "DataQuery", "group": "prometheus", "version": "v0",
        "spec": {"expr": "rate(http_requests_total{job=\"$job\"}[5m])"}}}}
    panel = {"kind": "Panel", "spec": {"id": 1, "title": "Requests", "description": "d", "data": {
        "kind": "QueryGroup", "spec": {"queries": [query], "transformations": [], "queryOptions": {}}},
        "vizConfig": {"kind": "VizConfig", "group": "timeseries", "version": "12.0.0",
                      "spec": {"options": {}, "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []}}}}}
    layout = {"kind": "GridLayout", "spec": {"items": [{"kind": "GridLayoutItem", "spec": {
        "x": 0, "y": 0, "width": 12, "height": 8, "element": {"kind": "ElementReference", "name": "requests"}}}]}}
    v2 = {"apiVersion": "dashboard.grafana.app/v2beta1", "kind": "Dashboard", "metadata": {"name": "x"},
          "spec": {"title": "X", "elements": {"requests": panel}, "layout": layout}}
    path = project.write("v2.json", json.dumps(v2, indent=2))
    result = dashkit("lint", str(path), "--format", "json", "--select", "DK123,DK131")
    assert result.code == 1, result.text
    found = {(f["code"], f["location"]) for f in json.loads(result.out)["findings"]}
    expr = "spec.elements.requests.spec.data.spec.queries[0].spec.query.spec.expr"
    assert found == {("DK123", expr), ("DK131", expr)}
    annotation = dashkit("lint", str(path), "--format", "github", "--select", "DK131").out.strip()
    expr_line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"expr"' in text)
    assert annotation.startswith(f"::warning file={path},line={expr_line},"), annotation


def test_the_json_report_is_exactly_what_json_dumps_writes():
    from dashkit.lint.model import Finding, Severity
    from dashkit.lint.reporters import as_json

    odd = [Finding("DK104", Severity.WARNING, 'ünïcødé "quoted" \\ back\nslash\t€', "dir/ä.json", "panels[0]",
                   "Board", 12, "panel-layout"),
           Finding("DK004", Severity.ERROR, "not a dashboard", "x.json", "", "", None, "not-a-dashboard")]
    for findings in (odd, []):
        expected = json.dumps({"findings": [f.to_json() for f in findings],
                               "summary": {s.value: sum(f.severity is s for f in findings) for s in Severity}},
                              indent=2, sort_keys=True)
        assert as_json(findings) == expected


def test_a_finding_about_a_missing_top_level_key_has_a_line(project, dashkit):
    # DK106 reports at path `editable` when the key is absent: finding its line used to loop forever
    path = project.write("board.json", json.dumps({"uid": "b", "title": "B", "panels": []}, indent=2))
    result = dashkit("lint", "--format", "github", "--select", "DK106", str(path))
    assert "DK106" in result.out and ",line=1," in result.out, result.text
