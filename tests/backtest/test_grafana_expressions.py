"""Grafana's reduce, threshold and math expressions over every evaluation at once, as pkg/expr evaluates them:
operator precedence, NaN, division by zero, how series of two sides are paired, thresholds written with %f, and the
non-number modes of a reduce."""

from __future__ import annotations

import math

import pytest

from dashkit.backtest.grafana_expressions import (
    Binary,
    Column,
    ExpressionError,
    Graph,
    Num,
    Unary,
    Var,
    compared_to_constant,
    math_text,
    parse,
)

NAN = float("nan")


def labels(**kw: str):
    return tuple(sorted(kw.items()))


def evaluate(expression: str, count: int, **inputs: list[Column]) -> dict:
    graph = Graph({"X": {"type": "math", "expression": expression}}, inputs, count)
    return {c.labels: c.values for c in graph.output("X")}


def same(a, b) -> bool:
    return all((x is None and y is None) or (x is not None and y is not None and (x == y or (x != x and y != y)))
               for x, y in zip(a, b, strict=True))


def test_precedence_is_grafanas():
    assert parse("$A + $B * 2 > 3 && !$C || $D") == Binary("||", Binary("&&", Binary(">", Binary(
        "+", Var("A"), Binary("*", Var("B"), Num(2))), Num(3)), Unary("!", Var("C"))), Var("D"))
    assert parse("-$A ** 2") == Binary("**", Unary("-", Var("A")), Num(2))  # unary binds tightest
    assert parse("${B} > 0.050000") == Binary(">", Var("B"), Num(0.05))
    assert compared_to_constant(parse("$B < 0.99")) == ("B", 0.99)


def test_what_cannot_be_evaluated_is_said():
    with pytest.raises(ExpressionError, match="cannot be replayed"):
        parse("avg($A)")
    with pytest.raises(ExpressionError, match="cannot read"):
        parse("$A ? 1")


def test_nan_division_and_short_circuits_follow_go_and_grafana():
    a = [Column((), [NAN, 0.0, 1.0, 0.0, -2.0])]
    b = [Column((), [1.0, NAN, 0.0, 0.0, 0.0])]
    assert same(evaluate("$A > $B", 5, A=a, B=b)[()], [NAN, NAN, 1.0, 0.0, 0.0])
    assert same(evaluate("$A || $B", 5, A=a, B=b)[()], [1.0, NAN, 1.0, 0.0, 1.0])  # NaN || x: NaN is not 0
    assert same(evaluate("$A && $B", 5, A=a, B=b)[()], [NAN, 0.0, 0.0, 0.0, 0.0])  # 0 && NaN: 0
    assert same(evaluate("$A / $B", 5, A=a, B=b)[()], [NAN, NAN, math.inf, NAN, -math.inf])
    assert same(evaluate("abs($A) + !$B", 5, A=a, B=b)[()], [NAN, NAN, 2.0, 1.0, 3.0])


def test_series_pair_as_grafanas_union_pairs_them():
    checkout, payments = labels(service="checkout"), labels(service="payments")
    errors = [Column(checkout, [5.0, 5.0]), Column(payments, [1.0, 1.0])]
    requests = [Column(checkout, [100.0, 100.0]), Column(payments, [50.0, 50.0])]
    assert evaluate("$A / $B", 2, A=errors, B=requests) == {checkout: [0.05, 0.05], payments: [0.02, 0.02]}
    total = [Column((), [10.0, 10.0])]  # a side without labels applies to every series of the other
    assert evaluate("$A / $B", 2, A=errors, B=total) == {checkout: [0.5, 0.5], payments: [0.1, 0.1]}
    by_pod = [Column(labels(service="checkout", pod="p1"), [2.0, 2.0])]  # a subset of labels matches the superset
    assert evaluate("$A / $B", 2, A=by_pod, B=errors) == {labels(service="checkout", pod="p1"): [0.4, 0.4]}
    other = [Column(labels(region="eu"), [4.0, 4.0])]  # one item each side: combined, labels dropped
    assert evaluate("$A + $B", 2, A=[errors[0]], B=other) == {(): [9.0, 9.0]}
    assert evaluate("$A + $B", 2, A=errors, B=other) == {}  # same size, different labels: no pair


def test_pairs_follow_which_series_are_present_at_each_evaluation():
    a = [Column(labels(service="checkout"), [1.0, 1.0, 1.0]), Column(labels(service="payments"), [None, 2.0, None])]
    b = [Column(labels(region="eu"), [10.0, 10.0, 10.0])]
    # alone, checkout pairs with the unrelated single series; with payments present there are two, and no pair
    assert evaluate("$A + $B", 3, A=a, B=b) == {(): [11.0, None, 11.0]}


def test_a_threshold_is_the_math_grafana_builds_with_its_value_printed_by_percent_f():
    tiny = {"type": "threshold", "expression": "B", "conditions": [{"evaluator": {"type": "gt", "params": [2e-7]}}]}
    assert math_text(tiny) == "${B} > 0.000000"  # 1e-7 is above this threshold in Grafana
    assert Graph({"C": tiny}, {"B": [Column((), [1e-7, 0.0])]}, 2).output("C")[0].values == [1.0, 0.0]
    ranged = {"type": "threshold", "expression": "B",
              "conditions": [{"evaluator": {"type": "outside_range", "params": [1, 2]}}]}
    assert math_text(ranged) == "${B} < 1.000000 || ${B} > 2.000000"
    graph = Graph({"C": ranged}, {"B": [Column((), [0.5, 1.5, 2.5, NAN])]}, 4)
    assert same(graph.output("C")[0].values, [1.0, 0.0, 1.0, 1.0])  # NaN || ...: alerting, as in Grafana


def test_reduce_of_instant_numbers_only_handles_non_numbers():
    values = [Column(labels(service="a"), [1.0, NAN, math.inf, None])]
    strict = Graph({"B": {"type": "reduce", "expression": "A", "reducer": "mean"}}, {"A": values}, 4)
    assert same(strict.output("B")[0].values, [1.0, NAN, math.inf, None])
    dropped = Graph({"B": {"type": "reduce", "expression": "A", "reducer": "count", "settings": {"mode": "dropNN"}}},
                    {"A": values}, 4)
    assert dropped.output("B")[0].values == [1.0, None, None, None]  # the number leaves the result
    replaced = Graph({"B": {"type": "reduce", "expression": "A", "reducer": "last",
                            "settings": {"mode": "replaceNN", "replaceWithValue": -1}}}, {"A": values}, 4)
    assert replaced.output("B")[0].values == [1.0, -1.0, -1.0, None]
