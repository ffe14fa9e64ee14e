"""Grafana's server-side expressions as its alerting evaluates them (pkg/expr: reduce, threshold, math), over every
evaluation of a backtest at once.

A ref's result is a list of Columns: one per series, its value at each evaluation (None where the series is absent).
Every input is an instant query's result (Grafana's "numbers"), so a reduce is what Grafana does to numbers: nothing,
except its non-number handling. A threshold is the math expression Grafana builds from it (`${B} > 0.050000`, the
value printed with Go's %f). Math joins the series of its two sides as Grafana's `union` does: identical label sets,
a side without labels applied to all, a subset of labels matching a superset, and one item on each side combined
whatever their labels; which pairs exist depends on which series are present, so it is worked out per stretch of
evaluations where that does not change."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Labels = tuple[tuple[str, str], ...]
NAN = float("nan")


class ExpressionError(ValueError):
    """An expression dashkit cannot evaluate the way Grafana does (the rule is reported, not guessed)."""


class Column:
    """One series over the evaluations: its labels, and its value at each one (None: absent there)."""

    __slots__ = ("_changes", "constant", "labels", "values")

    def __init__(self, labels: Labels, values: list[float | None], constant: float | None = None) -> None:
        self.labels = labels
        self.values = values
        self.constant = constant  # a number written in the expression: the same value everywhere
        self._changes: list[int] | None = [] if constant is not None else None

    def changes(self) -> list[int]:
        """The evaluations where the series appears or disappears."""
        if self._changes is None:
            self._changes = [] if None not in self.values else runs([v is None for v in self.values])
        return self._changes


def runs(values: list) -> list[int]:
    """The indexes where `values` changes (from one run of equal items to the next)."""
    cuts, at = [], 0
    for _, run in itertools.groupby(values):
        at += len(list(run))
        cuts.append(at)
    return cuts[:-1]


# ---- math: Grafana's grammar (pkg/expr/mathexp/parse) ------------------------------------------------------------
@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str
    arg: Node


@dataclass(frozen=True)
class Binary:
    op: str
    lhs: Node
    rhs: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Num | Var | Unary | Binary | Call

_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<var>\$\{[^}]+\}|\$[A-Za-z_]\w*)"
                    r"|(?P<name>[A-Za-z_]\w*)|(?P<op>\|\||&&|==|!=|>=|<=|\*\*|[-+*/%<>!(),]))")
_LEVELS = (("||",), ("&&",), ("==", "!=", ">", ">=", "<", "<="), ("+", "-"), ("*", "/", "%"), ("**",))
FUNCTIONS = ("abs", "log", "round", "ceil", "floor", "is_nan", "is_inf", "is_null", "is_number")


def parse(text: str) -> Node:
    """The math expression's tree; ExpressionError for what Grafana would refuse or dashkit does not know."""
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"math expression {text!r}: cannot read {text[position:].strip()[:20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    parser = _Parser(tokens, text)
    node = parser.level(0)
    if parser.at < len(tokens):
        raise ExpressionError(f"math expression {text!r}: unexpected {tokens[parser.at][1]!r}")
    return node


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens, self.text, self.at = tokens, text, 0

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) and self.tokens[self.at][0] == "op" else None

    def level(self, depth: int) -> Node:
        if depth == len(_LEVELS):
            return self.factor()
        node = self.level(depth + 1)
        while self.peek() in _LEVELS[depth]:
            op = self.tokens[self.at][1]
            self.at += 1
            node = Binary(op, node, self.level(depth + 1))  # left-associative, as Grafana's parser
        return node

    def factor(self) -> Node:
        if self.at >= len(self.tokens):
            raise ExpressionError(f"math expression {self.text!r} ends too early")
        kind, value = self.tokens[self.at]
        self.at += 1
        if kind == "num":
            return Num(float(value))
        if kind == "var":
            return Var(value[2:-1] if value.startswith("${") else value[1:])
        if kind == "op" and value in ("-", "!"):
            return Unary(value, self.factor())
        if kind == "op" and value == "(":
            node = self.level(0)
            self.expect(")")
            return node
        if kind == "name":
            if value not in FUNCTIONS:
                raise ExpressionError(f"math function {value}() cannot be replayed (dashkit knows "
                                      f"{', '.join(FUNCTIONS)})")
            self.expect("(")
            args = [self.level(0)]
            while self.peek() == ",":
                self.at += 1
                args.append(self.level(0))
            self.expect(")")
            return Call(value, tuple(args))
        raise ExpressionError(f"math expression {self.text!r}: unexpected {value!r}")

    def expect(self, op: str) -> None:
        if self.peek() != op:
            raise ExpressionError(f"math expression {self.text!r}: expected {op!r}")
        self.at += 1


