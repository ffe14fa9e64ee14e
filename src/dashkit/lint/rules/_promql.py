"""Shared by the PromQL rules: every Prometheus query of a dashboard with its JSON path, parsed once."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...grafana_vars import substitute_variables
from ..model import DocKind, Document
from ..walk import as_dict, as_list, is_prometheus, panels, targets, variable_query, variables

RANGE_FUNCTIONS = ("rate", "irate", "increase")
COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")
_LABEL_VALUES = re.compile(r"^\s*label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", re.S)


@dataclass(frozen=True)
class Query:
    path: str  # JSON path of the expression
    expr: str
    panel_title: str = ""


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


@dataclass(frozen=True)
class Analysis:
    nodes: tuple[Any, ...]  # every node, parents first
    bare_metrics: tuple[str, ...]  # metrics selected outside rate()/increase()/count()... (raw counter use)


@functools.lru_cache(maxsize=65536)
def analyse(expr: str) -> Analysis:
    """One walk of the parsed query, shared by the rules (walking the Rust-backed tree creates Python objects at
    every step, so it is done once per expression)."""
    from ...promql_ast import aggregation_op, children, kind

    found: list[Any] = []
    bare: list[str] = []

    def visit(node: Any, inside: bool) -> None:
        found.append(node)
        name = kind(node)
        operator = node.func.name if name == "Call" else aggregation_op(node) if name == "AggregateExpr" else None
        inside = inside or operator in COUNTER_WRAPPERS
        if name == "VectorSelector" and not inside and node.name:
            bare.append(node.name)
        for child in children(node):
            visit(child, inside)

    tree = parse(expr)
    if not isinstance(tree, ValueError):
        visit(tree, False)
    return Analysis(tuple(found), tuple(bare))


def nodes(expr: str) -> tuple[Any, ...]:
    return analyse(expr).nodes


def calls(expr: str, *names: str) -> list[Any]:
    return [n for n in nodes(expr) if type(n).__name__ == "Call" and n.func.name in names]


def dashboard_queries(doc: Document) -> list[Query]:
    cached = doc.facts.get("_dashboard_queries")
    if cached is None:
        cached = doc.facts["_dashboard_queries"] = list(_dashboard_queries(doc))
    return cached


def _dashboard_queries(doc: Document) -> Iterator[Query]:
    for ref in panels(doc.data):
        for index, target in targets(ref):
            expr = target.get("expr")
            if isinstance(expr, str) and expr.strip() and target.get("hide") is not True and is_prometheus(
                    ref.panel, target, doc.data):
                yield Query(f"{ref.path}.targets[{index}].expr", expr, str(ref.panel.get("title", "")))


def rule_queries(doc: Document) -> Iterator[Query]:
    """PromQL of alert and recording rules: Prometheus files' `expr`, Grafana rules' non-expression queries."""
    if doc.kind is DocKind.PROMETHEUS_RULES:
        for g, group in enumerate(as_list(doc.data.get("groups"))):
            for r, rule in enumerate(as_list(as_dict(group).get("rules"))):
                if isinstance(rule, dict) and isinstance(rule.get("expr"), str):
                    yield Query(f"groups[{g}].rules[{r}].expr", rule["expr"], str(rule.get("alert") or
                                                                                 rule.get("record") or ""))
    elif doc.kind is DocKind.GRAFANA_RULES:
        for r, rule in enumerate(as_list(doc.data.get("rules"))):
            if not isinstance(rule, dict):
                continue
            for q, query in enumerate(as_list(rule.get("data"))):
                model = as_dict(as_dict(query).get("model"))
                if as_dict(query).get("datasourceUid") != "__expr__" and isinstance(model.get("expr"), str):
                    yield Query(f"rules[{r}].data[{q}].model.expr", model["expr"], str(rule.get("title", "")))


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


def is_counter(metric: str | None) -> bool:
    return bool(metric) and metric.endswith(COUNTER_SUFFIXES) and ":" not in metric


GAUGE_SUFFIXES = ("_bytes", "_ratio", "_percent", "_percentage", "_celsius", "_info", "_seconds", "_timestamp",
                  "_temperature", "_volts", "_amperes", "_watts", "_limit", "_free", "_available", "_size")


def looks_like_gauge(metric: str | None) -> bool:
    """Named like a gauge by Prometheus conventions (a counter would end in _total)."""
    return bool(metric) and not is_counter(metric) and (metric.endswith(GAUGE_SUFFIXES) or metric == "up")


def looks_like_recording_rule(metric: str | None) -> bool:
    return bool(metric) and ":" in metric
