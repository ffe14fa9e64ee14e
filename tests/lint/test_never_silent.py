"""Lint never answers "No findings." for a file it did not check: what it cannot read as a dashboard, rule file or
SLO spec is a finding saying what the file holds, and the shapes dashboards travel in are unwrapped and checked."""

from __future__ import annotations

import base64
import gzip
import json
import textwrap
from pathlib import Path

BROKEN = "sum(rate(http_requests_total[5m])"  # DK130: the query does not parse


def board(title: str = "Wrapped") -> dict:
    return {"uid": "wrapped", "title": title, "editable": False, "panels": [
        {"id": 1, "type": "timeseries", "title": "Requests", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
         "datasource": {"type": "prometheus", "uid": "${datasource}"},
         "targets": [{"refId": "A", "expr": BROKEN}]}]}


def write(path: Path, content) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def findings(dashkit, *paths: Path) -> tuple[int, list[tuple[str, str, str, str]]]:
    result = dashkit("lint", *map(str, paths), "--format", "json", "--select", "DK0,DK130")
    return result.code, [(f["code"], f["severity"], f["location"], f["message"])
                         for f in json.loads(result.out)["findings"]]


def test_a_file_named_on_the_command_line_that_is_no_dashboard_fails(project, dashkit, tmp_path):
    foo = write(tmp_path / "foo.json", {"foo": 1})
    code, found = findings(dashkit, foo)
    assert code == 1
    assert found == [("DK004", "error", "", "not a dashboard or rule file: an object with foo: neither panels, rows "
                                            "nor templating (a dashboard), nor groups (a rule file), nor slos (an "
                                            "SLO spec)")]
    text = dashkit("lint", str(foo))
    assert "No findings" not in text.out and "DK004 error" in text.out


def test_what_the_file_holds_instead_is_named(project, dashkit, tmp_path):
    cases = {
        "list.json": "[1, 2]",
        "empty.yaml": "",
        "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n",
        "two.yaml": "kind: Service\n---\nkind: ServiceAccount\n",
        "url.yaml": "kind: GrafanaDashboard\nspec:\n  url: https://grafana.com/api/dashboards/1860/revisions/37/download\n",
        "cm.yaml": "kind: ConfigMap\ndata:\n  README: nothing here\n",
    }
    messages = {}
    for name, text in cases.items():
        code, found = findings(dashkit, write(tmp_path / name, text))
        assert code == 1 and [c for c, *_ in found] == ["DK004"], (name, found)
        messages[name] = found[0][3].removeprefix("not a dashboard or rule file: ")
    assert messages == {
        "list.json": "a list of 2 items, not an object",
        "empty.yaml": "the file is empty",
        "deploy.yaml": "a Kubernetes Deployment",
        "two.yaml": "2 YAML documents: a Kubernetes Service, a Kubernetes ServiceAccount",
        "url.yaml": "a GrafanaDashboard whose dashboard is not in the file (it comes from url)",
        "cm.yaml": "a ConfigMap whose data holds no dashboard JSON or rule file",
    }


def test_in_a_folder_other_files_are_advice_and_do_not_fail_the_build(project, dashkit, tmp_path):
    write(tmp_path / "in" / "jsonnetfile.json", {"version": 1, "dependencies": [], "legacyImports": True})
    write(tmp_path / "in" / "ok.json", dict(board(), panels=[]))
    code, found = findings(dashkit, tmp_path / "in")
    assert code == 0
    assert [(c, s) for c, s, _, _ in found] == [("DK004", "info")]


def test_a_dashboard_under_its_file_name_is_unwrapped(project, dashkit, tmp_path):
    code, found = findings(dashkit, write(tmp_path / "export.json", {"node-exporter-full.json": board()}))
    assert (code, found[0][:3]) == (1, ("DK130", "error", "node-exporter-full.json.panels[0].targets[0].expr"))


def test_api_exports_and_app_platform_dashboards_are_unwrapped(project, dashkit, tmp_path):
    export = write(tmp_path / "api.json", {"dashboard": board(), "meta": {"folderUid": "x"}})
    platform = write(tmp_path / "k8s.json", {"apiVersion": "dashboard.grafana.app/v1beta1", "kind": "Dashboard",
                                             "metadata": {"name": "wrapped"}, "spec": board()})
    _, found = findings(dashkit, export, platform)
    assert [location for _, _, location, _ in found] == ["dashboard.panels[0].targets[0].expr",
                                                         "spec.panels[0].targets[0].expr"]


