"""Walking promql-parser's syntax tree: selectors, function calls and aggregations, whatever the nesting."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_CHILDREN = {
    "BinaryExpr": ("lhs", "rhs"),
    "UnaryExpr": ("expr",),
    "ParenExpr": ("expr",),
    "AggregateExpr": ("param", "expr"),
    "MatrixSelector": ("vector_selector",),
    "SubqueryExpr": ("expr",),
}


def kind(node: Any) -> str:
    return type(node).__name__


def children(node: Any) -> list[Any]:
    if kind(node) == "Call":
        return list(node.args)
    return [getattr(node, name) for name in _CHILDREN.get(kind(node), ()) if getattr(node, name) is not None]


def walk(node: Any) -> Iterator[Any]:
    """Every node, parents before children."""
    yield node
    for child in children(node):
        yield from walk(child)


@dataclass(frozen=True)
class Selector:
    metric: str | None
    matchers: tuple[tuple[str, str, str], ...]  # (label, op, value)
    range_seconds: float | None = None  # for a range selector x[5m]

    def label_values(self, label: str) -> list[str]:
        return [value for name, _, value in self.matchers if name == label]


def _matchers(vector_selector: Any) -> tuple[tuple[str, str, str], ...]:
    ops = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}
    out = []
    matchers = vector_selector.matchers
    for group in [matchers.matchers, *getattr(matchers, "or_matchers", [])]:
        for m in group:
            op = str(m.op).rsplit(".", 1)[-1]
            out.append((m.name, ops.get(op, op), m.value))
    return tuple(out)


def selector_of(node: Any) -> Selector | None:
    if kind(node) == "VectorSelector":
        return Selector(node.name, _matchers(node))
    if kind(node) == "MatrixSelector":
        vs = node.vector_selector
        return Selector(vs.name, _matchers(vs), node.range.total_seconds())
    return None


def selectors(node: Any) -> list[Selector]:
    """Every vector and range selector in the expression."""
    found = []
    for item in walk(node):
        if kind(item) == "VectorSelector":
            found.append(Selector(item.name, _matchers(item)))
        elif kind(item) == "MatrixSelector":
            vs = item.vector_selector
            found.append(Selector(vs.name, _matchers(vs), item.range.total_seconds()))
    # A range selector's inner VectorSelector was counted twice: keep the range form.
    ranged = {(s.metric, s.matchers) for s in found if s.range_seconds is not None}
    return [s for s in found if s.range_seconds is not None or (s.metric, s.matchers) not in ranged]


def calls(node: Any, *names: str) -> list[Any]:
    return [n for n in walk(node) if kind(n) == "Call" and n.func.name in names]


def aggregations(node: Any) -> list[Any]:
    return [n for n in walk(node) if kind(n) == "AggregateExpr"]


def aggregation_labels(node: Any) -> tuple[str, list[str]] | None:
    """('by'|'without', labels) of an aggregation, or None when it has no by/without clause."""
    modifier = node.modifier
    if modifier is None:
        return None
    mode = "without" if str(modifier.type).endswith("Without") else "by"
    return mode, list(modifier.labels)


def aggregation_op(node: Any) -> str:
    return str(node.op).strip()

