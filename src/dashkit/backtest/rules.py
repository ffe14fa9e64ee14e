"""What backtest replays: alert rules as data. Grafana-managed rules (the project's alert rule groups, SLO groups
included, and Grafana provisioning files) become a Rule of their PromQL queries and expressions; anything that
cannot be evaluated the way Grafana does becomes a Rule with a `problem` saying why, never a guess."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..datasource_refs import logical_name
from ..durations import parse_duration
from ..model import Resource
from . import grafana_expressions as gx

EXPRESSION_UIDS = ("__expr__", "-100")
DEFAULT_INTERVAL = 60.0
GRAFANA_STEP = 15.0  # a Prometheus datasource's default scrape interval: Grafana's step for range queries
_SUBQUERY = {"last": "last_over_time", "mean": "avg_over_time", "min": "min_over_time", "max": "max_over_time",
             "sum": "sum_over_time", "count": "count_over_time"}
_LABEL_TEMPLATE = re.compile(r"\{\{-?\s*(?:\$labels\.(\w+)|\.Labels\.(\w+)|index\s+\$labels\s+\"(\w+)\")\s*-?\}\}")


@dataclass(frozen=True)
class Query:
    """One PromQL query a rule runs: `key` is what its expressions read (a refId, or refId/reducer for a range
    query reduced in PromQL); evaluated `shift` seconds before each evaluation."""

    key: str
    ref: str
    expr: str
    shift: float = 0.0
    datasource_uid: str = ""


@dataclass(frozen=True)
class Rule:
    """An alert rule to replay. `kind` "grafana" (queries + expressions + condition) or "prometheus" (expr)."""

    kind: str
    alert: str
    group: str
    source: str
    interval: float = DEFAULT_INTERVAL
    pending: float = 0.0
    keep_firing_for: float = 0.0
    labels: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = None  # why it cannot be replayed (exactly)
    # prometheus
    expr: str = ""
    shift: float = 0.0  # the group's query_offset
    # grafana
    queries: tuple[Query, ...] = ()
    expressions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    condition: str = ""
    no_data_state: str = "NoData"
    exec_err_state: str = "Error"
    missing_series_evals: int = 2
    # what a chart draws: a query (prometheus) or a refId (grafana), and the thresholds it is compared with
    value: str | None = None
    thresholds: tuple[float, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.group} ({self.source})" if self.source and self.source != self.group else self.group

    @property
    def warmup(self) -> float:
        """How long before the range evaluation starts, so the state at its start is what it would have been."""
        return self.pending + self.keep_firing_for + max(2, self.missing_series_evals) * self.interval


def project_rules(resources: Iterable[Resource], datasource_types: Mapping[str, str] | None = None) -> list[Rule]:
    """The alerting rules of the project's alert rule groups (Grafana's rule-group JSON as bodies).
    `datasource_types`: uid, name or @name -> type of datasources known otherwise (dashkit.yaml's environments)."""
    resources = list(resources)
    prometheus_uids = {**(datasource_types or {}), **_prometheus_datasources(resources)}
    rules: list[Rule] = []
    for resource in resources:
        if resource.kind == "alert_rule_group":
            rules.extend(grafana_group(resource.body, resource.path or resource.title, resource.source,
                                       prometheus_uids))
    return rules


def environment_datasource_types(settings: Any) -> dict[str, str]:
    """@name, uid and name -> type of the datasources dashkit.yaml's environments define (those with a `type`)."""
    known: dict[str, str] = {}
    for environment in getattr(settings, "environments", {}).values():
        for name, ref in getattr(environment, "datasources", {}).items():
            kind = getattr(getattr(ref, "managed", None), "type", None)
            if isinstance(kind, str) and kind:
                for key in (f"@{name}", getattr(ref, "uid", None), getattr(ref, "name", None)):
                    if isinstance(key, str) and key:
                        known.setdefault(key, kind)
    return known


def _prometheus_datasources(resources: Iterable[Resource]) -> dict[str, str]:
    """uid, name and @logical name -> type, for datasources the project defines (datasources/)."""
    known: dict[str, str] = {}
    for resource in resources:
        if resource.kind == "datasource" and isinstance(resource.body, dict):
            kind = str(resource.body.get("type") or "")
            for key in (resource.body.get("uid"), resource.body.get("name"), resource.uid):
                if isinstance(key, str) and key:
                    known[key] = kind
            logical = getattr(resource.spec, "logical", None)
            if isinstance(logical, str) and logical:
                known[f"@{logical}"] = kind
    return known


def grafana_group(group: Mapping[str, Any], where: str, source: str,
                  datasource_types: Mapping[str, str] | None = None) -> list[Rule]:
    """The alerting rules of one Grafana rule group (recording rules are not alerts: left out)."""
    try:
        interval = float(parse_duration(group.get("interval") or DEFAULT_INTERVAL))
    except ValueError:
        interval = DEFAULT_INTERVAL
    out = []
    for rule in group.get("rules") or []:
        if isinstance(rule, dict) and not rule.get("record"):
            out.append(grafana_rule(rule, where, source, interval, datasource_types or {}))
    return out


def grafana_rule(rule: Mapping[str, Any], where: str, source: str, interval: float,
                 datasource_types: Mapping[str, str]) -> Rule:
    title = str(rule.get("title") or rule.get("uid") or "?")
    labels = rule.get("labels") if isinstance(rule.get("labels"), dict) else {}
    base = Rule("grafana", title, where, source, interval=max(interval, 1.0),
                labels={str(k): str(v) for k, v in labels.items()})
    try:
        return _grafana_rule(rule, base, datasource_types)
    except (gx.ExpressionError, ValueError) as exc:
        return Rule(**{**base.__dict__, "problem": str(exc)})


def _grafana_rule(rule: Mapping[str, Any], base: Rule, datasource_types: Mapping[str, str]) -> Rule:
    if rule.get("isPaused"):
        raise ValueError("the rule is paused: Grafana does not evaluate it")
    labels_problem = templated_labels(base.labels)
    if labels_problem:
        raise ValueError(labels_problem)
    data = {str(q.get("refId")): q for q in rule.get("data") or [] if isinstance(q, dict)}
    condition = str(rule.get("condition") or "")
    if condition not in data:
        raise ValueError(f"its condition {condition!r} names no query or expression")
    queries: dict[str, Query] = {}
    expressions: dict[str, dict[str, Any]] = {}
    ranged: dict[str, tuple[Mapping[str, Any], float, float]] = {}
    for ref, item in data.items():
        model = item.get("model") if isinstance(item.get("model"), dict) else {}
        uid = str(item.get("datasourceUid") or "")
        if _is_expression(uid, model):
            expressions[ref] = dict(model)
            continue
        expr, shift, lookback = _promql(ref, item, model, uid, datasource_types)
        if model.get("range") is True and model.get("instant") is True:
            raise ValueError(f"query {ref} is both instant and range: Grafana alerts on two frames per series")
        queries[ref] = Query(ref, ref, expr, shift, uid)
        if not (model.get("instant") is True and not model.get("range")):  # Grafana's default is a range query
            ranged[ref] = (model, lookback, shift)
    for ref, model in expressions.items():
        kind = model.get("type")
        if kind == "classic_conditions":
            raise ValueError(f"expression {ref} is a classic condition, which cannot be replayed exactly")
        if kind == "threshold" and any(isinstance(c, dict) and c.get("unloadEvaluator")
                                       for c in model.get("conditions") or []):
            raise ValueError(f"threshold {ref} has a recovery threshold (hysteresis), which cannot be replayed")
        if kind not in ("reduce", "threshold", "math"):
            raise ValueError(f"expression {ref} of type {kind!r} cannot be replayed")
        if kind == "math":
            gx.parse(str(model.get("expression") or ""))
    removed: dict[str, Query] = {}
    for ref, (model, lookback, shift) in ranged.items():
        readers = [r for r, m in expressions.items() if ref in _reads(m)]
        if not readers or any(expressions[r].get("type") != "reduce" for r in readers) or condition == ref:
            raise ValueError(f"query {ref} is a range query whose result is not reduced: only its reduction can be "
                             "replayed (in PromQL, as a subquery)")
        for reader in readers:
            reducer = str(expressions[reader].get("reducer") or "")
            if reducer not in _SUBQUERY:
                raise ValueError(f"reduce {reader} uses reducer {reducer!r}, which cannot be replayed")
            if (expressions[reader].get("settings") or {}).get("mode"):
                raise ValueError(f"reduce {reader} drops or replaces non-numbers of a range query, which PromQL "
                                 "cannot do the same way")
            key = f"{ref}/{reducer}"
            step = _range_step(model, lookback)
            inner = queries.pop(ref, None) or removed[ref]
            removed[ref] = inner
            subquery = f"{_SUBQUERY[reducer]}(({inner.expr})[{_seconds(lookback)}:{_seconds(step)}])"
            queries[key] = Query(key, ref, subquery, shift, inner.datasource_uid)
            expressions[reader] = {**expressions[reader], "expression": key}
    for ref, model in expressions.items():
        for source in _reads(model):
            if source not in data and source not in queries:
                raise ValueError(f"expression {ref} reads {source!r}, which is not a refId")
    value, thresholds = _chart(expressions, condition)
    return Rule(**{
        **base.__dict__,
        "pending": _duration(rule.get("for"), "for"),
        "keep_firing_for": _duration(rule.get("keep_firing_for"), "keep_firing_for"),
        "queries": tuple(queries.values()), "expressions": expressions, "condition": condition,
        "no_data_state": str(rule.get("noDataState") or "NoData"),
        "exec_err_state": str(rule.get("execErrState") or "Error"),
        "missing_series_evals": int(rule.get("missing_series_evals_to_resolve") or 2),
        "value": value, "thresholds": thresholds,
    })


def _is_expression(uid: str, model: Mapping[str, Any]) -> bool:
    datasource = model.get("datasource")
    return uid in EXPRESSION_UIDS or (isinstance(datasource, dict) and datasource.get("type") == "__expr__")


def _promql(ref: str, item: Mapping[str, Any], model: Mapping[str, Any], uid: str,
            datasource_types: Mapping[str, str]) -> tuple[str, float, float]:
    """(expr, shift, lookback) of a datasource query that is PromQL over a Prometheus datasource; ValueError else."""
    datasource = model.get("datasource")
    kind = datasource.get("type") if isinstance(datasource, dict) else None
    kind = kind or datasource_types.get(uid) or (datasource_types.get(datasource) if isinstance(datasource, str)
                                                 else None)
    if not kind and (logical_name(uid) == "prometheus" or logical_name(datasource) == "prometheus"):
        kind = "prometheus"
    if kind != "prometheus":
        what = f"type {kind}" if kind else "a type dashkit does not know"
        raise ValueError(f"query {ref} reads datasource {uid or datasource!r} ({what}), not Prometheus")
    expr = model.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        raise ValueError(f"query {ref} has no PromQL expr")
    variable = re.search(r"\$\{?__\w+", expr)
    if variable:
        raise ValueError(f"query {ref} uses Grafana's {variable.group().replace('{', '')}, whose value depends on "
                         "Grafana's query settings")
    span = item.get("relativeTimeRange") if isinstance(item.get("relativeTimeRange"), dict) else {}
    start, until = float(span.get("from") or 0), float(span.get("to") or 0)
    return expr.strip(), until, max(start - until, 0.0)


def _range_step(model: Mapping[str, Any], lookback: float) -> float:
    """Grafana's step for a range query: the query's `interval` (else the datasource's scrape interval, 15s by
    default), at least range / maxDataPoints."""
    step = GRAFANA_STEP
    if model.get("interval"):
        step = parse_duration(str(model["interval"]))
    elif model.get("intervalMs"):
        step = max(float(model["intervalMs"]) / 1000, 1.0)
    points = float(model.get("maxDataPoints") or 43200)
    return max(step, -(-lookback // points))


def _reads(model: Mapping[str, Any]) -> list[str]:
    if model.get("type") == "math":
        return gx.variables(gx.parse(str(model.get("expression") or "")))
    return [str(model.get("expression") or "")]


def _chart(expressions: Mapping[str, Mapping[str, Any]], condition: str) -> tuple[str | None, tuple[float, ...]]:
    model = expressions.get(condition)
    if model is None:
        return condition, ()
    if model.get("type") == "threshold":
        try:
            params = model["conditions"][0]["evaluator"]["params"]
            return str(model.get("expression")), tuple(float(p) for p in params[:2])
        except (KeyError, IndexError, TypeError, ValueError):
            return None, ()
    if model.get("type") == "math":
        compared = gx.compared_to_constant(gx.parse(str(model.get("expression"))))
        if compared:
            return compared[0], (compared[1],)
    return condition, ()


def templated_labels(labels: Mapping[str, str]) -> str | None:
    """Why labels cannot be replayed: a template other than {{ $labels.name }} (its value would change the alert's
    identity from one evaluation to the next); None when they can."""
    for name, value in labels.items():
        if "{{" in _LABEL_TEMPLATE.sub("", value):
            return f"label {name} is a template ({value!r}); only {{{{ $labels.name }}}} can be replayed"
    return None


def expand_labels(labels: Mapping[str, str], series: Mapping[str, str]) -> dict[str, str]:
    """The rule's labels with {{ $labels.name }} filled from the series."""
    return {name: _LABEL_TEMPLATE.sub(lambda m: series.get(m.group(1) or m.group(2) or m.group(3), ""), value)
            for name, value in labels.items()}


def _duration(value: Any, what: str) -> float:
    if value in (None, ""):
        return 0.0
    try:
        return float(parse_duration(value))
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a duration") from None


def _seconds(value: float) -> str:
    return f"{int(value)}s" if float(value).is_integer() else f"{int(value * 1000)}ms"
