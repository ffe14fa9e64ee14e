"""What a PromQL query measures, read from its metrics' unit suffixes (Prometheus naming: `_seconds`, `_bytes`...)
through rate(), sums and ratios: bytes/s for `rate(x_bytes_total[5m])`, nothing for `rate(x_seconds_total[5m])`
(seconds per second: cores, a fraction), a count for `count(...)`. Used to tell a panel that needs a unit from one
that shows a plain count."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ...promql_ast import aggregation_op, kind
from ._promql import parse

_UNIT_SUFFIXES = (
    ("_seconds", "seconds"), ("_milliseconds", "milliseconds"), ("_microseconds", "microseconds"),
    ("_bytes", "bytes"), ("_bits", "bits"), ("_ratio", "a ratio"), ("_percent", "percent"),
    ("_percentage", "percent"), ("_celsius", "degrees Celsius"), ("_fahrenheit", "degrees Fahrenheit"),
    ("_kelvin", "kelvin"), ("_meters", "meters"), ("_volts", "volts"), ("_amperes", "amperes"),
    ("_watts", "watts"), ("_joules", "joules"), ("_hertz", "hertz"), ("_grams", "grams"),
)
_COUNTS = frozenset({"count", "count_values", "group"})
_KEEPS_UNIT = frozenset({"abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max", "sort", "sort_desc",
                         "label_replace", "label_join", "avg_over_time", "min_over_time", "max_over_time",
                         "sum_over_time", "last_over_time", "quantile_over_time", "stddev_over_time",
                         "mad_over_time", "predict_linear", "holt_winters", "double_exponential_smoothing",
                         "increase", "delta", "idelta", "scalar", "vector", "sort_by_label", "sort_by_label_desc",
                         "limitk", "limit_ratio"})
_PER_SECOND = frozenset({"rate", "irate", "deriv"})
_UNITLESS = frozenset({"absent", "absent_over_time", "present_over_time", "count_over_time", "changes", "resets",
                       "sgn", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute",
                       "month", "year"})


@dataclass(frozen=True)
class Dimension:
    unit: str  # "" for a count or a ratio of like quantities
    per_second: int  # 1 after rate()
    metric: str = ""  # the metric the unit comes from

    def needs_unit(self) -> bool:
        return bool(self.unit)

    def __str__(self) -> str:
        return self.unit + "/s" * max(self.per_second, 0)


_PLAIN = Dimension("", 0)


@functools.lru_cache(maxsize=65536)
def measured(expr: str) -> Dimension | None:
    """What the query returns, or None when it cannot be told (it does not parse, or mixes units)."""
    tree = parse(expr)
    found = None if isinstance(tree, ValueError) else _of(tree)
    if found is not None and found.unit == "seconds" and found.per_second == 1:
        return _PLAIN  # seconds per second: cores, a busy fraction
    return found


def metric_dimension(name: str) -> Dimension:
    """A metric's unit by its name: `x_bytes_total` bytes, `x_seconds_count` a count, `level:x_bytes:rate5m` bytes/s."""
    if ":" in name:
        parts = name.split(":")
        if len(parts) != 3:
            return _PLAIN
        inner = metric_dimension(parts[1])
        return _faster(inner) if "rate" in parts[2] else inner
    base = name
    for suffix in ("_total", "_created", "_sum"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    else:
        if base.endswith(("_count", "_bucket", "_info")):
            return _PLAIN
    for suffix, unit in _UNIT_SUFFIXES:
        if base.endswith(suffix):
            return Dimension(unit, 0, name)
    return _PLAIN


def _faster(dimension: Dimension) -> Dimension:
    """Per second: what rate() makes of it."""
    return Dimension(dimension.unit, dimension.per_second + 1, dimension.metric)


def _of(node: Any) -> Dimension | None:
    name = kind(node)
    if name == "VectorSelector":
        return metric_dimension(node.name) if node.name else None
    if name == "MatrixSelector":
        return _of(node.vector_selector)
    if name == "NumberLiteral":
        return _PLAIN
    if name in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
        return _of(node.expr)
    if name == "AggregateExpr":
        return _PLAIN if aggregation_op(node) in _COUNTS else _of(node.expr)
    if name == "Call":
        return _call(node)
    if name == "BinaryExpr":
        return _binary(node)
    return None


def _call(node: Any) -> Dimension | None:
    function = node.func.name
    vectors = [arg for arg in node.args if kind(arg) not in ("NumberLiteral", "StringLiteral")]
    if function in ("time", "timestamp"):
        return Dimension("seconds", 0)
    if function in _UNITLESS:
        return _PLAIN
    if function == "histogram_quantile" and vectors:
        buckets = [n for n in _selectors(vectors[-1]) if n.endswith("_bucket")]
        return metric_dimension(buckets[0][: -len("_bucket")]) if buckets else None
    if not vectors:
        return None
    inner = _of(vectors[0])
    if inner is None:
        return None
    if function in _PER_SECOND:
        return _faster(inner)
    return inner if function in _KEEPS_UNIT else None


def _binary(node: Any) -> Dimension | None:
    op = str(node.op)
    modifier = node.modifier
    if op in ("==", "!=", ">", "<", ">=", "<="):
        if modifier is not None and modifier.return_bool:
            return _PLAIN
        return _of(node.rhs) if kind(node.lhs) == "NumberLiteral" else _of(node.lhs)
    if op in ("and", "unless"):
        return _of(node.lhs)
    left, right = _of(node.lhs), _of(node.rhs)
    if op == "or":
        return left if left is not None and (left.unit or right is None) else right
    if left is None or right is None:
        return None
    if op in ("+", "-"):
        if left.unit == right.unit:
            return left if left.metric or not right.metric else right
        if not right.unit:
            return left
        return right if not left.unit else None
    if op == "*":
        if kind(node.lhs) == "NumberLiteral" or not left.unit:
            return right
        return left if kind(node.rhs) == "NumberLiteral" or not right.unit else None
    if op == "/":
        if kind(node.rhs) == "NumberLiteral":
            return left
        if left.unit == right.unit:
            return Dimension("", left.per_second - right.per_second)
        if not right.unit:
            return Dimension(left.unit, left.per_second - right.per_second, left.metric)
    return None


def _selectors(node: Any) -> list[str]:
    from ...promql_ast import walk

    return [n.name for n in walk(node) if kind(n) == "VectorSelector" and n.name]
