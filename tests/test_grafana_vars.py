"""Dashboard PromQL with Grafana variables parses once each variable gets a value that fits where it stands."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashkit.grafana_vars import parse_promql, substitute_variables
from dashkit.lint.walk import panels

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _check(expr: str, expected: str) -> None:
    assert substitute_variables(expr) == expected
    parse_promql(expr)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("rate(x[$__rate_interval])", "rate(x[5m])"),
        ("rate(x[${__rate_interval}])", "rate(x[5m])"),
        ("increase(x[$__range])", "increase(x[5m])"),
        ("avg_over_time(x[$__interval])", "avg_over_time(x[5m])"),
        ("rate(x[$__auto_interval_period])", "rate(x[5m])"),
        ("max_over_time(x[$__range:$__interval])", "max_over_time(x[5m:5m])"),
        ("increase(x[${__range_s}s])", "increase(x[3600s])"),
        ("x / $__range_s", "x / 3600"),
        ("x / $__range_ms + $__interval_ms", "x / 3600000 + 300000"),
        ("x @ ${__to:date:seconds}", "x @ 1700003600"),
        ("timestamp(x) * 1000 > $__from", "timestamp(x) * 1000 > 1700000000000"),
    ],
)
def test_builtin_variables_keep_their_meaning(expr, expected):
    _check(expr, expected)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('up{job="$job"}', 'up{job="job"}'),
        ('up{instance=~"${instance:regex}", pod=~"${pod:pipe}"}', 'up{instance=~"instance", pod=~"pod"}'),
        ("up{job='[[job]]', env=`$env`}", "up{job='job', env=`env`}"),
        ('up{job="\\"$job\\""}', 'up{job="\\"job\\""}'),
        ('label_replace(up, "$dst", "$1", "instance", "(.*):$port")',
         'label_replace(up, "dst", "$1", "instance", "(.*):port")'),
    ],
)
def test_variables_inside_strings_become_words(expr, expected):
    _check(expr, expected)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("rate(x[$interval])", "rate(x[5m])"),
        ("rate(x[[[interval]]])", "rate(x[5m])"),
        ("rate(x[${window}])", "rate(x[5m])"),
        ("max_over_time(x[$window:$resolution])", "max_over_time(x[5m:5m])"),
        ("rate(x[${minutes}m])", "rate(x[1m])"),
        ("x offset $shift", "x offset 5m"),
    ],
)
def test_variables_in_ranges_and_after_offset_become_durations(expr, expected):
    _check(expr, expected)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("sum by ($group_by) (x)", "sum by (group_by) (x)"),
        ("sum without ([[a]], ${b}) (x)", "sum without (a, b) (x)"),
        ("sum(x) by (${labels:csv})", "sum(x) by (labels)"),
        ("x * on ($l) group_left ($m) y", "x * on (l) group_left (m) y"),
        ("x / ignoring ($l) group_right ($m) y", "x / ignoring (l) group_right (m) y"),
        ("sum by ($group) (x)", "sum by (var_group) (x)"),
        ('{$label="x"}', '{label="x"}'),
    ],
)
def test_variables_in_label_lists_become_identifiers(expr, expected):
    _check(expr, expected)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("topk($n, sum by (pod) (x))", "topk(1, sum by (pod) (x))"),
        ("topk by (pod) ($n, x)", "topk by (pod) (1, x)"),
        ("bottomk(${n}, x)", "bottomk(1, x)"),
        ("quantile($q, x)", "quantile(1, x)"),
        ("histogram_quantile($q, rate(x_bucket[5m]))", "histogram_quantile(1, rate(x_bucket[5m]))"),
        ("quantile_over_time([[q]], x[1h])", "quantile_over_time(1, x[1h])"),
        ("clamp_max(x, $max)", "clamp_max(x, 1)"),
        ("predict_linear(x[1h], $horizon) < 0", "predict_linear(x[1h], 1) < 0"),
        ("sum(x) by (pod) > $threshold", "sum(x) by (pod) > 1"),
        ("x > bool $threshold", "x > bool 1"),
        ("count_values(${label:doublequote}, x)", 'count_values("label", x)'),
    ],
)
def test_variables_where_promql_wants_a_scalar_become_numbers(expr, expected):
    _check(expr, expected)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('$metric{job="a"}', 'metric{job="a"}'),
        ("rate($metric[5m])", "rate(metric[5m])"),
        ("[[metric]]", "metric"),
        ("node_${kind}_bytes_total", "node_kind_bytes_total"),
        ("rate(node_network_[[direction]]_bytes_total[5m])", "rate(node_network_direction_bytes_total[5m])"),
        ("sum($a) / sum($b)", "sum(a) / sum(b)"),
        ("x and $sum", "x and var_sum"),
        ("$__user", "user"),
    ],
)
def test_other_variables_become_metric_names(expr, expected):
    _check(expr, expected)


def test_an_expression_without_variables_is_left_as_written():
    expr = 'sum by (job) (rate(http_requests_total{code=~"5..", path!="/$"}[5m] offset 1h)) > 0.1'
    assert substitute_variables(expr) == expr


def test_parse_errors_name_the_expression_and_the_parsers_message():
    with pytest.raises(ValueError, match=r"unclosed left parenthesis(.|\n)*expression: rate\(x\{job=\"\$job\"\}\[5m\]"):
        parse_promql('rate(x{job="$job"}[5m]')


def test_what_grafana_would_send_invalid_stays_invalid():
    with pytest.raises(ValueError):
        parse_promql("rate($metric)")  # a range function given an instant vector


_NOT_PROMETHEUS = ("loki", "elasticsearch", "graphite", "influx", "tempo", "cloudwatch", "mysql", "postgres")
# The PromQL inside a Prometheus variable query; `label_values(label)`, `metrics(...)` and the like have none.
_VARIABLE_QUERY = re.compile(
    r"\s*(?:label_values\((?P<selector>.+),\s*[\w.]+\s*\)|query_result\((?P<query>.+)\))\s*$", re.DOTALL
)


def _panels(dashboard: dict) -> Iterator[dict]:
    """Every panel, including those nested in collapsed rows and in legacy `rows[]` (dashkit's own walker)."""
    return (ref.panel for ref in panels(dashboard, include_rows=True))


def _is_prometheus(datasource: object) -> bool:
    kind = datasource.get("type") if isinstance(datasource, dict) else datasource
    return not (isinstance(kind, str) and any(name in kind.lower() for name in _NOT_PROMETHEUS))


def _promql(dashboard: dict) -> Iterator[str]:
    for panel in _panels(dashboard):
        for target in panel.get("targets") or []:
            expr = target.get("expr")
            datasource = target.get("datasource") or panel.get("datasource")
            if isinstance(expr, str) and expr.strip() and _is_prometheus(datasource):
                yield expr
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        query = variable.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        if variable.get("type") == "query" and isinstance(query, str) and _is_prometheus(variable.get("datasource")):
            match = _VARIABLE_QUERY.match(query)
            if match:
                yield match["selector"] or match["query"]


def test_every_promql_expression_in_the_corpus_parses_after_substitution():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    parsed, with_variables, failures = 0, 0, []
    for path in sorted(CORPUS.rglob("*.json")):
        for expr in _promql(json.loads(path.read_text())):
            with_variables += substitute_variables(expr) != expr
            try:
                parse_promql(expr)
                parsed += 1
            except ValueError as exc:
                failures.append(f"{path.relative_to(CORPUS)}: {exc}")
    first = "\n".join(failures[:5])
    assert not failures, f"{len(failures)} of {parsed + len(failures)} expressions do not parse; first ones:\n{first}"
    assert parsed > 9500 and with_variables > 9000, f"only {parsed} expressions ({with_variables} with variables)"
