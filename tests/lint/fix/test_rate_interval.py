"""DK131 fixed: rate() over a short fixed range or $__interval gets $__rate_interval; what is not safe to change
(increase() windows, long deliberate ranges, irate(), the author's variables) is left, and the report says why."""

import pytest

from dashkit.lint.fix.rate_interval import range_spans, rewrite, use_rate_interval
from dashkit.lint.fix.registry import Fixed, Left
from dashkit.lint.rules._examples import dashboard, panel

from .helpers import findings, run_fixer


@pytest.mark.parametrize(("before", "after"), [
    ("sum(rate(http_requests_total[5m]))", "sum(rate(http_requests_total[$__rate_interval]))"),
    ('increase(errors_total{code=~"5..", path="/a[1m]"}[1h30m]) / ignoring(code) rate(x_total[1m] offset 1h)',
     'increase(errors_total{code=~"5..", path="/a[1m]"}[1h30m]) / ignoring(code) '
     'rate(x_total[$__rate_interval] offset 1h)'),
    ("rate(x_total[$__interval])", "rate(x_total[$__rate_interval])"),
    ("rate(x_total[${__interval}])", "rate(x_total[$__rate_interval])"),
    ("rate(x_total[$interval])", "rate(x_total[$__rate_interval])"),  # Grafana's old name for $__interval
])
def test_fixed_ranges_and_the_zoom_interval_become_rate_interval(before, after):
    assert rewrite(before, own_interval_variable=False).expr == after


@pytest.mark.parametrize(("expr", "why"), [
    ("irate(x_total[5m])", "DK139"),
    ("rate(x_total[$window])", "a dashboard variable"),
    ("rate(x_total[5m:1m])", "a subquery"),
    ("increase(x_total[$__range])", "counts over its window"),
    ("increase(x_total[5m])", "counts over its window"),
    ("sum(rate(x_total[1h]))", "deliberate"),
])
def test_irate_subqueries_and_the_authors_own_variables_are_left(expr, why):
    result = rewrite(expr, own_interval_variable=False)
    assert result.expr == expr and not result.replaced
    assert why in result.kept[0]


def test_the_dashboards_own_interval_picker_is_left():
    assert rewrite("rate(x_total[$interval])", own_interval_variable=True).replaced == ()


def test_ranges_inside_label_values_are_not_code():
    assert range_spans('rate(x_total{le="rate(y[1m])"}[5m])') == [("rate", 31, 33)]


def test_a_flagged_dashboard_query_is_fixed_and_no_longer_flagged():
    data = dashboard(panel(expr="sum(rate(http_requests_total[5m])) / sum(rate(x_total[1m]))"))
    outcomes = run_fixer(use_rate_interval, data, "DK131")
    assert outcomes == [Fixed("DK131", "panels[0].targets[0].expr",
                              "rate() [5m], rate() [1m] → [$__rate_interval]")]
    assert data["panels"][0]["targets"][0]["expr"] == ("sum(rate(http_requests_total[$__rate_interval])) / "
                                                       "sum(rate(x_total[$__rate_interval]))")
    assert findings(data, "DK131") == []


def test_a_query_with_a_subquery_is_left_whole():
    expr = "max_over_time(rate(x_total[5m])[1h:1m])"
    data = dashboard(panel(expr=expr))
    [outcome] = run_fixer(use_rate_interval, data, "DK131")
    assert isinstance(outcome, Left) and "subquery" in outcome.why
    assert data["panels"][0]["targets"][0]["expr"] == expr


def test_an_irate_beside_a_rate_is_kept_and_said_so():
    data = dashboard(panel(expr="irate(a_total[5m]) + rate(b_total[5m])"))
    [outcome] = run_fixer(use_rate_interval, data, "DK131")
    assert outcome.what.startswith("rate() [5m] → [$__rate_interval]; left irate() [5m]")
    assert data["panels"][0]["targets"][0]["expr"] == "irate(a_total[5m]) + rate(b_total[$__rate_interval])"
