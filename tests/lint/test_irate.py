"""DK139: irate() in a dashboard is fair only over a fixed short range; over a range that follows the zoom, or a
long one, it shows a sample of two-point rates that looks like a smoothed rate."""

from __future__ import annotations

import pytest

from dashkit.lint.config import LintConfig
from dashkit.lint.model import DocKind, Document
from dashkit.lint.rules.irate import irate_ranges
from dashkit.lint.runner import lint


def _findings(expr: str) -> list[str]:
    panel = {"id": 1, "type": "timeseries", "title": "P", "datasource": {"type": "prometheus", "uid": "p"},
             "targets": [{"refId": "A", "expr": expr}]}
    doc = Document(DocKind.DASHBOARD, {"uid": "d", "title": "D", "panels": [panel]}, "d.json")
    return [f.message for f in lint([doc], LintConfig(select={"DK139"}))]


def test_irate_over_rate_interval_is_reported():
    # kube-prometheus grafana-overview.json, "Request Latency"
    expr = ('histogram_quantile(0.99, sum(irate(grafana_http_request_duration_seconds_bucket{instance=~"$instance", '
            'job=~"$job"}[$__rate_interval])) by (le)) * 1')
    assert _findings(expr) == [
        "irate() over [$__rate_interval]: the range grows with the zoom, but irate() still uses only the last two "
        "samples of it, so the graph shows a sample of spikes, not a rate; use rate() or a fixed short range"]


def test_irate_over_a_long_fixed_range_is_reported():
    assert _findings("sum(irate(http_requests_total[1h]))") == [
        "irate() over [1h] still uses only the last two samples, not 1h of data, and keeps showing a stale rate that "
        "long after a target disappears; use rate() for a rate over [1h]"]


@pytest.mark.parametrize("expr", [
    'sum by (status_code) (irate(grafana_http_request_duration_seconds_count{job=~"$job"}[1m]))',
    "irate(node_disk_reads_completed_total[5m])",
    "sum(irate(container_network_receive_bytes_total[$interval:$resolution])) by (namespace)",  # the author's own
    "sum(rate(http_requests_total[$__rate_interval]))",
    'sum(rate(node_irate_like_total{path="irate([1h])"}[5m]))',
])
def test_irate_over_a_fixed_short_range_and_queries_without_irate_are_quiet(expr):
    assert _findings(expr) == []


def test_the_range_is_read_as_written_around_nested_brackets_and_strings():
    assert irate_ranges('irate(x{path=~"[a-z]+", le="]"}[${__rate_interval}]) + irate((a + b)[10m:1m])') == [
        "${__rate_interval}", "10m:1m"]
