"""Shared by the PromQL rules: every Prometheus query of a dashboard with its JSON path, parsed once."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...grafana_vars import substitute_variables
from ..model import DocKind, Document
from ..walk import as_dict, as_list, doc_panels, is_prometheus, targets, variable_query, variables

RANGE_FUNCTIONS = ("rate", "irate", "increase")
_LABEL_VALUES = re.compile(r"^\s*label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", re.S)


@dataclass(frozen=True)
class Query:
    path: str  # JSON path of the expression
    expr: str
    panel_title: str = ""
    recording: bool = False  # a recording rule's expression (its result is stored as a new series)
    panel: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # a dashboard query's panel
    target: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # ... and target


@functools.lru_cache(maxsize=65536)
def parse(expr: str) -> Any:
    """The syntax tree, or a ValueError instance describing why it does not parse."""
    import promql_parser

    try:
        return promql_parser.parse(substitute_variables(expr))
    except (ValueError, BaseException) as exc:  # the Rust parser raises its own panics as BaseException too
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return ValueError(str(exc).split("\n")[0])


COUNTER_WRAPPERS = frozenset({*RANGE_FUNCTIONS, "resets", "changes", "delta", "idelta", "last_over_time",
                              "absent_over_time", "present_over_time", "timestamp", "absent", "count",
                              "count_values", "group"})  # under these a raw counter is fine


_COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})


@dataclass(frozen=True)
class RawUse:
    """A metric selected outside rate()/increase()/count()...: its raw value reaches the result."""

    metric: str
    aggregated: bool  # summed, averaged, maxed... (a recording rule that only relabels a counter is fine)


@dataclass(frozen=True)
class Analysis:
    nodes: tuple[Any, ...]  # every node, parents first
    bare_metrics: tuple[str, ...]  # metrics selected outside rate()/increase()/count()... (raw counter use)
    raw_uses: tuple[RawUse, ...] = ()  # the bare metrics whose values matter: not `x > 0` tests, not `and x`


@functools.lru_cache(maxsize=65536)
def analyse(expr: str) -> Analysis:
    """One walk of the parsed query, shared by the rules (walking the Rust-backed tree creates Python objects at
    every step, so it is done once per expression)."""
    from ...promql_ast import aggregation_op, children, kind

    found: list[Any] = []
    bare: list[str] = []

    def visit(node: Any, inside: bool, aggregated: bool, values_ignored: bool) -> list[RawUse]:
        found.append(node)
        name = kind(node)
        operator = node.func.name if name == "Call" else aggregation_op(node) if name == "AggregateExpr" else None
        inside = inside or operator in COUNTER_WRAPPERS
        aggregated = aggregated or name == "AggregateExpr"
        if name == "VectorSelector" and not inside and node.name:
            bare.append(node.name)
            return [] if values_ignored else [RawUse(node.name, aggregated)]
        if name == "BinaryExpr":
            op = str(node.op)
            left = visit(node.lhs, inside, aggregated, values_ignored or _is_presence_test(node, node.rhs))
            # `a and b`, `a unless b`: only b's label sets matter; `x > 0`: is there any, not how many
            right = visit(node.rhs, inside, aggregated,
                          values_ignored or op in ("and", "unless") or _is_presence_test(node, node.lhs))
            if op == "-" and left and right:
                return []  # started_total - handled_total: how many are in flight, a gauge
            return left + right
        return [use for child in children(node) for use in visit(child, inside, aggregated, values_ignored)]

    tree = parse(expr)
    uses = [] if isinstance(tree, ValueError) else visit(tree, False, False, False)
    return Analysis(tuple(found), tuple(bare), tuple(uses))


def _is_presence_test(node: Any, other: Any) -> bool:
    """`counter > 0`, `counter >= 1`, `counter == 0`: a filtering comparison with 0 or 1 asks whether the series
    has ever counted anything, which a counter's raw value answers."""
    modifier = node.modifier
    return (str(node.op) in _COMPARISONS and not (modifier is not None and modifier.return_bool)
            and type(other).__name__ == "NumberLiteral" and other.val in (0.0, 1.0))


