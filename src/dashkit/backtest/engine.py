"""Replay rules over [start, end]: query every rule's PromQL over its evaluations (a little before `start`, so that
`for` and `keep_firing_for` are already running there), evaluate Grafana's expressions, move the alert states, and
report per alert series its firing intervals within the range, its pages and its time firing."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from . import grafana_expressions as gx
from .prometheus import Labels, Matrix, Prometheus, QueryFailed, RangeQuery
from .rules import Rule, expand_labels
from .states import (
    ERROR,
    NODATA,
    GrafanaRuleStates,
    Interval,
    Replay,
    Whole,
    grafana_replay,
    in_range,
    prometheus_replay,
)
from .times import evaluation_times

CHART_POINTS = 600  # buckets of a value line in the HTML report (each keeps its lowest and highest value)


@dataclass
class Alert:
    """One alert series: the rule's name, the series' labels (without __name__) and the rule's labels."""

    alert: str
    labels: dict[str, str]
    firing: list[Interval]
    pages: int
    firing_seconds: float
    rule: Rule
    values: list[tuple[float, float | None]] | None = None  # for charts: the compared value over the range
    result: RuleResult | None = field(default=None, repr=False, compare=False)  # its rule's whole replay

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.alert, tuple(sorted(self.labels.items()))

    @property
    def flapping(self) -> int:
        return sum(1 for i in self.firing if i.flapping)


@dataclass
class RuleResult:
    rule: Rule
    alerts: list[Alert] = field(default_factory=list)
    failure: str | None = None  # a query failed: nothing replayed
    no_data: int = 0  # evaluations in the range whose queries returned nothing (Grafana's NoData)
    errors: int = 0  # evaluations in the range that failed (duplicate label sets)
    evaluations: int = 0
    note: str | None = None
    charts: dict[Labels, list[tuple[float, float | None]]] = field(default_factory=dict)  # per alert labels


@dataclass
class Backtest:
    start: float
    end: float
    results: list[RuleResult]

    @property
    def alerts(self) -> list[Alert]:
        return sorted((a for r in self.results for a in r.alerts), key=lambda a: (a.alert, a.key[1], a.rule.group))

    @property
    def skipped(self) -> list[Rule]:
        return [r.rule for r in self.results if r.rule.problem]

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.results if r.failure]


@dataclass
class _Plan:
    """A rule's evaluations and the queries they need."""

    rule: Rule
    first: float
    count: int
    queries: dict[str, RangeQuery]  # key (refId, or "" for a Prometheus expr, "value" for its chart) -> query
    charts: bool = False


def run(rule_sets: Mapping[str, Sequence[Rule]], prometheus: Prometheus, start: float, end: float, *,
        charts: bool = False, done: Callable[[int, int], None] | None = None) -> dict[str, Backtest]:
    """Each set of rules replayed over [start, end] (their shared queries asked once). `charts`: keep the compared
    values for the HTML report. `done(replayed, total)` is called as rules finish."""
    plans: dict[tuple[str, int], _Plan] = {}
    results: dict[tuple[str, int], RuleResult] = {}
    for name, rules in rule_sets.items():
        for index, rule in enumerate(rules):
            if rule.problem:
                results[name, index] = RuleResult(rule)
            else:
                plans[name, index] = _plan(rule, start, end, charts)
    waiting: dict[RangeQuery, list[tuple[str, int]]] = {}
    for key, plan in plans.items():
        for query in set(plan.queries.values()):  # two refIds of a rule may run the same query: asked once
            waiting.setdefault(query, []).append(key)
    answers: dict[RangeQuery, Matrix | QueryFailed] = {}
    missing = {key: len(set(plan.queries.values())) for key, plan in plans.items()}
    replayed = 0
    for key, plan in list(plans.items()):
        if not missing[key]:
            results[key] = _replay(plan, {}, start, end)
            replayed += 1
    for query, answer in prometheus.fetch(waiting):
        answers[query] = answer
        for key in waiting[query]:
            missing[key] -= 1
            if missing[key]:
                continue
            plan = plans[key]
            got = {name: answers[q] for name, q in plan.queries.items()}
            failure = next((f"{_query_name(plan.rule, name)}: {a}" for name, a in got.items()
                            if isinstance(a, QueryFailed) and name != "value"), None)
            results[key] = RuleResult(plan.rule, failure=failure) if failure else _replay(
                plan, {n: a for n, a in got.items() if isinstance(a, Matrix)}, start, end)
            for used in set(plan.queries.values()):  # free what no rule waits for any more
                if all(not missing[k] for k in waiting[used]):
                    answers.pop(used, None)
            replayed += 1
            if done:
                done(replayed, len(plans))
    return {name: Backtest(start, end, [results[name, i] for i in range(len(rules))])
            for name, rules in rule_sets.items()}


