"""PromQL helpers: escaping, default windows, ratios and quantiles that a reader would write by hand."""

import pytest

from dashkit.builders import (
    BuilderError,
    Conventions,
    eq,
    error_ratio,
    escape_label_value,
    latency_quantile,
    rate,
    regex,
    request_rate,
    selector,
    variable,
)
from dashkit.grafana_vars import parse_promql


def test_label_values_are_escaped():
    assert escape_label_value('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
    expr = selector("up", [eq("path", 'say "hi"\\now')])
    assert expr == 'up{path="say \\"hi\\"\\\\now"}'
    parse_promql(expr)


def test_rate_uses_rate_interval_by_default():
    assert rate("http_requests_total", [eq("service", "api")]) == \
        'rate(http_requests_total{service="api"}[$__rate_interval])'
    assert rate("x", window="5m") == "rate(x[5m])"


def test_error_ratio_is_5xx_over_all():
    expr = error_ratio([variable("cluster")])
    assert expr == (
        'sum(rate(http_requests_total{cluster=~"$cluster", status_code=~"5.."}[$__rate_interval]))'
        ' / sum(rate(http_requests_total{cluster=~"$cluster"}[$__rate_interval]))'
    )
    parse_promql(expr)


def test_quantile_keeps_le_and_extra_labels():
    expr = latency_quantile(0.99, [eq("service", "api")], by=["route"])
    assert expr.startswith("histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{")
    parse_promql(expr)


def test_conventions_rename_metrics_in_one_place():
    c = Conventions().replace(requests_total="http_server_requests_seconds_count", method_label="verb")
    assert request_rate(by=[c.method_label], conventions=c) == \
        "sum by (verb) (rate(http_server_requests_seconds_count[$__rate_interval]))"
    with pytest.raises(BuilderError, match="unknown convention"):
        Conventions().replace(requests="x")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: latency_quantile(95), "between 0 and 1"),
        (lambda: selector("bad-metric"), "not a valid Prometheus metric name"),
        (lambda: eq("bad-label", "x"), "not a valid Prometheus label name"),
        (lambda: rate("x", window="five minutes"), "window"),
        (lambda: regex("le", 5), "must be matched against a string"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(BuilderError, match=message):
        call()
