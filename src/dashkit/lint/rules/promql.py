"""DK13x: PromQL in dashboard queries: valid, rates over counters with a safe range, quantiles that keep
`le`, and the dashboard's own filters applied."""

from __future__ import annotations

from collections.abc import Iterator

from ... import promql_ast as ast
from ...durations import format_duration
from ..model import DocKind, Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import variables
from ._examples import DS_VAR, alert, dashboard, panel, query_var, rules_file
from ._promql import (
    RANGE_FUNCTIONS,
    Query,
    analyse,
    calls,
    dashboard_queries,
    is_counter,
    looks_like_gauge,
    looks_like_recording_rule,
    parse,
    queries,
)

ALL_KINDS = (DocKind.DASHBOARD, DocKind.PROMETHEUS_RULES, DocKind.GRAFANA_RULES)


class PromqlRule(Rule):
    """A rule over every parsed PromQL query of a document (invalid ones are DK130's and DK201's business)."""

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for query in queries(doc):
            tree = parse(query.expr)
            if not isinstance(tree, ValueError):
                for message in self.check_query(tree, query, ctx):
                    yield self.finding(doc, query.path, message)

    def check_query(self, tree, query: Query, ctx: LintContext) -> Iterator[str]:
        return iter(())


@register
class InvalidPromql(Rule):
    code = "DK130"
    name = "promql-invalid"
    severity = Severity.ERROR
    summary = "A Prometheus query does not parse (after Grafana's variables are replaced)."
    why = "Prometheus rejects it: the panel shows an error instead of data."
    aliases = ("target-promql-rule",)
    good = (Example(dashboard()),)
    bad = (Example(dashboard(panel(expr="sum(rate(http_requests_total[5m])"))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for query in dashboard_queries(doc):
            tree = parse(query.expr)
            if isinstance(tree, ValueError):
                yield self.finding(doc, query.path, f"invalid PromQL: {tree}")


@register
class RateInterval(PromqlRule):
    code = "DK131"
    name = "rate-interval"
    severity = Severity.WARNING
    summary = "`rate()`/`irate()`/`increase()` in a dashboard uses a fixed range instead of `$__rate_interval`."
    why = ("A fixed range is too short when zoomed out (gaps, missed spikes) or too long when zoomed in; "
           "`$__rate_interval` follows the step and the scrape interval.")
    aliases = ("target-rate-interval-rule",)
    good = (Example(dashboard()),)
    bad = (Example(dashboard(panel(expr="sum(rate(http_requests_total[5m]))"))),)

    def check_query(self, tree, query: Query, ctx: LintContext) -> Iterator[str]:
        if "$__rate_interval" in query.expr or "$__interval" in query.expr or "$__range" in query.expr:
            return
        for call in calls(query.expr, "rate", "irate", "increase"):
            for arg in call.args:
                if ast.kind(arg) == "MatrixSelector":
                    yield f"{call.func.name}() over a fixed [{format_duration(arg.range.total_seconds())}] range; " \
                          "use [$__rate_interval]"
                    return


@register
class RateOverNonCounter(PromqlRule):
    code = "DK132"
    name = "rate-non-counter"
    severity = Severity.WARNING
    summary = "`rate()`/`increase()` is applied to a metric named like a gauge (e.g. `_bytes`, `_ratio`, `_info`)."
    why = ("rate() assumes a value that only goes up and treats every drop as a reset: over a gauge it invents "
           "numbers. Counters end in _total (or _count/_sum/_bucket for histograms); use deriv() for gauges.")
    applies_to = ALL_KINDS
    good = (Example(dashboard()), Example(rules_file(alert()), DocKind.PROMETHEUS_RULES))
    bad = (Example(dashboard(panel(expr="rate(node_memory_MemAvailable_bytes[$__rate_interval])"))),
           Example(rules_file(alert(expr="rate(node_memory_MemAvailable_bytes[5m]) > 1")), DocKind.PROMETHEUS_RULES))

    def check_query(self, tree, query: Query, ctx: LintContext) -> Iterator[str]:
        for call in calls(query.expr, *RANGE_FUNCTIONS):
            for arg in call.args:
                selector = ast.selector_of(arg)
                if selector is None or not selector.metric or looks_like_recording_rule(selector.metric):
                    continue
                if looks_like_gauge(selector.metric):
                    yield f"{call.func.name}() over '{selector.metric}', which is named like a gauge; " \
                          "use deriv() or delta() for gauges"


@register
class RateRangeTooShort(PromqlRule):
    code = "DK133"
    name = "rate-range-too-short"
    severity = Severity.WARNING
    summary = "A `rate()` range is shorter than twice the scrape interval."
    why = "rate() needs at least two samples in the range; with fewer it returns nothing, and the graph has gaps."
    applies_to = ALL_KINDS

    good = (Example(dashboard(panel(expr="sum(rate(http_requests_total[1m]))"))),)
    bad = (Example(dashboard(panel(expr="sum(rate(http_requests_total[15s]))"))),)

    def check_query(self, tree, query: Query, ctx: LintContext) -> Iterator[str]:
        for call in calls(query.expr, *RANGE_FUNCTIONS):
            for arg in call.args:
                if ast.kind(arg) != "MatrixSelector" or ("$" in query.expr and "[$" in query.expr):
                    continue
                seconds = arg.range.total_seconds()
                if seconds < 2 * ctx.scrape_interval:
                    yield (f"{call.func.name}() over [{format_duration(seconds)}] needs at least "
                           f"[{format_duration(2 * ctx.scrape_interval)}] with a {format_duration(ctx.scrape_interval)}"
                           " scrape interval (lint.scrape_interval)")


@register
class CounterWithoutRate(PromqlRule):
    code = "DK134"
    name = "counter-without-rate"
    severity = Severity.WARNING
    summary = "A counter is shown or aggregated raw instead of through `rate()`/`increase()`."
    why = "A counter's raw value is a lifetime total that resets on restart: its graph is a saw, its sum is noise."
    aliases = ("target-counter-agg-rule",)
    applies_to = ALL_KINDS
    good = (Example(dashboard()),)
    bad = (Example(dashboard(panel(expr="sum(http_requests_total)"))),)

    def check_query(self, tree, query: Query, ctx: LintContext) -> Iterator[str]:
        for metric in analyse(query.expr).bare_metrics:
            if is_counter(metric) and not metric.endswith("_bucket"):
                yield f"counter '{metric}' is used without rate() or increase()"
                return


@register
class HistogramQuantileWithoutLe(PromqlRule):
    code = "DK135"
    name = "histogram-quantile-le"
    severity = Severity.ERROR
    summary = "`histogram_quantile()` gets buckets aggregated without keeping `le`."
    why = "The bucket boundaries are summed away: Prometheus returns NaN or nothing."
    applies_to = ALL_KINDS
    good = (Example(dashboard(panel(
        expr="histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[$__rate_interval])))",
        fieldConfig={"defaults": {"unit": "s"}, "overrides": []}))),)
    bad = (Example(dashboard(panel(
        expr="histogram_quantile(0.95, sum by (job) (rate(http_request_duration_seconds_bucket[$__rate_interval])))",
        fieldConfig={"defaults": {"unit": "s"}, "overrides": []}))),)

    def check_query(self, tree, query: Query, ctx: LintContext) -> Iterator[str]:
        for call in calls(query.expr, "histogram_quantile"):
            if len(call.args) < 2:
                continue
            inner = call.args[1]
            while ast.kind(inner) == "ParenExpr":
                inner = inner.expr
            if ast.kind(inner) != "AggregateExpr":
                continue
            labels = ast.aggregation_labels(inner)
            if labels is None:
                yield f"histogram_quantile over {ast.aggregation_op(inner)}() without 'by (le)'"
            elif labels[0] == "by" and "le" not in labels[1]:
                yield f"histogram_quantile over {ast.aggregation_op(inner)} by ({', '.join(labels[1])}) drops 'le'"
            elif labels[0] == "without" and "le" in labels[1]:
                yield "histogram_quantile over an aggregation 'without (le)'"


@register
class QueryIgnoresJobInstance(PromqlRule):
    code = "DK136"
    name = "query-ignores-filter"
    severity = Severity.INFO
    summary = "The dashboard has a `job` or `instance` variable, but a query does not filter on it."
    why = "Picking a job or instance then changes some panels and not others: a misleading dashboard."
    aliases = ("target-job-rule", "target-instance-rule")
    good = (Example(dashboard(panel(expr='sum(rate(http_requests_total{job=~"$job"}[$__rate_interval]))'),
                              variables=[DS_VAR, query_var("job", "label_values(up, job)", refresh=None)])),)
    bad = (Example(dashboard(panel(expr='sum(rate(http_requests_total{job="api"}[$__rate_interval]))'),
                             variables=[DS_VAR, query_var("job", "label_values(up, job)", refresh=None)])),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        names = {v.get("name") for v in variables(doc.data) if isinstance(v.get("name"), str)} & {"job", "instance"}
        if not names:
            return
        for query in dashboard_queries(doc):
            tree = parse(query.expr)
            if isinstance(tree, ValueError):
                continue
            for name in sorted(names):
                for selector in ast.selectors(tree):
                    if not selector.metric or looks_like_recording_rule(selector.metric):
                        continue
                    # The tree is of the substituted query, where "$job" reads "job" (see grafana_vars).
                    if not any(label == name and name in value for label, _, value in selector.matchers):
                        yield self.finding(doc, query.path, f"'{selector.metric}' is not filtered by ${name}")
                        break
