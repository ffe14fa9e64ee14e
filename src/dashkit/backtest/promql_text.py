"""PromQL as text, where backtest rewrites it: where each vector selector is (to inline a recording rule), and the two
sides of a top-level comparison with a constant (`expr > 0.05`: the value a chart draws, and its threshold). The
parsed tree (promql-parser) says what the expression is; the text keeps the author's spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass

import promql_parser

from .. import promql_ast as ast

_TOKEN = re.compile(r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)|(?P<ident>[A-Za-z_:][\w:]*)"""
                    r"""|(?P<num>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\w*)"""
                    r"""|(?P<op>==|!=|>=|<=|=~|!~|[-+*/%^<>=(){}\[\],:@]))""", re.S)
_LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_KEYWORDS = _LABEL_LISTS | {"bool", "offset", "and", "or", "unless", "atan2", "inf", "nan", "start", "end"}
_AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
                 "quantile", "limitk", "limit_ratio"}
COMPARISONS = ("==", "!=", ">", "<", ">=", "<=")


@dataclass(frozen=True)
class Token:
    kind: str  # str, ident, num, op
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class SelectorText:
    """A vector selector as written: `expr[start:end]`, its metric name (None for `{__name__=...}`), and whether a
    range `[..]`, `offset` or `@` follows it."""

    start: int
    end: int
    metric: str | None
    modified: bool


def tokens(expr: str) -> list[Token]:
    out, at = [], 0
    while at < len(expr):
        match = _TOKEN.match(expr, at)
        if not match:
            if expr[at:].strip() == "" or expr[at:].lstrip().startswith("#"):
                break
            raise ValueError(f"cannot read PromQL at {expr[at:at + 20]!r}")
        kind = match.lastgroup or ""
        out.append(Token(kind, match.group(kind), match.start(kind), match.end()))
        at = match.end()
    return out


def _closing(items: list[Token], at: int) -> int:
    """The index of the bracket closing the one at `at`."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    depth, opening = 0, items[at].text
    for i in range(at, len(items)):
        if items[i].kind == "op" and items[i].text == opening:
            depth += 1
        elif items[i].kind == "op" and items[i].text == pairs[opening]:
            depth -= 1
            if not depth:
                return i
    raise ValueError("unbalanced brackets")


def selectors(expr: str) -> list[SelectorText]:
    """Every vector selector in `expr`, in the order written. ValueError when the text cannot be read, or does not
    hold the selectors its parse tree does."""
    items = tokens(expr)
    found: list[SelectorText] = []
    i = 0
    while i < len(items):
        token = items[i]
        following = items[i + 1] if i + 1 < len(items) else None
        if token.kind == "ident" and token.text in _LABEL_LISTS and following and following.text == "(":
            i = _closing(items, i + 1) + 1
            continue
        if token.kind == "op" and token.text == "[":  # ranges, subquery steps
            i = _closing(items, i) + 1
            continue
        if token.kind == "ident" and token.text.lower() in _KEYWORDS | _AGGREGATIONS and not (
                following and following.text == "{"):
            i += 1
            continue
        if token.kind == "ident" and following and following.text == "(":  # a function call
            i += 1
            continue
        if (token.kind == "ident" and not (i and items[i - 1].text == "@")) or (token.kind == "op" and
                                                                                 token.text == "{"):
            metric = token.text if token.kind == "ident" else None
            last = i
            if metric is not None and following and following.text == "{":
                last = _closing(items, i + 1)
            elif metric is None:
                last = _closing(items, i)
            after = items[last + 1] if last + 1 < len(items) else None
            modified = bool(after and (after.text in ("[", "@") or after.text == "offset"))
            found.append(SelectorText(token.start, items[last].end, metric, modified))
            i = last + 1
            continue
        i += 1
    tree = promql_parser.parse(expr)
    expected = sum(1 for node in ast.walk(tree) if ast.kind(node) == "VectorSelector")
    if expected != len(found):
        raise ValueError(f"found {len(found)} selectors where the query has {expected}")
    return found


def matchers(selector: str) -> tuple[str | None, tuple[tuple[str, str, str], ...]]:
    """(metric name, matchers other than on __name__) of one selector's text."""
    node = ast.selector_of(promql_parser.parse(selector))
    if node is None:
        raise ValueError(f"{selector!r} is not a selector")
    name = node.metric or next((v for label, op, v in node.matchers if label == "__name__" and op == "="), None)
    return name, tuple(m for m in node.matchers if m[0] != "__name__")


def split_comparison(expr: str) -> tuple[str, float] | None:
    """(the compared expression, the constant) when `expr` is `<expr> <comparison> <number>` (or the number first)
    at its top level, without `bool`; None otherwise."""
    try:
        tree = promql_parser.parse(expr)
        items = tokens(expr)
    except (ValueError, SyntaxError):
        return None
    while ast.kind(tree) == "ParenExpr":
        tree = tree.expr
    if ast.kind(tree) != "BinaryExpr" or str(tree.op) not in COMPARISONS or (
            tree.modifier is not None and tree.modifier.return_bool):
        return None
    number_right = ast.kind(tree.rhs) == "NumberLiteral"
    if not number_right and ast.kind(tree.lhs) != "NumberLiteral":
        return None
    depth, at = 0, []
    for index, token in enumerate(items):
        if token.kind == "op" and token.text in "([{":
            depth += 1
        elif token.kind == "op" and token.text in ")]}":
            depth -= 1
        elif depth == 0 and token.kind == "op" and token.text in COMPARISONS:
            at.append(index)
    if not at:
        return None  # the comparison sits inside parentheses
    split = items[at[-1] if number_right else at[0]]
    side = expr[:split.start] if number_right else expr[split.end:]
    return side.strip(), float(tree.rhs.val if number_right else tree.lhs.val)