def _query_name(rule: Rule, key: str) -> str:
    if rule.kind == "prometheus":
        return "its expression"
    query = next((q for q in rule.queries if q.key == key), None)
    return f"query {query.ref if query else key}"


def _plan(rule: Rule, start: float, end: float, charts: bool) -> _Plan:
    first, count = evaluation_times(start - rule.warmup, end, rule.interval)
    queries: dict[str, RangeQuery] = {}
    if rule.kind == "prometheus":
        queries[""] = RangeQuery(rule.expr, first - rule.shift, rule.interval, count)
        if charts and rule.value:
            queries["value"] = RangeQuery(rule.value, first - rule.shift, rule.interval, count)
    else:
        for query in rule.queries:
            queries[query.key] = RangeQuery(query.expr, first - query.shift, rule.interval, count)
    return _Plan(rule, first, count, {k: q for k, q in queries.items() if q.count > 0}, charts)


def _replay(plan: _Plan, answers: Mapping[str, Matrix], start: float, end: float) -> RuleResult:
    rule = plan.rule
    times = [plan.first + i * rule.interval for i in range(plan.count)]
    try:
        if rule.kind == "prometheus":
            replay, charts = _replay_prometheus(rule, times, answers, start)
        else:
            replay, charts = _replay_grafana(rule, times, answers, start, plan.charts)
    except gx.ExpressionError as exc:
        return RuleResult(rule, failure=str(exc))
    evaluations = len(times) - bisect.bisect_left(times, start)
    result = RuleResult(rule, no_data=replay.no_data, errors=replay.errors, evaluations=evaluations)
    result.charts = {labels: _chart(times, values, start) for labels, values in charts.items()}
    result.alerts = _alerts(rule, replay, result.charts, start, end)
    for alert in result.alerts:
        alert.result = result
    if rule.kind == "grafana" and evaluations and replay.no_data == evaluations:
        recorded = sorted({m for q in rule.queries for m in re.findall(r"[A-Za-z_]\w*:[\w:]+", q.expr)})
        if recorded:
            result.note = (f"no data: it reads recording rules ({', '.join(recorded)}) whose history this "
                           "Prometheus must hold (backfill it with promtool tsdb create-blocks-from rules)")
    return result


def _alert_labels(rule: Rule, series: Labels) -> Labels:
    """The series' labels without __name__, the rule's over them (templates filled in); for Prometheus without those
    that came out empty (Prometheus' label builder deletes a label set to "")."""
    labels = {k: v for k, v in series if k != "__name__"}
    labels.update(expand_labels(rule.labels, labels))
    if rule.kind == "prometheus":
        labels = {k: v for k, v in labels.items() if v != ""}
    return tuple(sorted(labels.items()))


def _replay_prometheus(rule: Rule, times: list[float], answers: Mapping[str, Matrix], start: float
                       ) -> tuple[Replay, dict[Labels, list[float | None]]]:
    matrix = answers.get("")
    present: list[list[Labels] | None] = [[] for _ in times]
    keys: dict[Labels, int] = {}
    if matrix is not None:
        for series, values in matrix.series.items():
            key = _alert_labels(rule, series)
            keys[key] = keys.get(key, 0) + 1
            for i in [i for i, v in enumerate(values) if v is not None]:
                present[i].append(key)  # type: ignore[union-attr]
    if any(n > 1 for n in keys.values()):  # two series with the same alert labels: Prometheus fails that evaluation
        present = [None if p is not None and len(set(p)) != len(p) else p for p in present]
    replay = prometheus_replay(times, present, rule.pending, rule.keep_firing_for, start)
    charts: dict[Labels, list[float | None]] = {}
    value = answers.get("value")
    if value is not None:
        charts = {_alert_labels(rule, s): v for s, v in value.series.items()}
    return replay, charts


