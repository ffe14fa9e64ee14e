"""PromQL as written in Grafana dashboards, with template variables, made parseable by a PromQL parser:
each variable is replaced by a representative value that fits where it stands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from promql_parser import Expr

# Grafana's three spellings: ${name}, ${name.field} and ${name:format}; [[name]] and [[name:format]]; $name.
_VARIABLE = re.compile(
    r"\$\{(?P<braced>\w+)(?:\.[^:}]+)?(?::(?P<format>[^}]+))?\}"
    r"|\[\[(?P<old>\w+?)(?::(?P<old_format>\w+))?\]\]"
    r"|\$(?P<plain>\w+)"
)
_IDENTIFIER = re.compile(r"[A-Za-z_:][\w:]*")
_OPERATOR = re.compile(r"==|!=|>=|<=|=~|!~|[-+*/%^<>=@,]")

_DURATION = "5m"
_NUMBER = "1"
_INTERVAL_MS = 300_000  # 5m
_RANGE_MS = 3_600_000  # 1h
_FROM_MS = 1_700_000_000_000
_BUILTINS: dict[str, str] = {
    "__interval": _DURATION,
    "__rate_interval": _DURATION,
    "__range": _DURATION,
    "__auto": _DURATION,
    "__interval_ms": str(_INTERVAL_MS),
    "__rate_interval_ms": str(_INTERVAL_MS),
    "__range_ms": str(_RANGE_MS),
    "__range_s": str(_RANGE_MS // 1000),
    "__from": str(_FROM_MS),
    "__to": str(_FROM_MS + _RANGE_MS),
}

_LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_COMPARISONS = {"==", "!=", ">", "<", ">=", "<=", "bool"}  # `x > $threshold`, `x > bool $threshold`
# Arguments (by position) that must be scalars: a variable there stands for a number.
_SCALAR_ARGUMENTS: dict[str, set[int]] = {
    "topk": {0},
    "bottomk": {0},
    "limitk": {0},
    "limit_ratio": {0},
    "quantile": {0},
    "quantile_over_time": {0},
    "histogram_quantile": {0},
    "histogram_fraction": {0, 1},
    "clamp": {1, 2},
    "clamp_min": {1},
    "clamp_max": {1},
    "round": {1},
    "predict_linear": {1},
    "holt_winters": {1, 2},
    "double_exponential_smoothing": {1, 2},
    "vector": {0},
}
# Names that cannot stand alone as a metric name: keywords and aggregation operators.
_RESERVED = {"and", "or", "unless", "offset", "bool", "atan2", "inf", "nan", "group", "limitk", "limit_ratio"}
_RESERVED |= {"sum", "avg", "count", "min", "max", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values"}
_RESERVED |= _LABEL_LIST_KEYWORDS


@dataclass
class _Bracket:
    kind: str  # "(" call or grouping, "labels" a by/on/... list, "[" range or subquery, "{" matchers
    function: str | None = None
    argument: int = 0


def substitute_variables(expr: str) -> str:
    """`expr` with every Grafana variable replaced by a representative value, so that it parses as PromQL
    whenever Grafana's interpolation of it would.

    Built-ins keep their meaning: `$__rate_interval`, `$__interval`, `$__range` and `$__auto_interval_<name>`
    become `5m`; `$__range_s`, `$__range_ms`, `$__interval_ms`, `$__from` and `$__to` integers. Any other
    variable gets a value chosen by where it stands: a word inside a string, `5m` inside `[...]` or after
    `offset`, a number where PromQL wants a scalar (`topk($n, ...)`, `> $threshold`, after `@`), otherwise
    an identifier (a metric or label name; glued to neighbouring name characters, `node_${kind}_total`).
    """
    if "$" not in expr and "[[" not in expr:
        return expr
    quick = _only_builtins_outside_strings(expr)
    if quick is not None:
        return quick
    out: list[str] = []
    stack: list[_Bracket] = []
    tokens: list[str] = []  # significant tokens outside strings, to know what came before
    closed: _Bracket | None = None  # the bracket the latest ")" closed
    i = 0
    while i < len(expr):
        char = expr[i]
        variable = _VARIABLE.match(expr, i)
        if variable and not _is_capture_reference(variable):
            value = _replacement(variable, expr, out, stack, tokens)
            out.append(value)
            tokens.append(value.lower())
            i = variable.end()
        elif char in "\"'`":
            end = _string_end(expr, i)
            out.append(_substitute_in_string(expr[i:end]))
            tokens.append('""')
            i = end
        elif char.isspace():
            out.append(char)
            i += 1
        elif char in "([{":
            stack.append(_open(char, tokens, closed))
            tokens.append(char)
            out.append(char)
            i += 1
        elif char in ")]}":
            closed = stack.pop() if stack else None
            tokens.append(char)
            out.append(char)
            i += 1
        else:
            token = _token_at(expr, i, stack)
            if token == "," and stack:
                stack[-1].argument += 1
            tokens.append(token.lower())
            out.append(token)
            i += len(token)
    return "".join(out)


_CLOSED_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', re.S)


def _only_builtins_outside_strings(expr: str) -> str | None:
    """What substitute_variables returns, computed without tokenising, for the common query whose only variables
    outside string literals are built-ins (`[$__rate_interval]`): their values do not depend on where they stand,
    and a string's variables never do. None when the query needs the full walk."""
    pieces: list[str] = []
    end = 0
    for string in _CLOSED_STRING.finditer(expr):
        outside = _builtins_only(expr[end:string.start()])
        if outside is None:
            return None
        pieces += [outside, _substitute_in_string(string.group())]
        end = string.end()
    rest = _builtins_only(expr[end:])
    if rest is None:
        return None
    return "".join([*pieces, rest])


