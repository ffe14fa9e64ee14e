"""DK131: the range of `rate()` in a dashboard query becomes `$__rate_interval`, where it is a fixed
duration or `$__interval` (also spelt `$interval` when the dashboard has no variable of that name). Subqueries,
`irate()` and ranges set by a dashboard variable are left as written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ... import promql_ast as ast
from ..model import Document, Finding
from ..rules._promql import analyse, calls, parse, selectors_of
from ..rules.promql import MAX_STEP_RANGE  # a fixed rate() range up to it stands for the step
from ..walk import variables
from .json_edits import local_path, owner_path, resolve
from .registry import FixContext, Fixed, Left, Outcome, fixes

RATE_INTERVAL = "$__rate_interval"

_CALL = re.compile(r"\b(rate|increase|irate)\s*\(")
_DURATION = re.compile(r"^(?:\d+(?:ms|[smhdwy]))+$")
_ZOOM_INTERVAL = re.compile(r"^(?:\$__interval|\$\{__interval\}|\[\[__interval\]\])$")
_OLD_INTERVAL = re.compile(r"^(?:\$interval|\$\{interval\}|\[\[interval\]\])$")
_OPEN = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class RangeRewrite:
    expr: str  # the query with the ranges replaced
    replaced: tuple[str, ...]  # "rate() [5m]" for each range now $__rate_interval
    kept: tuple[str, ...]  # "irate() [5m]: why", for each range left as written


def _code_only(expr: str) -> str:
    """The query with every character inside a string literal blanked (same length): brackets and names in label
    values are not code."""
    out, quote, escaped = [], "", False
    for char in expr:
        if quote:
            out.append(" ")
            if escaped:
                escaped = False
            elif char == "\\" and quote != "`":
                escaped = True
            elif char == quote:
                quote = ""
                out[-1] = char
        else:
            out.append(char)
            if char in "\"'`":
                quote = char
    return "".join(out)


def _closing(code: str, start: int) -> int:
    """The index of the bracket closing the one at `start`, or -1."""
    depth = 0
    for index in range(start, len(code)):
        char = code[index]
        if char in _OPEN:
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index
    return -1


def range_spans(expr: str) -> list[tuple[str, int, int]]:
    """(function, start, end) of the range written between the brackets of each rate(), increase() and irate()
    call of the query text, e.g. ('rate', 30, 32) for the '5m' of `sum(rate(http_requests_total[5m]))`."""
    code = _code_only(expr)
    out = []
    for match in _CALL.finditer(code):
        end = _closing(code, match.end() - 1)
        index, last = match.end(), None
        while 0 <= index < end:
            char = code[index]
            if char in _OPEN:
                close = _closing(code, index)
                if close < 0:
                    break
                if char == "[":
                    last = (index + 1, close)
                index = close
            index += 1
        if last is not None:
            out.append((match.group(1), *last))
    return out


def follows_the_step(duration: str) -> bool:
    """A fixed rate() range short enough to stand for "the step": at most MAX_STEP_RANGE."""
    from ...durations import parse_duration

    try:
        return parse_duration(duration) <= MAX_STEP_RANGE
    except ValueError:
        return False


def rewrite(expr: str, own_interval_variable: bool) -> RangeRewrite:
    """The query with each safe rate() range replaced by $__rate_interval."""
    replaced: list[str] = []
    kept: list[str] = []
    pieces, at = [], 0
    for function, start, end in range_spans(expr):
        written = expr[start:end].strip()
        shown = f"{function}() [{written}]"
        if function == "irate":
            kept.append(f"{shown}: irate() over $__rate_interval would be DK139's finding (use rate() for a rate)")
            continue
        if function == "increase":
            kept.append(f"{shown}: increase() counts over its window; another window changes the number")
            continue
        if _DURATION.match(written) and not follows_the_step(written):
            kept.append(f"{shown}: a window this long is a deliberate choice (smoothing, a daily figure)")
            continue
        if written == RATE_INTERVAL or written == "${__rate_interval}":
            continue
        if _OLD_INTERVAL.match(written) and own_interval_variable:
            kept.append(f"{shown}: $interval is the dashboard's own interval picker, the author's choice")
            continue
        if not (_DURATION.match(written) or _ZOOM_INTERVAL.match(written) or _OLD_INTERVAL.match(written)):
            why = "a subquery" if ":" in written else "a range set by a dashboard variable, the author's choice"
            kept.append(f"{shown}: {why}")
            continue
        pieces += [expr[at:start], RATE_INTERVAL]
        at = end
        replaced.append(shown)
    pieces.append(expr[at:])
    return RangeRewrite("".join(pieces), tuple(replaced), tuple(kept))


def same_query_shape(old: str, new: str) -> bool:
    """Whether `new` parses and differs from `old` only in ranges: the same calls over the same selectors."""
    tree = parse(new)
    if isinstance(tree, ValueError):
        return False
    names = ("rate", "increase", "irate")
    return (len(calls(old, *names)) == len(calls(new, *names))
            and [s.metric for s in selectors_of(old)] == [s.metric for s in selectors_of(new)])


def has_subquery(expr: str) -> bool:
    return any(ast.kind(node) == "SubqueryExpr" for node in analyse(expr).nodes)


@fixes("DK131")
def use_rate_interval(doc: Document, findings: list[Finding], ctx: FixContext) -> Iterator[Outcome]:
    own_interval = any(v.get("name") == "interval" for v in variables(doc.data))
    for finding in findings:
        target = resolve(doc.data, owner_path(local_path(doc, finding.location), "expr"))
        expr = target.get("expr") if isinstance(target, dict) else None
        if not isinstance(expr, str):
            continue
        if has_subquery(expr):
            yield Left(finding.code, finding.location, "the query has a subquery: its ranges are left as written")
            continue
        result = rewrite(expr, own_interval)
        if not result.replaced:
            yield Left(finding.code, finding.location, "; ".join(result.kept) or "no range --fix can replace")
            continue
        if not same_query_shape(expr, result.expr):
            yield Left(finding.code, finding.location, "the query with $__rate_interval would not parse the same")
            continue
        target["expr"] = result.expr
        left = f"; left {'; '.join(result.kept)}" if result.kept else ""
        yield Fixed(finding.code, finding.location, f"{', '.join(result.replaced)} → [{RATE_INTERVAL}]{left}")