@functools.lru_cache(maxsize=65536)
def selectors_of(expr: str) -> tuple[Any, ...]:
    """The query's vector and range selectors (promql_ast.Selector), () when it does not parse."""
    from ...promql_ast import selectors

    tree = parse(expr)
    return () if isinstance(tree, ValueError) else tuple(selectors(tree))


def nodes(expr: str) -> tuple[Any, ...]:
    return analyse(expr).nodes


@functools.lru_cache(maxsize=65536)
def _calls(expr: str, names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(n for n in nodes(expr) if type(n).__name__ == "Call" and n.func.name in names)


def calls(expr: str, *names: str) -> list[Any]:
    """The calls of these functions in the query (each rule asks for its own; asked once per query)."""
    return list(_calls(expr, names))


def dashboard_queries(doc: Document) -> list[Query]:
    cached = doc.facts.get("_dashboard_queries")
    if cached is None:
        cached = doc.facts["_dashboard_queries"] = list(_dashboard_queries(doc))
    return cached


def _dashboard_queries(doc: Document) -> Iterator[Query]:
    for ref in doc_panels(doc):
        for index, target in targets(ref):
            expr = target.get("expr")
            if isinstance(expr, str) and expr.strip() and target.get("hide") is not True and is_prometheus(
                    ref.panel, target, doc.data):
                yield Query(f"{ref.path}.targets[{index}].expr", expr, str(ref.panel.get("title", "")),
                            panel=ref.panel, target=target)


def rule_queries(doc: Document) -> list[Query]:
    """PromQL of alert and recording rules: Prometheus files' `expr`, Grafana rules' non-expression queries."""
    cached = doc.facts.get("_rule_queries")
    if cached is None:
        cached = doc.facts["_rule_queries"] = list(_rule_queries(doc))
    return cached


def _rule_queries(doc: Document) -> Iterator[Query]:
    if doc.kind is DocKind.PROMETHEUS_RULES:
        for g, group in enumerate(as_list(doc.data.get("groups"))):
            for r, rule in enumerate(as_list(as_dict(group).get("rules"))):
                if isinstance(rule, dict) and isinstance(rule.get("expr"), str):
                    yield Query(f"groups[{g}].rules[{r}].expr", rule["expr"],
                                str(rule.get("alert") or rule.get("record") or ""), recording="record" in rule)
    elif doc.kind is DocKind.GRAFANA_RULES:
        for r, rule in enumerate(as_list(doc.data.get("rules"))):
            if not isinstance(rule, dict):
                continue
            for q, query in enumerate(as_list(rule.get("data"))):
                model = as_dict(as_dict(query).get("model"))
                if as_dict(query).get("datasourceUid") != "__expr__" and isinstance(model.get("expr"), str):
                    yield Query(f"rules[{r}].data[{q}].model.expr", model["expr"], str(rule.get("title", "")),
                                recording=bool(rule.get("record")))


def queries(doc: Document) -> Iterator[Query]:
    if doc.kind is DocKind.DASHBOARD:
        yield from dashboard_queries(doc)
    else:
        yield from rule_queries(doc)


def label_values_queries(doc: Document) -> Iterator[tuple[str, str, str]]:
    """(json path, inner selector, label) of label_values(...) variable queries."""
    for index, var in enumerate(variables(doc.data)):
        if var.get("type") != "query":
            continue
        match = _LABEL_VALUES.match(variable_query(var))
        if match:
            where = "query.query" if isinstance(var.get("query"), dict) else "query"
            yield f"templating.list[{index}].{where}", match.group(1), match.group(2)


def named_like_counter(metric: str | None) -> bool:
    """Named `*_total` as Prometheus conventions name counters: a hint, not evidence (gauges named `_total` exist,
    `argocd_repo_pending_request_total`)."""
    return bool(metric) and metric.endswith("_total") and ":" not in metric


def looks_like_recording_rule(metric: str | None) -> bool:
    return bool(metric) and ":" in metric