def test_an_empty_schema_v2_dashboard_is_read_as_a_dashboard_not_as_an_unknown_file(project, dashkit, tmp_path):
    v2 = write(tmp_path / "v2.json", {"apiVersion": "dashboard.grafana.app/v2beta1", "kind": "Dashboard",
                                      "spec": {"elements": {}, "layout": {"kind": "GridLayout"}}})
    _, found = findings(dashkit, v2)
    assert "DK004" not in [c for c, _, _, _ in found]


def test_grafana_operator_dashboards_inline_or_gzipped_are_linted(project, dashkit, tmp_path):
    inline = textwrap.dedent("""\
        apiVersion: grafana.integreatly.org/v1beta1
        kind: GrafanaDashboard
        metadata: {name: wrapped}
        spec:
          instanceSelector: {matchLabels: {dashboards: grafana}}
          json: |
        """) + textwrap.indent(json.dumps(board(), indent=2), "    ") + "\n"
    zipped = {"apiVersion": "grafana.integreatly.org/v1beta1", "kind": "GrafanaDashboard",
              "spec": {"gzipJson": base64.b64encode(gzip.compress(json.dumps(board()).encode())).decode()}}
    _, found = findings(dashkit, write(tmp_path / "inline.yaml", inline), write(tmp_path / "zipped.json", zipped))
    assert [location for _, _, location, _ in found] == ["spec.json.panels[0].targets[0].expr",
                                                         "spec.gzipJson.panels[0].targets[0].expr"]


def test_config_maps_and_config_map_lists_hold_dashboards_and_rule_files(project, dashkit, tmp_path):
    config_map_list = {"apiVersion": "v1", "kind": "ConfigMapList", "items": [
        {"kind": "ConfigMap", "metadata": {"name": "grafana-dashboard-api"},
         "data": {"api.json": json.dumps(board())}}]}
    rules = textwrap.dedent(f"""\
        kind: ConfigMap
        metadata: {{name: prometheus-rules}}
        data:
          alerting_rules.yml: |
            groups:
              - name: api
                rules:
                  - alert: Errors
                    expr: {BROKEN}
        """)
    _, found = findings(dashkit, write(tmp_path / "dashboards.json", config_map_list),
                           write(tmp_path / "rules.yaml", rules))
    assert [(c, location) for c, _, location, _ in found] == [
        ("DK130", "items[0].data.api.json.panels[0].targets[0].expr")]
    result = dashkit("lint", str(tmp_path / "rules.yaml"), "--format", "json", "--select", "DK201")
    assert [f["location"] for f in json.loads(result.out)["findings"]] == [
        "data.alerting_rules.yml.groups[0].rules[0].expr"]


def test_a_config_map_entry_that_is_not_json_is_unreadable_not_ignored(project, dashkit, tmp_path):
    broken = write(tmp_path / "cm.yaml", "kind: ConfigMap\ndata:\n  board.json: '{not json'\n")
    code, found = findings(dashkit, broken)
    assert code == 1
    assert [(c, m) for c, _, _, m in found] == [("DK001", "cannot be read: invalid JSON in data.board.json at "
                                                          "line 1: Expecting property name enclosed in double quotes")]


def test_grafana_operator_rule_groups_are_linted(project, dashkit, tmp_path):
    group = textwrap.dedent("""\
        apiVersion: grafana.integreatly.org/v1beta1
        kind: GrafanaAlertRuleGroup
        metadata: {name: api}
        spec:
          folderUID: alerts
          interval: 1m
          rules:
            - uid: errors
              title: Errors
              condition: D
              data:
                - refId: A
                  datasourceUid: prom
                  model: {expr: "sum(rate(errors_total[5m]))"}
        """)
    result = dashkit("lint", str(write(tmp_path / "group.yaml", group)), "--format", "json", "--select", "DK205")
    assert [(f["code"], f["location"]) for f in json.loads(result.out)["findings"]] == [
        ("DK205", "spec.rules[0].condition")]


def test_a_bundle_is_linted_for_what_it_holds_and_other_config_is_left_alone(project, dashkit, tmp_path):
    bundle = textwrap.dedent("""\
        kind: GrafanaDashboard
        spec: {grafanaCom: {id: 1860}}
        ---
        kind: ConfigMap
        metadata: {name: alertmanager-templates}
        data:
          slack.tmpl: '{{ define "slack.title" }}{{ .Status }}{{ end }}'
        ---
        kind: GrafanaDashboard
        spec:
          json: '{json}'
        """).replace("{json}", json.dumps(board()))
    code, found = findings(dashkit, write(tmp_path / "bundle.yaml", bundle))
    assert code == 1  # the broken query; the dashboard from grafana.com and the templates are not findings
    assert [(c, location) for c, _, location, _ in found] == [("DK130", "[doc 3] spec.json.panels[0].targets[0].expr")]
