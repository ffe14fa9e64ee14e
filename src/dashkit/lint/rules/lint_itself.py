"""DK0xx: problems with the lint input itself (reported by the loader and the suppression reader)."""

from __future__ import annotations

from ..model import Severity
from ..registry import Example, Rule, register
from ._examples import dashboard, panel


@register
class UnreadableFile(Rule):
    code = "DK001"
    name = "unreadable-file"
    severity = Severity.ERROR
    summary = ("A file given to lint is not valid JSON or YAML, or is too costly to read: YAML aliases that expand "
               "to more than 100,000 nodes, or nesting deeper than 100 levels.")
    why = ("Grafana and Prometheus would reject it too (or spend minutes and gigabytes on it); nothing else in it can "
           "be checked.")


@register
class SuppressionWithoutReason(Rule):
    code = "DK002"
    name = "suppression-without-reason"
    severity = Severity.ERROR
    summary = 'A `"dashkitLint": {"DKnnn": "reason"}` suppression has no reason.'
    why = "A suppression is a decision someone will have to revisit; the reason is what lets them."
    good = (Example(dashboard(panel(dashkitLint={"DK107": "the title says it all"}))),)
    bad = (Example(dashboard(panel(dashkitLint={"DK107": ""}))),)


@register
class NotADashboardOrRuleFile(Rule):
    code = "DK004"
    name = "not-a-dashboard-or-rule-file"
    severity = Severity.ERROR
    summary = ("A file given to lint holds no dashboard, rule group or SLO spec in any shape lint reads (dashboard "
               "JSON, an API export, a ConfigMap, GrafanaDashboard or app-platform Dashboard, a single-key object "
               "holding a dashboard, a rule file or PrometheusRule). An error for a file named on the command line; "
               "advice for one found in a folder.")
    why = ("Otherwise nothing was checked and lint says \"No findings\": a typo in a path or an unexpected export "
           "format would pass CI. The message says what the file holds instead.")
