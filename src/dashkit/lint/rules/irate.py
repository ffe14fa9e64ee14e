"""DK139: `irate()` in dashboards over a range that follows the zoom, or a long one."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from ...durations import format_duration, parse_duration
from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ._examples import dashboard, panel
from ._promql import calls, dashboard_queries

SHORT_RANGE = 300.0  # seconds: Prometheus' default lookback; a longer irate() range only hides staleness
_IRATE = re.compile(r"\birate\s*\(")
_ZOOM_VARIABLE = re.compile(r"\$\{?__(?:rate_interval|interval|range|auto)")


def irate_ranges(expr: str) -> list[str]:
    """The range written in each `irate(...)` of the query text (before Grafana's variables are replaced), e.g.
    '5m', '$__rate_interval', '$interval:$resolution'."""
    out = []
    for match in _IRATE.finditer(expr):
        depth, quote, i = 1, "", match.end()
        last_range = None
        while i < len(expr) and depth:
            char = expr[i]
            if quote:
                if char == "\\":
                    i += 1
                elif char == quote:
                    quote = ""
            elif char in "\"'`":
                quote = char
            elif char in "([{":
                if char == "[" and depth == 1:
                    end = expr.find("]", i)
                    if end < 0:
                        break
                    last_range = expr[i + 1:end].strip()
                    i = end
                else:
                    depth += 1
            elif char in ")]}":
                depth -= 1
            i += 1
        if last_range is not None:
            out.append(last_range)
    return out


def _problem(written: str) -> str | None:
    if _ZOOM_VARIABLE.search(written):
        return (f"irate() over [{written}]: the range grows with the zoom, but irate() still uses only the last two "
                "samples of it, so the graph shows a sample of spikes, not a rate; use rate() or a fixed short range")
    if "$" in written or "[[" in written or ":" in written:
        return None  # a dashboard's own interval variable, or a subquery: its values are the author's choice
    try:
        seconds = parse_duration(written)
    except ValueError:
        return None
    if seconds > SHORT_RANGE:
        return (f"irate() over [{written}] still uses only the last two samples, not {format_duration(seconds)} of "
                "data, and keeps showing a stale rate that long after a target disappears; use rate() for a rate "
                f"over [{written}]")
    return None


@register
class IrateInDashboard(Rule):
    code = "DK139"
    name = "irate-range"
    severity = Severity.WARNING
    summary = ("`irate()` in a dashboard over `$__rate_interval`/`$__interval` (a range that follows the zoom) or a "
               "range longer than 5m.")
    why = ("irate() is the rate between the last two samples of the range, whatever its length. Over a range that "
           "widens as you zoom out, each point of the graph is one two-sample rate picked from a long window: "
           "spikes between the picks vanish and the curve changes with the zoom. It is meant for a fixed short "
           "range on a zoomed-in view; rate() answers 'how fast on average'.")
    good = (Example(dashboard(panel(expr='sum(irate(http_requests_total{job="api"}[1m]))'))),
            Example(dashboard(panel(expr='sum(rate(http_requests_total{job="api"}[$__rate_interval]))'))))
    bad = (Example(dashboard(panel(expr='sum(irate(http_requests_total{job="api"}[$__rate_interval]))'))),
           Example(dashboard(panel(expr='sum(irate(http_requests_total{job="api"}[1h]))'))))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for query in dashboard_queries(doc):
            if "irate" in query.expr:
                for message in irate_problems(query.expr):
                    yield self.finding(doc, query.path, message)


@functools.lru_cache(maxsize=65536)
def irate_problems(expr: str) -> tuple[str, ...]:
    messages = [m for m in map(_problem, dict.fromkeys(irate_ranges(expr))) if m]
    return tuple(messages) if messages and calls(expr, "irate") else ()
