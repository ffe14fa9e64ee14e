"""DK138: a legend that names a label the query has aggregated away."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import as_dict, panel_type
from ._examples import dashboard, panel
from ._labels import ResultLabels, result_labels
from ._promql import dashboard_queries

_LEGEND_LABEL = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _legend_panel(expr: str, legend: str) -> dict:
    base = panel(expr=expr)
    base["targets"][0]["legendFormat"] = legend
    return base


@register
class LegendLabelAggregatedAway(Rule):
    code = "DK138"
    name = "legend-label-missing"
    severity = Severity.WARNING
    summary = "A legend uses `{{label}}` for a label the query aggregates away (`sum()`, `avg by (host)`, `on (...)`)."
    why = ("The label is not in the result, so Grafana cannot fill it in: it prints the label's name, or nothing, "
           "in place of a value, and the series cannot be told apart. Keep the label in `by (...)` or drop it from "
           "the legend.")
    good = (Example(dashboard(_legend_panel(
        'sum by (cluster, namespace) (rate(http_requests_total{job="api"}[$__rate_interval]))',
        "{{cluster}} - {{namespace}}"))),
        Example(dashboard(_legend_panel('rate(http_requests_total{job="api"}[$__rate_interval])', "{{instance}}")),
                note="a selector without aggregation keeps labels that cannot be known here: quiet"))
    bad = (Example(dashboard(_legend_panel('sum(rate(http_requests_total{job="api"}[$__rate_interval]))',
                                           "{{cluster}} - {{namespace}}"))),
           Example(dashboard(_legend_panel("avg(pg_stat_database_numbackends) by (host)", "{{dbname}}"))))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for query in dashboard_queries(doc):
            legend = query.target.get("legendFormat")
            if not isinstance(legend, str) or "{{" not in legend or query.target.get("format") == "table":
                continue  # a table shows labels as columns; its legend is never drawn
            labels = result_labels(query.expr)
            if not labels.closed and not labels.names:
                continue
            missing = [name for name in dict.fromkeys(_LEGEND_LABEL.findall(legend))
                       if not name.startswith("__") and labels.lacks(name)]
            if missing and not _name_hidden(query.panel, labels):
                names = ", ".join(f"{{{{{name}}}}}" for name in missing)
                yield self.finding(doc, query.path.removesuffix(".expr") + ".legendFormat",
                                   f"legend {names}: not in the query's result, {_kept(labels)}")


def _name_hidden(panel: dict, labels: ResultLabels) -> bool:
    """A single-value panel showing one series draws its value, not its name (unless told to)."""
    kind = panel_type(panel)
    if kind == "singlestat":
        return True
    text_mode = as_dict(panel.get("options")).get("textMode")
    return (kind in ("stat", "gauge") and labels.closed and not labels.names
            and text_mode not in ("name", "value_and_name"))


def _kept(labels: ResultLabels) -> str:
    if not labels.closed:
        return "which drops it with without (...)"
    kept = ", ".join(sorted(labels.names))
    return f"which keeps only {kept} ({labels.cause})" if kept else f"which has no labels ({labels.cause})"
