"""DK107 and DK108: what to modernise besides panel types (DK105): the legacy rows[] layout and old schema
versions, and old Angular tables configured with `styles`."""

from __future__ import annotations

from dashkit.lint.config import LintConfig
from dashkit.lint.model import DocKind, Document
from dashkit.lint.runner import lint


def _findings(data: dict, code: str) -> list[str]:
    doc = Document(DocKind.DASHBOARD, data, "d.json", label="D")
    return [f"{f.location}: {f.message}" for f in lint([doc], LintConfig(select={code}))]


# kube-prometheus v0.8 k8s-resources-cluster.json, cut down: rows[] layout and a table styled per column.
OLD = {"uid": "efa86fd1", "title": "Kubernetes / Compute Resources / Cluster", "schemaVersion": 14, "rows": [
    {"title": "CPU Quota", "height": "250px", "panels": [
        {"id": 5, "type": "table", "title": "CPU Quota", "span": 12, "styles": [
            {"alias": "Pods", "pattern": "Value #A", "type": "number", "unit": "short", "decimals": 0,
             "link": True, "linkUrl": "/d/85a562078cdf77779eaa1add43ccec1e/k8s-resources-namespace"},
            {"alias": "Namespace", "pattern": "namespace", "type": "string"}],
         "targets": [{"refId": "A", "expr": "sum(kube_pod_owner{cluster=\"$cluster\"}) by (namespace)",
                      "format": "table", "instant": True}]}]}]}


def test_a_legacy_rows_dashboard_is_reported_once_with_its_schema_version():
    assert _findings(OLD, "DK107") == ["rows: legacy rows[] layout (schemaVersion 14): Grafana converts the rows to "
                                       "the panel grid on every load"]


def test_an_old_schema_version_with_the_panel_grid_is_reported():
    data = {"uid": "d", "title": "D", "schemaVersion": 18, "panels": []}
    assert _findings(data, "DK107") == ["schemaVersion: schemaVersion 18: Grafana migrates the dashboard on every "
                                        "load (current exports are 27 or later)"]
    assert _findings({**data, "schemaVersion": 27}, "DK107") == []


def test_a_table_with_styles_in_an_old_dashboard_is_an_old_table():
    assert _findings(OLD, "DK108") == ["rows[0].panels[0].styles: panel 'CPU Quota' is an old table (styles): "
                                       "Grafana migrates it to the new table on every load"]


def test_leftover_styles_on_a_table_saved_by_grafana_7_or_later_are_ignored_as_grafana_does():
    data = {"uid": "d", "title": "D", "schemaVersion": 39, "panels": [
        {"id": 1, "type": "table", "title": "Pods", "styles": [{"pattern": "Time", "type": "hidden"}]}]}
    assert _findings(data, "DK108") == []
