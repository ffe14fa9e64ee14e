"""DK138: a legend names a label the query aggregates away, so every series is drawn with the label's name instead
of its value. Only reported when the query's syntax makes the label's absence certain."""

from __future__ import annotations

import pytest

from dashkit.lint.config import LintConfig
from dashkit.lint.model import DocKind, Document
from dashkit.lint.rules._labels import result_labels
from dashkit.lint.runner import lint

PROM = {"type": "prometheus", "uid": "${datasource}"}


def _lint(*targets: tuple[str, str], panel_type: str = "timeseries", **panel_extra) -> list[str]:
    panel = {"id": 1, "type": panel_type, "title": "CPU", "datasource": PROM, **panel_extra,
             "targets": [{"refId": chr(65 + i), "expr": expr, "legendFormat": legend, "datasource": PROM}
                         for i, (expr, legend) in enumerate(targets)]}
    doc = Document(DocKind.DASHBOARD, {"uid": "d", "title": "D", "panels": [panel]}, "d.json", label="D")
    return [f"{f.location}: {f.message}" for f in lint([doc], LintConfig(select={"DK138"}))]


def test_a_legend_by_node_over_a_query_by_instance_is_reported():
    # dotdc/grafana-dashboards-kubernetes, k8s-views-global.json, "CPU Utilization by Node"
    expr = ('avg(sum by (instance, cpu) (rate(node_cpu_seconds_total{mode!~"idle|iowait|steal", cluster="$cluster", '
            'job="$job"}[$__rate_interval]))) by (instance)')
    assert _lint((expr, "{{node}}")) == [
        "panels[0].targets[0].legendFormat: legend {{node}}: not in the query's result, which keeps only instance "
        "(avg by (instance))"]


def test_every_missing_label_of_a_legend_is_named_once():
    findings = _lint(('sum(rate(http_requests_total{job="api"}[$__rate_interval]))',
                      "{{cluster}} - {{ namespace }} ({{cluster}})"))
    assert findings == ["panels[0].targets[0].legendFormat: legend {{cluster}}, {{namespace}}: not in the query's "
                        "result, which has no labels (sum())"]


@pytest.mark.parametrize("expr", [
    'rate(http_requests_total{job="api"}[5m])',  # a selector keeps labels nobody can list offline
    'sum by (pod) (rate(container_cpu_usage_seconds_total[5m]))',
    'sum by ($group) (rate(container_cpu_usage_seconds_total[5m]))',  # the variable may well be pod
    'label_replace(sum(rate(x_total[5m])), "pod", "$1", "instance", "(.*)")',
    'sum by (namespace) (x) * on (namespace) group_left (pod) kube_pod_info',
    'sum without (container) (rate(container_cpu_usage_seconds_total[5m]))',
    'topk(5, rate(container_cpu_usage_seconds_total[5m]))',
])
def test_a_legend_label_the_query_may_keep_is_quiet(expr):
    assert _lint((expr, "{{pod}}")) == []


def test_a_label_removed_by_without_is_reported():
    assert _lint(("sum without (pod) (rate(container_cpu_usage_seconds_total[5m]))", "{{pod}}")) == [
        "panels[0].targets[0].legendFormat: legend {{pod}}: not in the query's result, which drops it with "
        "without (...)"]


def test_a_single_stat_showing_one_value_does_not_draw_the_legend():
    assert _lint(("sum(kubelet_running_pods)", "{{instance}}"), panel_type="stat") == []
    assert _lint(("sum(kubelet_running_pods)", "{{instance}}"), panel_type="stat",
                 options={"textMode": "value_and_name"}) != []


def test_table_format_queries_and_grafana_legend_keywords_are_quiet():
    panel_target = {"refId": "A", "expr": "sum(up)", "legendFormat": "{{instance}}", "format": "table"}
    doc = Document(DocKind.DASHBOARD, {"uid": "d", "title": "D", "panels": [
        {"id": 1, "type": "table", "title": "T", "datasource": PROM, "targets": [panel_target]}]}, "d.json")
    assert lint([doc], LintConfig(select={"DK138"})) == []
    assert _lint(("sum(up)", "__auto"), ("sum(up)", "{{__name__}}")) == []


@pytest.mark.parametrize(("expr", "closed", "names"), [
    ("sum(rate(x[5m]))", True, set()),
    ("avg(x) by (host)", True, {"host"}),
    ("histogram_quantile(0.9, sum by (le, job) (rate(x_bucket[5m])))", True, {"job"}),
    ('absent(up{job="api", instance=~"a.*"})', True, {"job"}),
    ('count_values("version", build_info)', True, {"version"}),
    ("sum by (a) (x) / on (a) group_left (b) y", True, {"a", "b"}),
    ("x / sum(y)", True, set()),  # one-to-one: both sides have the same labels
    ("x / on (job) y", True, {"job"}),
    ("sum by (a) (x) or sum by (b) (y)", True, {"a", "b"}),
    ("sum by (a) (x) and on (b) y", True, {"a"}),
    ("x * on (a) group_left (b) y", False, set()),
    ("sum without (pod) (x)", False, {"pod"}),
])
def test_what_labels_a_result_keeps(expr, closed, names):
    labels = result_labels(expr)
    assert (labels.closed, set(labels.names)) == (closed, names)
