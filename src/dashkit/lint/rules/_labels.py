"""Which labels a PromQL query's result can carry, worked out from its syntax tree: enough to say for certain that a
legend or an alert template names a label the query has aggregated away, and to stay quiet otherwise."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...promql_ast import aggregation_labels, aggregation_op, kind
from ..walk import referenced_variables
from ._promql import parse

# Aggregations whose result keeps each input series' labels (they select series instead of combining them).
_SELECTING = {"topk", "bottomk", "limitk", "limit_ratio"}
_WITHOUT_LABELS = {"time", "vector", "scalar", "pi"}  # results with no labels at all
_ADDING = {"label_replace", "label_join"}  # args[1] names the label they set
_ABSENT = {"absent", "absent_over_time"}  # labels from the selector's equality matchers
_UNKNOWN = {"info"}  # adds the labels of info metrics: anything
_SET_OPERATORS = {"and", "unless"}  # the result is the left side's series
_COMPARISONS = {"==", "!=", ">", "<", ">=", "<="}


@dataclass(frozen=True)
class ResultLabels:
    """What is known about the labels of a query's result series.

    closed: only `names` can appear (each may or may not); open: any label can appear except `names`.
    `cause` says, for a closed set, which operation decided it ("sum by (host)"), for messages.
    """

    closed: bool
    names: frozenset[str]
    cause: str = field(default="", compare=False)

    def lacks(self, label: str) -> bool:
        """Whether `label` is certainly absent from every result series."""
        return label not in self.names if self.closed else label in self.names

    def plus(self, labels: Iterable[str]) -> ResultLabels:
        labels = frozenset(labels)
        if self.closed:
            return ResultLabels(True, self.names | labels, self.cause)
        return ResultLabels(False, self.names - labels)

    def minus(self, labels: Iterable[str]) -> ResultLabels:
        labels = frozenset(labels)
        if self.closed:
            return ResultLabels(True, self.names - labels, self.cause)
        return ResultLabels(False, self.names | labels)

    def both(self, other: ResultLabels) -> ResultLabels:
        """Labels that the two sides of a one-to-one match share (they have equal label sets)."""
        if self.closed and other.closed:
            return ResultLabels(True, self.names & other.names, self.cause or other.cause)
        if self.closed or other.closed:
            closed, opened = (self, other) if self.closed else (other, self)
            return ResultLabels(True, closed.names - opened.names, closed.cause)
        return ResultLabels(False, self.names | other.names)

    def either(self, other: ResultLabels) -> ResultLabels:
        """Labels of `a or b`: the series of both sides."""
        if self.closed and other.closed:
            return ResultLabels(True, self.names | other.names, self.cause or other.cause)
        if self.closed or other.closed:
            closed, opened = (self, other) if self.closed else (other, self)
            return ResultLabels(False, opened.names - closed.names)
        return ResultLabels(False, self.names & other.names)


ANY = ResultLabels(False, frozenset())
NONE = ResultLabels(True, frozenset())


@functools.lru_cache(maxsize=65536)
def result_labels(expr: str) -> ResultLabels:
    """The labels the query's result can have (ANY when it does not parse). Label lists written with a Grafana
    variable (`by ($group)`) make the result unknown: the variable's value is not known here."""
    tree = parse(expr)
    if isinstance(tree, ValueError):
        return ANY
    return _Analysis(_variable_stand_ins(expr)).labels(tree)


