"""DK213: the same rule name and labels with a different expression, where the two results can be the same
series (promtool's duplicate-rule warning, without its noise on one-rule-per-class recording rules)."""

from __future__ import annotations

import yaml

from dashkit.lint.config import LintConfig
from dashkit.lint.model import DocKind, Document
from dashkit.lint.runner import lint


def _findings(text: str) -> list[str]:
    doc = Document(DocKind.PROMETHEUS_RULES, yaml.safe_load(text), "rules.yaml", label="rules.yaml")
    return [f"{f.location}: {f.message}" for f in lint([doc], LintConfig(select={"DK213"}))]


def test_a_stale_copy_of_an_alert_in_another_group_is_reported():
    rules = """
groups:
- name: node
  rules:
  - alert: HostOutOfDiskSpace
    expr: (node_filesystem_avail_bytes * 100) / node_filesystem_size_bytes < 10 and node_filesystem_readonly == 0
    for: 2m
    labels: {severity: warning}
- name: node-legacy
  rules:
  - alert: HostOutOfDiskSpace
    expr: (node_filesystem_avail_bytes * 100) / node_filesystem_size_bytes < 15
    for: 2m
    labels: {severity: warning}
"""
    assert _findings(rules) == [
        "groups[1].rules[0].expr: alert 'HostOutOfDiskSpace' has the name and labels of groups[0].rules[0] with a "
        "different expression, and their results can be the same series"]


def test_recording_rules_split_by_a_label_they_keep_are_quiet():
    # kube-prometheus kubernetesControlPlane.rules.yaml: one rule per status class, told apart by the kept code.
    rules = """
groups:
- name: kube-apiserver-availability.rules
  rules:
  - record: code_verb:apiserver_request_total:increase1h
    expr: sum by (cluster, code, verb) (increase(apiserver_request_total{job="apiserver",code=~"2.."}[1h]))
  - record: code_verb:apiserver_request_total:increase1h
    expr: sum by (cluster, code, verb) (increase(apiserver_request_total{job="apiserver",code=~"5.."}[1h]))
"""
    assert _findings(rules) == []


def test_alerts_of_different_slos_told_apart_by_a_selected_label_are_quiet():
    # Sloth's generated alerts: the same alert name and labels for every SLO of a service, each on its sloth_id.
    rules = """
groups:
- name: slo-a
  rules:
  - alert: MyServiceHighErrorRate
    expr: max(slo:sli_error:ratio_rate5m{sloth_id="svc-a"} > 0.01) without (sloth_window)
    labels: {severity: page}
- name: slo-b
  rules:
  - alert: MyServiceHighErrorRate
    expr: max(slo:sli_error:ratio_rate5m{sloth_id="svc-b"} > 0.01) without (sloth_window)
    labels: {severity: page}
"""
    assert _findings(rules) == []


def test_results_with_different_label_sets_are_different_series():
    rules = """
groups:
- name: g
  rules:
  - alert: TooManyRestarts
    expr: sum by (namespace) (increase(kube_pod_container_status_restarts_total[1h])) > 10
    labels: {severity: warning}
  - alert: TooManyRestarts
    expr: sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total[1h])) > 3
    labels: {severity: warning}
"""
    assert _findings(rules) == []


def test_a_rule_repeated_word_for_word_is_left_to_dk208():
    rule = "  - alert: Down\n    expr: up == 0\n"
    assert _findings("groups:\n- name: g\n  rules:\n" + rule + rule) == []