def _builtins_only(segment: str) -> str | None:
    if any(quote in segment for quote in "\"'`"):
        return None  # an unclosed string, or a quote inside ${...}: the full walk decides
    if "$" not in segment and "[[" not in segment:
        return segment
    out: list[str] = []
    end = 0
    for variable in _VARIABLE.finditer(segment):
        value = variable.group() if _is_capture_reference(variable) else _builtin(*_name_and_format(variable))
        if value is None:
            return None
        out += [segment[end:variable.start()], value]
        end = variable.end()
    out.append(segment[end:])
    quick = "".join(out)
    return quick if quick.count("$") == sum(v.count("$") for v in out[1::2]) else None


def parse_promql(expr: str) -> Expr:
    """The promql_parser AST of `expr` after substitute_variables. Raises ValueError naming the expression and
    the parser's message. promql-parser is a dev/test dependency for now, so it is imported only here."""
    import promql_parser

    substituted = substitute_variables(expr)
    try:
        return promql_parser.parse(substituted)
    except ValueError as exc:
        raise ValueError(f"invalid PromQL: {exc}\n  expression: {expr}\n  as parsed: {substituted}") from None


def _is_capture_reference(variable: re.Match[str]) -> bool:
    """`$1` in a label_replace replacement is a regex group, never a Grafana variable."""
    return (variable["plain"] or "").isdigit()


def _name_and_format(variable: re.Match[str]) -> tuple[str, str]:
    name = variable["braced"] or variable["old"] or variable["plain"]
    return name, variable["format"] or variable["old_format"] or ""


def _builtin(name: str, format_: str) -> str | None:
    if name in ("__from", "__to") and format_ == "date:seconds":
        return str(int(_BUILTINS[name]) // 1000)
    if name.startswith("__auto_interval_"):
        return _DURATION
    return _BUILTINS.get(name)


def _replacement(variable: re.Match[str], expr: str, out: list[str], stack: list[_Bracket], tokens: list[str]) -> str:
    name, format_ = _name_and_format(variable)
    builtin = _builtin(name, format_)
    if builtin is not None:
        return builtin
    word = name.strip("_") or "var"
    following = expr[variable.end() :]
    top = stack[-1] if stack else None
    previous = tokens[-1] if tokens else ""
    if top and top.kind == "[":
        return _NUMBER if following[:1].isalpha() else _DURATION  # `[${n}m]` or `[$window]`
    if previous == "offset":
        return _DURATION
    if previous == "@":
        return str(_FROM_MS // 1000)
    if format_ in ("singlequote", "doublequote"):
        return f'"{word}"'
    if (out and re.match(r"[\w:]", out[-1][-1:])) or re.match(r"\w", following):
        return word  # part of a longer name
    if (top and top.kind in ("labels", "{")) or following.lstrip()[:1] in ("{", "["):
        return _identifier(word)
    if top and top.kind == "(" and top.argument in _SCALAR_ARGUMENTS.get(top.function or "", ()):
        return _NUMBER
    if previous in _COMPARISONS:
        return _NUMBER
    return _identifier(word)


def _identifier(word: str) -> str:
    if word.lower() in _RESERVED or not _IDENTIFIER.fullmatch(word):
        return f"var_{word}"
    return word


def _open(char: str, tokens: list[str], closed: _Bracket | None) -> _Bracket:
    previous = tokens[-1] if tokens else ""
    if char != "(":
        return _Bracket(char)
    if previous in _LABEL_LIST_KEYWORDS:
        owner = tokens[-2] if len(tokens) > 1 else None
        if owner == ")" and closed is not None:  # `topk(...) by (...)`: keep the aggregation's name
            owner = closed.function
        return _Bracket("labels", owner)
    if previous == ")" and closed is not None and closed.kind == "labels":
        return _Bracket("(", closed.function)  # `topk by (x) (...)`
    return _Bracket("(", previous if _IDENTIFIER.fullmatch(previous) else None)


def _token_at(expr: str, i: int, stack: list[_Bracket]) -> str:
    if stack and stack[-1].kind == "[":
        return expr[i]  # durations and the subquery ':' are copied one character at a time
    for pattern in (_IDENTIFIER, _OPERATOR):
        match = pattern.match(expr, i)
        if match:
            return match.group()
    number = re.match(r"[\d.]+(?:[eE][-+]?\d+)?", expr[i:])
    return number.group() if number else expr[i]


def _string_end(expr: str, start: int) -> int:
    quote = expr[start]
    i = start + 1
    while i < len(expr):
        if expr[i] == "\\" and quote != "`":
            i += 2
        elif expr[i] == quote:
            return i + 1
        else:
            i += 1
    return len(expr)  # unterminated: the parser will say so


def _substitute_in_string(literal: str) -> str:
    def value(variable: re.Match[str]) -> str:
        if _is_capture_reference(variable):
            return variable.group()
        name, format_ = _name_and_format(variable)
        return _builtin(name, format_) or name.strip("_") or "var"

    return _VARIABLE.sub(value, literal)