def variables(node: Node) -> list[str]:
    if isinstance(node, Var):
        return [node.name]
    if isinstance(node, Unary):
        return variables(node.arg)
    if isinstance(node, Binary):
        return variables(node.lhs) + variables(node.rhs)
    if isinstance(node, Call):
        return [name for arg in node.args for name in variables(arg)]
    return []


def compared_to_constant(node: Node) -> tuple[str, float] | None:
    """(variable, constant) when the expression is `$X op constant` (or `constant op $X`): what a chart draws."""
    if isinstance(node, Binary) and node.op in _LEVELS[2]:
        if isinstance(node.lhs, Var) and isinstance(node.rhs, Num):
            return node.lhs.name, node.rhs.value
        if isinstance(node.rhs, Var) and isinstance(node.lhs, Num):
            return node.rhs.name, node.lhs.value
    return None


# ---- Grafana's float semantics (binaryOp, unaryOp in pkg/expr/mathexp) -----------------------------------------
def _divide(a: float, b: float) -> float:
    if b == 0:
        return NAN if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _modulo(a: float, b: float) -> float:
    return NAN if b == 0 or math.isinf(a) else math.fmod(a, b)


def _power(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except ValueError:
        return NAN
    except OverflowError:
        return math.inf


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": _divide, "%": _modulo,
    "**": _power,
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
}


def binary(op: str) -> Callable[[float, float], float]:
    """Grafana's binaryOp: `||` and `&&` short-circuit on the left side first, then NaN on either side is NaN."""
    if op == "||":
        return lambda a, b: 1.0 if a != 0 else (NAN if b != b else float(b != 0))
    if op == "&&":
        return lambda a, b: 0.0 if a == 0 else (NAN if a != a or b != b else float(b != 0))
    if op in _COMPARE:
        test = _COMPARE[op]
        return lambda a, b: NAN if a != a or b != b else (1.0 if test(a, b) else 0.0)
    return _ARITHMETIC[op]


def _unary(op: str) -> Callable[[float], float]:
    if op == "-":
        return lambda a: -a
    return lambda a: a if a != a else (1.0 if a == 0 else 0.0)


def _round(a: float) -> float:  # Go's math.Round: half away from zero
    return a if not math.isfinite(a) else math.copysign(math.floor(abs(a) + 0.5), a)


_CALLS: dict[str, Callable[[float], float]] = {
    "abs": abs,
    "log": lambda a: NAN if a < 0 or a != a else (-math.inf if a == 0 else math.log(a)),
    "round": _round,
    "ceil": lambda a: a if not math.isfinite(a) else float(math.ceil(a)),
    "floor": lambda a: a if not math.isfinite(a) else float(math.floor(a)),
    "is_nan": lambda a: float(a != a),
    "is_inf": lambda a: float(math.isinf(a)),
    "is_null": lambda a: 0.0,  # an instant query's numbers are never null
    "is_number": lambda a: float(math.isfinite(a)),
}


# ---- evaluation over all evaluations at once -----------------------------------------------------------------
class Graph:
    """A rule's expressions by refId; `output(ref)` evaluates one (and what it reads) over `inputs`."""

    def __init__(self, models: Mapping[str, Mapping[str, Any]], inputs: Mapping[str, list[Column]], count: int) -> None:
        self.models = models
        self.count = count
        self.results: dict[str, list[Column]] = dict(inputs)
        self._parsed: dict[str, Node] = {}

    def output(self, ref: str) -> list[Column]:
        if ref not in self.results:
            model = self.models.get(ref)
            if model is None:
                raise ExpressionError(f"no query or expression has refId {ref!r}")
            self.results[ref] = self._evaluate(model)
        return self.results[ref]

    def _evaluate(self, model: Mapping[str, Any]) -> list[Column]:
        kind = model.get("type")
        if kind == "reduce":
            return reduce_columns(self.output(str(model.get("expression"))), model.get("settings") or {})
        if kind in ("threshold", "math"):
            return self._math(math_text(model))
        raise ExpressionError(f"expression type {kind!r} cannot be replayed")

    def _math(self, text: str) -> list[Column]:
        node = self._parsed.get(text)
        if node is None:
            node = self._parsed[text] = parse(text)
        return self._walk(node)

    def _walk(self, node: Node) -> list[Column]:
        if isinstance(node, Num):
            return [Column((), [node.value] * self.count, constant=node.value)]
        if isinstance(node, Var):
            return self.output(node.name)
        if isinstance(node, Unary):
            return _apply(self._walk(node.arg), _unary(node.op))
        if isinstance(node, Call):
            if len(node.args) != 1:
                raise ExpressionError(f"{node.name}() takes one argument")
            return _apply(self._walk(node.args[0]), _CALLS[node.name])
        return combine(self._walk(node.lhs), self._walk(node.rhs), node.op, self.count)


