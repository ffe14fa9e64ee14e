"""DK13x: PromQL in dashboard queries: valid, rates over counters with a safe range, quantiles that keep
`le`, and the dashboard's own filters applied."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ... import promql_ast as ast
from ...durations import format_duration
from ..metric_types import is_timestamp
from ..model import DocKind, Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import referenced_variables, variables
from ._examples import DS_VAR, alert, dashboard, panel, query_var, rules_file
from ._promql import (
    RANGE_FUNCTIONS,
    Query,
    analyse,
    calls,
    dashboard_queries,
    looks_like_recording_rule,
    named_like_counter,
    parse,
    queries,
    selectors_of,
)

ALL_KINDS = (DocKind.DASHBOARD, DocKind.PROMETHEUS_RULES, DocKind.GRAFANA_RULES)


class PromqlRule(Rule):
    """A rule over every parsed PromQL query of a document (invalid ones are DK130's and DK201's business)."""

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for query in queries(doc):
            tree = parse(query.expr)
            if not isinstance(tree, ValueError):
                for message in self.check_query(tree, query, ctx):
                    if isinstance(message, tuple):  # (message, severity) when less certain than the rule
                        yield self.finding(doc, query.path, message[0], message[1])
                    else:
                        yield self.finding(doc, query.path, message)

    def check_query(self, tree, query: Query, ctx: LintContext) -> Iterator[str | tuple[str, Severity]]:
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


# rate() whose range is the dashboard step itself (increase() over the step is the per-interval count of a bar chart;
# irate() is DK139's: it wants a short fixed range)
_OVER_INTERVAL = re.compile(r"\brate\s*\([^()\[]*\[\s*\$(?:__interval|\{__interval\})\s*\]")
MAX_STEP_RANGE = 900  # seconds: a fixed rate() range up to 15m stands for "the step"; a longer one is deliberate


@register
class RateInterval(PromqlRule):
    code = "DK131"
    name = "rate-interval"
    severity = Severity.WARNING
    summary = ("`rate()`/`irate()` in a dashboard uses a short fixed range (up to 15m), or `rate()` the step "
               "(`$__interval`), instead of `$__rate_interval`.")
    why = ("A fixed range is too short when zoomed out (gaps, missed spikes) or too long when zoomed in, and the step "
           "alone (`$__interval`) holds no two samples when zoomed in; `$__rate_interval` follows the step and the "
           "scrape interval. Longer windows (`rate(x[1h])` smoothing) and `increase()` (a count over its window) are "
           "deliberate and not reported.")
    aliases = ("target-rate-interval-rule",)
    good = (Example(dashboard()),
            Example(dashboard(panel(expr="sum(increase(http_requests_total[24h]))")),
                    note="a daily count: the window is the point"),
            Example(dashboard(panel(expr="sum(rate(http_requests_total[1h]))")), note="deliberate smoothing"))
    bad = (Example(dashboard(panel(expr="sum(rate(http_requests_total[5m]))"))),
           Example(dashboard(panel(expr="sum(rate(http_requests_total[$__interval]))")),
                   note="the step: shorter than two scrapes when zoomed in, so rate() has no two samples to use"))

    def check_query(self, tree, query: Query, ctx: LintContext) -> Iterator[str]:
        over_step = _OVER_INTERVAL.search(query.expr)
        if over_step:
            yield "rate() over [$__interval] (the step) has no two samples when zoomed in; use [$__rate_interval]"
            return
        if "$__rate_interval" in query.expr or "$__interval" in query.expr or "$__range" in query.expr:
            return
        for call in calls(query.expr, "rate", "irate"):
            for arg in call.args:
                if ast.kind(arg) == "MatrixSelector" and arg.range.total_seconds() <= MAX_STEP_RANGE:
                    yield f"{call.func.name}() over a fixed [{format_duration(arg.range.total_seconds())}] range; " \
                          "use [$__rate_interval]"
                    return


@register
class RateOverNonCounter(PromqlRule):
    code = "DK132"
    name = "rate-non-counter"
    severity = Severity.WARNING
    summary = ("`rate()`/`irate()`/`increase()` is applied to a gauge: one that Prometheus metadata (`--prometheus`), "
               "a metrics file (`--metrics-file`) or dashkit's table of well-known exporters declares a gauge.")
    why = ("rate() assumes a value that only goes up and treats every drop as a reset: over a gauge it invents "
           "numbers; use deriv() or delta(). A name is not evidence (`*_bytes` counters exist), so a metric nothing "
           "declares is not reported, and neither are timestamps (`*_time_seconds`), which only move forward.")
    applies_to = ALL_KINDS
    good = (Example(dashboard()), Example(rules_file(alert()), DocKind.PROMETHEUS_RULES),
            Example(dashboard(panel(expr="sum(rate(ceph_osd_op_w_in_bytes[$__rate_interval]))")),
                    note="a counter named *_bytes (Ceph): nothing declares it a gauge"),
            Example(dashboard(panel(expr="irate(node_network_receive_bytes[$__rate_interval])")),
                    note="node_exporter before 0.16 named this counter without _total"),
            Example(dashboard(panel(
                expr="rate(prometheus_remote_storage_highest_timestamp_in_seconds[$__rate_interval])")),
                note="a timestamp gauge: rate() is how fast it advances"))
    bad = (Example(dashboard(panel(expr="rate(node_memory_MemAvailable_bytes[$__rate_interval])"))),
           Example(rules_file(alert(expr="rate(node_memory_MemAvailable_bytes[5m]) > 1")), DocKind.PROMETHEUS_RULES))

    def check_query(self, tree, query: Query, ctx: LintContext) -> Iterator[str | tuple[str, Severity]]:
        for call in calls(query.expr, *RANGE_FUNCTIONS):
            for arg in call.args:
                selector = ast.selector_of(arg)
                if selector is None or not selector.metric or is_timestamp(selector.metric):
                    continue
                evidence = ctx.metric_types.is_gauge(selector.metric)
                if evidence is not None:
                    yield (f"{call.func.name}() over '{selector.metric}', a {evidence.declared} ({evidence.source}); "
                           "use deriv() or delta() for gauges")


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
    why = ("A counter's raw value is a lifetime total that resets on restart: its graph is a saw, its sum is noise. "
           "Reported as a warning when Prometheus metadata, a metrics file or dashkit's table of well-known exporters "
           "declares the metric a counter; a metric only named `*_total` is advice (gauges named so exist). A raw "
           "counter is fine where only its presence counts (`x > 0`, `... and x`) and in a recording rule that "
           "relabels it.")
    aliases = ("target-counter-agg-rule",)
    applies_to = ALL_KINDS
    good = (Example(dashboard()),
            Example(dashboard(panel(expr="sum(kubelet_running_pod_count)")),
                    note="a gauge named *_count (kubelet)"),
            Example(rules_file(alert(expr='histogram_quantile(0.01, sum by (job, le) (rate('
                                          'apiserver_client_certificate_expiration_seconds_bucket[5m]))) < 86400 '
                                          'and on (job) apiserver_client_certificate_expiration_seconds_count > 0')),
                    DocKind.PROMETHEUS_RULES, note="the raw count only says the histogram has data"),
            Example({"groups": [{"name": "compat", "rules": [
                {"record": "node_network_receive_bytes", "expr": "node_network_receive_bytes_total"}]}]},
                DocKind.PROMETHEUS_RULES, note="a recording rule that renames a counter records a counter"))
    bad = (Example(dashboard(panel(expr="sum(http_requests_total)"))),
           Example(dashboard(panel(expr='sum(kube_pod_container_status_restarts_total{namespace="$namespace"})'))))

    def check_query(self, tree, query: Query, ctx: LintContext) -> Iterator[str | tuple[str, Severity]]:
        unsure = None
        for use in analyse(query.expr).raw_uses:
            metric = use.metric
            if metric.endswith("_bucket") or (query.recording and not use.aggregated):
                continue  # raw buckets feed lifetime quantiles; a relabelled counter is still a counter
            evidence = ctx.metric_types.evidence(metric)
            if evidence is not None and evidence.behaves_as == "counter":
                yield (f"counter '{metric}' ({evidence.source}) is used without rate() or increase()",
                       Severity.WARNING)
                return
            if evidence is None and unsure is None and named_like_counter(metric) and not _measures_uptime(metric):
                unsure = metric
        if unsure is not None:
            yield (f"'{unsure}' is used without rate() or increase(); it is named like a counter, but nothing "
                   "declares its type (give --metrics-file or --prometheus to know)", Severity.INFO)


def _measures_uptime(metric: str) -> bool:
    """`apache_uptime_seconds_total`, `unbound_time_up_seconds_total`: counters whose raw value is the answer."""
    return "uptime" in metric or "time_up" in metric


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
    summary = ("The dashboard has a `job` or `instance` variable that its queries filter on, but a query over a "
               "metric of the same exporter does not.")
    why = ("Picking a job or instance then changes some panels and not others: a misleading dashboard. Only metrics "
           "of an exporter the variable is already applied to count (its metric prefix: `node_`, `kube_`...), and "
           "a filter on any label counts (`pod=~\"$instance\"`).")
    aliases = ("target-job-rule", "target-instance-rule")
    good = (Example(dashboard(panel(expr='sum(rate(http_requests_total{job=~"$job"}[$__rate_interval]))'),
                              variables=[DS_VAR, query_var("job", "label_values(up, job)", refresh=None)])),
            Example(dashboard(
                panel(expr='sum(rate(node_cpu_seconds_total{job=~"$job", mode!="idle"}[$__rate_interval]))'),
                panel(title="Pods", expr="sum(kube_pod_info)", id=2,
                      gridPos={"h": 8, "w": 12, "x": 12, "y": 0}),
                variables=[DS_VAR, query_var("job", "label_values(node_cpu_seconds_total, job)")]),
                note="kube_pod_info comes from another exporter than the one $job picks"),
            Example(dashboard(
                panel(expr='sum(rate(container_cpu_usage_seconds_total{pod=~"$instance"}[$__rate_interval]))'),
                variables=[DS_VAR, query_var("instance", "label_values(kube_pod_info, pod)")]),
                note="filtered by $instance through another label"))
    bad = (Example(dashboard(
        panel(expr='sum(rate(http_requests_total{job=~"$job"}[$__rate_interval]))'),
        panel(title="Errors", expr='sum(rate(http_requests_total{status=~"5.."}[$__rate_interval]))', id=2,
              gridPos={"h": 8, "w": 12, "x": 12, "y": 0}),
        variables=[DS_VAR, query_var("job", "label_values(up, job)", refresh=None)])),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        names = {v.get("name") for v in variables(doc.data) if isinstance(v.get("name"), str)} & {"job", "instance"}
        if not names:
            return
        parsed = [(query, selectors, referenced_variables(query.expr)) for query in dashboard_queries(doc)
                  for selectors in [selectors_of(query.expr)] if selectors]
        for name in sorted(names):
            filtered_prefixes = {_prefix(selector.metric) for _, selectors, written in parsed if name in written
                                 for selector in selectors if selector.metric and _filters_on(selector, name)}
            for query, selectors, written in parsed:
                for selector in selectors:
                    metric = selector.metric
                    if not metric or looks_like_recording_rule(metric) or _prefix(metric) not in filtered_prefixes:
                        continue
                    if not (name in written and _filters_on(selector, name)):
                        yield self.finding(doc, query.path, f"'{metric}' is not filtered by ${name}, which the "
                                                            f"dashboard's other {_prefix(metric)}_* queries use")
                        break


def _filters_on(selector: ast.Selector, variable: str) -> bool:
    """A matcher on any label whose value came from the variable (the parsed query reads "$job" as "job")."""
    return any(variable in value for label, _, value in selector.matchers if label != "__name__")


def _prefix(metric: str) -> str:
    """The exporter namespace a metric name starts with: node_, kube_, container_, ..."""
    return metric.split("_", 1)[0]
