"""DK14x: checks against a live Prometheus (`dashkit lint --prometheus URL`). Offline they find nothing; their
findings come from lint/online.py, through these rules so that severity overrides and suppressions apply."""

from __future__ import annotations

from ..model import DocKind, Severity
from ..registry import Rule, register


@register
class UnknownMetric(Rule):
    code = "DK140"
    name = "unknown-metric"
    severity = Severity.WARNING
    summary = "A query selects a metric that the Prometheus given with `--prometheus` does not have."
    why = ("A misspelt, renamed or never-scraped metric is not an error in PromQL: the query returns nothing, the "
           "panel says 'No data' and the alert never fires.")
    applies_to = tuple(DocKind)


@register
class UnknownLabel(Rule):
    code = "DK141"
    name = "unknown-label"
    severity = Severity.WARNING
    summary = ("A query filters on a label that its metric does not have, or on a value that label never takes "
               "(in the last 24h of the Prometheus given with `--prometheus`).")
    why = ("A matcher on a misspelt label or value selects no series: the panel says 'No data' and the alert never "
           "fires, without any error.")
    applies_to = tuple(DocKind)