def math_text(model: Mapping[str, Any]) -> str:
    """The math a math or threshold expression stands for; a threshold as Grafana writes it (createMathExpression)."""
    if model.get("type") == "math":
        return str(model.get("expression") or "")
    source = model.get("expression")
    try:
        evaluator = model["conditions"][0]["evaluator"]
        kind, params = evaluator["type"], [float(p) for p in evaluator.get("params") or []]
    except (KeyError, IndexError, TypeError, ValueError):
        raise ExpressionError("threshold without an evaluator") from None
    var = "${" + str(source) + "}"
    single = {"gt": ">", "lt": "<", "eq": "==", "ne": "!=", "gte": ">=", "lte": "<="}
    ranges = {"within_range": ("{v} > {a} && {v} < {b}"), "outside_range": ("{v} < {a} || {v} > {b}"),
              "within_range_included": "{v} >= {a} && {v} <= {b}", "outside_range_included": "{v} <= {a} || {v} >= {b}"}
    if kind in single and params:
        return f"{var} {single[kind]} {params[0]:f}"
    if kind in ranges and len(params) >= 2:
        return ranges[kind].format(v=var, a=f"{params[0]:f}", b=f"{params[1]:f}")
    raise ExpressionError(f"threshold type {kind!r} cannot be replayed")


def reduce_columns(columns: list[Column], settings: Mapping[str, Any]) -> list[Column]:
    """A reduce of numbers: Grafana keeps each as it is, after its non-number handling (dropNN drops NaN and ±Inf,
    replaceNN replaces them)."""
    mode = settings.get("mode") or ""
    if mode == "dropNN":
        return [Column(c.labels, [None if v is None or not math.isfinite(v) else v for v in c.values])
                for c in columns]
    if mode == "replaceNN":
        with_value = float(settings.get("replaceWithValue") or 0)
        return [Column(c.labels, [v if v is None or math.isfinite(v) else with_value for v in c.values])
                for c in columns]
    if mode:
        raise ExpressionError(f"reduce mode {mode!r} cannot be replayed")
    return columns


def _apply(columns: list[Column], function: Callable[[float], float]) -> list[Column]:
    return [Column(c.labels, [None if v is None else function(v) for v in c.values]) for c in columns]


def combine(left: list[Column], right: list[Column], op: str, count: int) -> list[Column]:
    """`left op right`, series paired as Grafana's union pairs them at each evaluation."""
    function = binary(op)
    cuts = sorted({0, count, *(i for c in (*left, *right) for i in c.changes())})
    out: dict[tuple[int, int, Labels], Column] = {}
    memo: dict[tuple[tuple[int, ...], tuple[int, ...]], list[tuple[int, int, Labels]]] = {}
    for start, stop in itertools.pairwise(cuts):
        present_left = tuple(i for i, c in enumerate(left) if c.values[start] is not None)
        present_right = tuple(j for j, c in enumerate(right) if c.values[start] is not None)
        key = (present_left, present_right)
        if key not in memo:
            memo[key] = union([left[i].labels for i in present_left], [right[j].labels for j in present_right],
                              present_left, present_right)
        for pair in memo[key]:
            column = out.get(pair)
            if column is None:
                column = out[pair] = Column(pair[2], [None] * count)
            constant = right[pair[1]].constant
            a = left[pair[0]].values[start:stop]
            if constant is not None and op in _AGAINST_CONSTANT:  # a threshold: the common case, kept fast
                column.values[start:stop] = _AGAINST_CONSTANT[op](a, constant)
            else:
                b = right[pair[1]].values[start:stop]
                column.values[start:stop] = [function(x, y) for x, y in zip(a, b, strict=True)]  # type: ignore
    return list(out.values())


_AGAINST_CONSTANT: dict[str, Callable[[list, float], list]] = {  # binary(op) with a constant right side, inlined
    ">": lambda a, c: [NAN if x != x else (1.0 if x > c else 0.0) for x in a],
    "<": lambda a, c: [NAN if x != x else (1.0 if x < c else 0.0) for x in a],
    ">=": lambda a, c: [NAN if x != x else (1.0 if x >= c else 0.0) for x in a],
    "<=": lambda a, c: [NAN if x != x else (1.0 if x <= c else 0.0) for x in a],
}


def union(left: Sequence[Labels], right: Sequence[Labels], left_ids: Sequence[int],
          right_ids: Sequence[int]) -> list[tuple[int, int, Labels]]:
    """Grafana's union: the (left, right, labels) pairs a binary operation computes."""
    pairs = []
    for a, i in zip(left, left_ids, strict=True):
        for b, j in zip(right, right_ids, strict=True):
            if a == b or not a or not b:
                pairs.append((i, j, a or b))
            elif len(a) == len(b):
                continue
            elif set(b) <= set(a):
                pairs.append((i, j, a))
            elif set(a) <= set(b):
                pairs.append((i, j, b))
    if not pairs and len(left) == 1 and len(right) == 1:
        pairs.append((left_ids[0], right_ids[0], ()))  # one thing on each side: combined, labels dropped
    return pairs