_VARIABLE_IN_LABEL_LIST = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*(?:\$|\[\[)")
_VARIABLE_IN_STRING = re.compile(r"\"[^\"]*\$\{?[A-Za-z_]|'[^']*\$\{?[A-Za-z_]")


def _variable_stand_ins(expr: str) -> frozenset[str]:
    """The names grafana_vars writes for the expression's variables, where they may stand for a label name (in a
    by/on/... list, or in a label_replace/label_join string)."""
    if "$" not in expr and "[[" not in expr:
        return frozenset()
    if not _VARIABLE_IN_LABEL_LIST.search(expr) and not (
            "label_" in expr and _VARIABLE_IN_STRING.search(expr)):
        return frozenset()
    out = set()
    for name in referenced_variables(expr):
        word = name.strip("_") or "var"
        out |= {word, f"var_{word}"}
    return frozenset(out)


class _Analysis:
    def __init__(self, variables: frozenset[str]) -> None:
        self.variables = variables

    def _written_with_variable(self, labels: Iterable[str]) -> bool:
        return bool(self.variables) and any(label in self.variables for label in labels)

    def labels(self, node: Any) -> ResultLabels:
        name = kind(node)
        if name in ("VectorSelector", "MatrixSelector"):
            return ANY
        if name in ("NumberLiteral", "StringLiteral"):
            return NONE
        if name in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
            return self.labels(node.expr)
        if name == "AggregateExpr":
            return self._aggregation(node)
        if name == "Call":
            return self._call(node)
        if name == "BinaryExpr":
            return self._binary(node)
        return ANY

    def _aggregation(self, node: Any) -> ResultLabels:
        op = aggregation_op(node)
        inner = self.labels(node.expr)
        if op in _SELECTING:
            return inner
        grouping = aggregation_labels(node)
        if grouping is not None and self._written_with_variable(grouping[1]):
            return ANY
        added: list[str] = []
        if op == "count_values":
            if kind(node.param) != "StringLiteral":
                return ANY
            added = [node.param.val]
        if grouping is None:
            return ResultLabels(True, frozenset(added), f"{op}()")
        mode, labels = grouping
        if mode == "by":
            return ResultLabels(True, frozenset(labels) | frozenset(added), f"{op} by ({', '.join(labels)})")
        return inner.minus(labels).plus(added)

    def _call(self, node: Any) -> ResultLabels:
        function = node.func.name
        args = list(node.args)
        if function in _WITHOUT_LABELS:
            return ResultLabels(True, frozenset(), f"{function}()")
        if function in _UNKNOWN:
            return ANY
        if function in _ABSENT:
            return self._absent(function, args)
        vectors = [a for a, t in zip(args, node.func.arg_types, strict=False) if str(t).endswith(("Vector", "Matrix"))]
        if not vectors:
            return ResultLabels(True, frozenset(), f"{function}()")  # day_of_week() and friends: of time()
        inner = self.labels(vectors[0])
        if function in _ADDING:
            if len(args) < 2 or kind(args[1]) != "StringLiteral" or self._written_with_variable([args[1].val]):
                return ANY
            return inner.plus([args[1].val])
        if function == "histogram_quantile":
            return inner.minus(["le"])
        return inner

    def _absent(self, function: str, args: list[Any]) -> ResultLabels:
        selector = args[0] if args else None
        if selector is not None and kind(selector) == "MatrixSelector":
            selector = selector.vector_selector
        if selector is None or kind(selector) != "VectorSelector":
            return ResultLabels(True, frozenset(), f"{function}()")
        equal = {m.name for m in selector.matchers.matchers
                 if str(m.op).rsplit(".", 1)[-1] == "Equal" and m.name != "__name__"}
        return ResultLabels(True, frozenset(equal), f"{function}()")

    def _binary(self, node: Any) -> ResultLabels:
        lhs, rhs = self.labels(node.lhs), self.labels(node.rhs)
        left_scalar, right_scalar = _is_scalar(node.lhs), _is_scalar(node.rhs)
        if left_scalar and right_scalar:
            return NONE
        if right_scalar:
            return lhs
        if left_scalar:
            return rhs
        op = str(node.op).strip().lower()
        modifier = node.modifier
        matching = getattr(modifier, "matching", None) if modifier is not None else None
        match_labels = list(matching.labels) if matching is not None else []
        on = matching is not None and str(matching.type).endswith("Include")
        if self._written_with_variable(match_labels):
            return ANY
        if op in _SET_OPERATORS:
            return lhs
        if op == "or":
            return lhs.either(rhs)
        card = str(modifier.card) if modifier is not None else ""
        group = list(modifier.group_labels) if modifier is not None and modifier.group_labels else []
        if self._written_with_variable(group):
            return ANY
        if card.endswith("ManyToOne"):  # group_left: the left side's labels, plus those copied from the right
            return lhs.plus(group)
        if card.endswith("OneToMany"):
            return rhs.plus(group)
        if on:  # one-to-one on (...): only the matching labels remain
            kept = frozenset(match_labels)
            if lhs.closed:
                return ResultLabels(True, lhs.names & kept, lhs.cause)
            return ResultLabels(True, kept - lhs.names, f"on ({', '.join(match_labels)})")
        return lhs.minus(match_labels).both(rhs.minus(match_labels))


def _is_scalar(node: Any) -> bool:
    name = kind(node)
    if name == "NumberLiteral":
        return True
    if name in ("ParenExpr", "UnaryExpr"):
        return _is_scalar(node.expr)
    if name == "BinaryExpr":
        return _is_scalar(node.lhs) and _is_scalar(node.rhs)
    if name == "Call":
        return str(node.func.return_type).endswith("Scalar")
    return False
