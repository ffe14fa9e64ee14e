"""DK212: an alert's annotation templates a label its query aggregates away, so the notification shows a blank
where the instance (job, cluster...) should be. Prometheus rule files and Grafana-managed rules."""

from __future__ import annotations

import yaml

from dashkit.lint.config import LintConfig
from dashkit.lint.model import DocKind, Document
from dashkit.lint.runner import lint

# kube-prometheus rules/alertmanager.rules.yaml (alertmanager-mixin), as released.
ALERTMANAGER_RULES = r"""
groups:
- name: alertmanager.rules
  rules:
  - alert: AlertmanagerClusterDown
    annotations:
      description: >-
        {{ $value | humanizePercentage }} of Alertmanager instances within the {{$labels.job}} cluster have been
        up for less than half of the last 5m.
      summary: Half or more of the Alertmanager instances within the same cluster are down.
    expr: |
      (
        count by (namespace,service) (
          avg_over_time(up{job="alertmanager-main",container="alertmanager",namespace="monitoring"}[5m]) < 0.5
        )
      /
        count by (namespace,service) (
          up{job="alertmanager-main",container="alertmanager",namespace="monitoring"}
        )
      )
      >= 0.5
    for: 5m
    labels:
      severity: critical
  - alert: AlertmanagerFailedReload
    annotations:
      description: Configuration has failed to load for {{ $labels.namespace }}/{{ $labels.pod}}.
    expr: |
      max_over_time(alertmanager_config_last_reload_successful{job="alertmanager-main",namespace="monitoring"}[5m]) == 0
    for: 10m
    labels:
      severity: critical
"""


def _findings(doc: Document) -> list[str]:
    return [f"{f.location}: {f.message}" for f in lint([doc], LintConfig(select={"DK212"}))]


def _prometheus(text: str) -> Document:
    return Document(DocKind.PROMETHEUS_RULES, yaml.safe_load(text), "rules.yaml", label="rules.yaml")


def _alert(expr: str, **annotations: str) -> Document:
    return Document(DocKind.PROMETHEUS_RULES, {"groups": [{"name": "g", "rules": [
        {"alert": "A", "expr": expr, "labels": {"severity": "page"}, "annotations": annotations}]}]}, "r.yaml")


def test_the_job_of_an_alert_counted_by_namespace_and_service_is_reported():
    assert _findings(_prometheus(ALERTMANAGER_RULES)) == [
        "groups[0].rules[0].annotations.description: alert 'AlertmanagerClusterDown': annotation description uses "
        "job, but its query keeps only namespace, service (count by (namespace, service)): it renders empty"]


def test_pints_example_by_method_with_instance():
    findings = _findings(_alert("sum(rate(http_requests_total{code=~\"5..\"}[5m])) BY (method) > 1",
                                summary="{{ $labels.instance }} returns errors for {{ $labels.method }}"))
    assert len(findings) == 1 and "uses instance, but its query keeps only method" in findings[0]


def test_index_and_dot_labels_are_read_too():
    assert _findings(_alert("sum(up) == 0", summary='{{ index $labels "cluster" }} {{ .Labels.zone }}')) == [
        "groups[0].rules[0].annotations.summary: alert 'A': annotation summary uses cluster, zone, but its query "
        "keeps no labels (sum()): it renders empty"]


def test_a_rule_label_is_not_in_labels_of_a_prometheus_alert():
    # Prometheus fills $labels from the query's sample only; the rule's own labels are added afterwards.
    assert _findings(_alert("sum(up) == 0", summary="{{ $labels.severity }}")) != []


def test_labels_the_query_keeps_or_may_keep_are_quiet():
    assert _findings(_alert("sum by (instance, job) (up) == 0", summary="{{ $labels.instance }} of {{$labels.job}}")) \
        == []
    assert _findings(_alert('up{job="api"} == 0', summary="{{ $labels.instance }}")) == []
    assert _findings(_alert('absent(up{job="api"})', summary="{{ $labels.job }} is gone")) == []


def test_dot_labels_inside_range_over_a_query_are_that_querys_labels():
    text = '{{ range query "up == 0" }}{{ .Labels.instance }} {{ end }}'
    assert _findings(_alert("count(up == 0) > 3", description=text)) == []


def _grafana(*queries: dict, labels: dict | None = None, **annotations: str) -> Document:
    rule = {"uid": "r", "title": "HighErrors", "condition": "C", "labels": labels or {},
            "annotations": annotations, "data": list(queries)}
    return Document(DocKind.GRAFANA_RULES, {"title": "g", "interval": 60, "rules": [rule]}, "g.yaml", label="g")


def _query(ref: str, expr: str) -> dict:
    return {"refId": ref, "datasourceUid": "prom", "model": {"expr": expr}}


def _expression(ref: str, kind: str, source: str) -> dict:
    return {"refId": ref, "datasourceUid": "__expr__", "model": {"type": kind, "expression": source}}


def test_a_grafana_rule_reduced_and_thresholded_keeps_its_querys_labels():
    doc = _grafana(_query("A", "sum by (service) (rate(errors_total[5m]))"), _expression("B", "reduce", "A"),
                   _expression("C", "threshold", "B"), summary="{{ $labels.service }} on {{ .Labels.cluster }}")
    assert _findings(doc) == [
        "rules[0].annotations.summary: alert 'HighErrors': annotation summary uses cluster, but its query keeps "
        "only service (sum by (service)): it renders empty"]


def test_grafana_rules_whose_labels_cannot_be_known_are_quiet():
    classic = _grafana(_query("A", "sum(rate(errors_total[5m]))"), _expression("C", "classic_conditions", "A"),
                       summary="{{ $labels.cluster }}")
    two_queries = _grafana(_query("A", "sum(rate(errors_total[5m]))"), _query("B", "sum(up)"),
                           _expression("C", "math", "$A / $B"), summary="{{ $labels.cluster }}")
    own_label = _grafana(_query("A", "sum(rate(errors_total[5m]))"), _expression("C", "threshold", "A"),
                         labels={"cluster": "eu-1"}, summary="{{ $labels.cluster }}")
    assert _findings(classic) == _findings(two_queries) == _findings(own_label) == []
