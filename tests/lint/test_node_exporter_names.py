"""DK142: node_exporter metric names from before 0.16 return nothing from any node_exporter since 2018. Reported
offline; quiet where the old name is used on purpose, and when --prometheus checks names against the real server."""

from __future__ import annotations

import json

import pytest

from dashkit.lint.config import LintConfig
from dashkit.lint.model import DocKind, Document
from dashkit.lint.registry import LintContext
from dashkit.lint.runner import lint

from .prometheus_fixture import require_prometheus, running_prometheus

PROM = {"type": "prometheus", "uid": "${datasource}"}


def _dashboard(*exprs: str, variables: list | None = None) -> Document:
    panel = {"id": 1, "type": "timeseries", "title": "Memory", "datasource": PROM,
             "targets": [{"refId": chr(65 + i), "expr": e} for i, e in enumerate(exprs)]}
    data = {"uid": "d", "title": "D", "panels": [panel], "templating": {"list": variables or []}}
    return Document(DocKind.DASHBOARD, data, "d.json", label="D")


def _rules(*rules: dict) -> Document:
    return Document(DocKind.PROMETHEUS_RULES, {"groups": [{"name": "g", "rules": list(rules)}]}, "r.yaml")


def _findings(*docs: Document, context: LintContext | None = None) -> list[str]:
    config = LintConfig(select={"DK142"}, context=context or LintContext())
    return [f"{f.location}: {f.message}" for f in lint(list(docs), config)]


def test_old_names_in_a_dashboard_are_reported_with_their_new_names():
    # rfmoz/grafana-dashboards node-exporter-full-old.json, "RAM Used"
    expr = ('((node_memory_MemTotal{instance=~"$node:$port",job=~"$job"} - node_memory_MemFree{instance=~"$node:$port",'
            'job=~"$job"}) / (node_memory_MemTotal{instance=~"$node:$port",job=~"$job"} )) * 100')
    assert _findings(_dashboard(expr)) == [
        "panels[0].targets[0].expr: 'node_memory_MemFree' is 'node_memory_MemFree_bytes' since node_exporter 0.16",
        "panels[0].targets[0].expr: 'node_memory_MemTotal' is 'node_memory_MemTotal_bytes' since node_exporter 0.16"]


def test_changed_units_and_labels_are_spelt_out():
    findings = _findings(_dashboard('irate(node_disk_io_time_ms{device="sda"}[5m])', 'count(node_cpu{mode="idle"})'))
    assert any("(seconds, not milliseconds)" in f for f in findings)
    assert any("its cpu label is now '0', not 'cpu0'" in f for f in findings)


def test_rule_files_and_variable_queries_are_checked():
    alert = {"alert": "HostOutOfMemory", "expr": "node_memory_MemAvailable / node_memory_MemTotal < 0.1"}
    assert [f.split(":")[0] for f in _findings(_rules(alert))] == ["groups[0].rules[0].expr"] * 2
    variable = {"type": "query", "name": "instance", "query": "label_values(node_boot_time, instance)"}
    assert _findings(_dashboard("up", variables=[variable])) == [
        "templating.list[0].query: 'node_boot_time' is 'node_boot_time_seconds' since node_exporter 0.16"]


def test_current_names_and_names_that_only_start_like_old_ones_are_quiet():
    assert _findings(_dashboard("node_memory_MemTotal_bytes - node_memory_MemFree_bytes",
                                'rate(node_cpu_seconds_total{mode="idle"}[5m])', "node_cpu_guest_seconds_total",
                                'node_md_disks{state="active"}')) == []


def test_old_and_new_names_side_by_side_for_both_exporter_versions_are_deliberate():
    assert _findings(_dashboard("node_memory_MemTotal_bytes", "node_memory_MemTotal")) == []
    assert _findings(_dashboard("node_memory_MemTotal_bytes or node_memory_MemTotal")) == []


def test_a_compatibility_recording_rule_defines_the_old_name_again():
    # node_exporter docs/example-16-compatibility-rules-new-to-old.yml
    compat = _rules({"record": "node_memory_MemTotal", "expr": "node_memory_MemTotal_bytes"})
    assert _findings(compat, _dashboard("node_memory_MemTotal")) == []
    # ... and docs/example-16-compatibility-rules.yml translates old to new on purpose
    assert _findings(_rules({"record": "node_memory_MemTotal_bytes", "expr": "node_memory_MemTotal"})) == []


def test_with_a_prometheus_given_the_names_are_checked_there_instead():
    assert _findings(_dashboard("node_memory_MemTotal"), context=LintContext(prometheus="http://prom:9090")) == []


def test_the_cli_leaves_metric_names_to_dk140_when_given_a_prometheus(tmp_path_factory, tmp_path, dashkit):
    require_prometheus()
    data = _dashboard('node_memory_MemTotal{instance="n1"}').data
    (tmp_path / "d.json").write_text(json.dumps(data))
    offline = dashkit("lint", "--select", "DK14", str(tmp_path / "d.json"))
    assert "DK142" in offline.out and "DK140" not in offline.out
    with running_prometheus(tmp_path_factory.mktemp("prometheus")) as url:
        online = dashkit("lint", "--select", "DK14", "--prometheus", url, str(tmp_path / "d.json"))
    assert "DK140" in online.out and "'node_memory_MemTotal'" in online.out and "DK142" not in online.out


@pytest.mark.parametrize("old", ["node_cpu", "node_memory_MemTotal", "node_disk_io_time_ms",
                                 "node_network_receive_bytes", "node_filesystem_avail", "node_md_is_active"])
def test_the_renames_named_in_node_exporters_changelog_are_known(old):
    assert len(_findings(_dashboard(old))) == 1