def _replay_grafana(rule: Rule, times: list[float], answers: Mapping[str, Matrix], start: float, charts: bool
                    ) -> tuple[Replay, dict[Labels, list[float | None]]]:
    count = len(times)
    inputs = {q.key: [gx.Column(s, v) for s, v in answers[q.key].series.items()] if q.key in answers else []
              for q in rule.queries}
    graph = gx.Graph(rule.expressions, inputs, count)
    condition = graph.output(rule.condition)
    whole = _no_data(rule, inputs, count)
    keyed = [(_alert_labels(rule, c.labels), c.values) for c in condition]
    if len({k for k, _ in keyed}) != len(keyed):  # two series with the same alert labels: Grafana's Error
        for i in range(count):
            present = [k for k, v in keyed if v[i] is not None]
            if whole[i] is None and len(set(present)) != len(present):
                whole[i] = Whole(ERROR)
    no_series = Whole(NODATA, _alert_labels(rule, ()))
    states = GrafanaRuleStates(rule.interval, rule.pending, rule.keep_firing_for, rule.no_data_state,
                               rule.exec_err_state, rule.missing_series_evals)
    replay = grafana_replay(times, keyed, whole, states, no_series, start)
    shown: dict[Labels, list[float | None]] = {}
    if charts and rule.value:
        try:
            shown = {_alert_labels(rule, c.labels): c.values for c in graph.output(rule.value)}
        except gx.ExpressionError:
            shown = {}
    return replay, shown


def _no_data(rule: Rule, inputs: Mapping[str, list[gx.Column]], count: int) -> list[Whole | None]:
    """At each evaluation, Whole(NODATA) when a query returned no series (Grafana's execResults.NoData: the whole
    evaluation is NoData, labelled with the datasource and refIds of those queries), else None."""
    empty: dict[str, list[bool]] = {}
    for query in rule.queries:
        columns = inputs[query.key]
        flags = [True] * count if not columns else [v is None for v in columns[0].values]
        for column in columns[1:]:
            flags = [e and v is None for e, v in zip(flags, column.values, strict=True)]
        empty[query.key] = flags
    whole: list[Whole | None] = [None] * count
    made: dict[tuple[str, ...], Whole] = {}
    lacking = next(iter(empty.values())) if len(empty) == 1 else [
        any(flags) for flags in zip(*empty.values(), strict=True)]
    for i in [i for i, lacks in enumerate(lacking) if lacks]:
        without = tuple(q.key for q in rule.queries if empty[q.key][i])
        if without:
            if without not in made:
                chosen = [q for q in rule.queries if q.key in without]
                refs = ",".join(sorted({q.ref for q in chosen}))
                uids = ",".join(sorted({q.datasource_uid for q in chosen}))
                made[without] = Whole(NODATA, _alert_labels(rule, (("datasource_uid", uids), ("ref_id", refs))))
            whole[i] = made[without]
    return whole


def _alerts(rule: Rule, replay: Replay, charts: Mapping[Labels, list[tuple[float, float | None]]], start: float,
            end: float) -> list[Alert]:
    alerts = []
    for labels, firings in replay.firing.items():
        intervals, pages, seconds = in_range(firings, start, end, rule.interval)
        if intervals:
            alerts.append(Alert(rule.alert, dict(labels), intervals, pages, seconds, rule, charts.get(labels)))
    if not alerts:  # a rule that never fired appears once, with its own labels
        only = next(iter(charts.values())) if len(charts) == 1 else None
        alerts.append(Alert(rule.alert, expand_labels(rule.labels, {}), [], 0, 0.0, rule, only))
    return alerts


def _chart(times: list[float], values: list[float | None] | None, start: float) -> list[tuple[float, float | None]]:
    """The values from `start` on, at most CHART_POINTS buckets, each as its lowest and highest value (a gap as
    None, non-finite values left out)."""
    if values is None:
        return []
    points = [(t, v) for t, v in zip(times, values, strict=True) if t >= start]
    size = max(1, math.ceil(len(points) / CHART_POINTS))
    out: list[tuple[float, float | None]] = []
    for at in range(0, len(points), size):
        bucket = [(t, v) for t, v in points[at:at + size] if v is not None and math.isfinite(v)]
        if not bucket:
            out.append((points[at][0], None))
            continue
        low, high = min(bucket, key=lambda p: p[1]), max(bucket, key=lambda p: p[1])  # type: ignore[arg-type,return-value]
        out.extend(sorted({low, high}))
    return out
