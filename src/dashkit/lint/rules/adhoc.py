"""DK127: ad-hoc filter variables pinned to one concrete datasource."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import variables
from ._examples import DS_VAR, dashboard
from .panels import _hard_coded as pinned_datasource


def _filters(datasource: object) -> dict:
    return {"type": "adhoc", "name": "Filters", "datasource": datasource, "filters": []}


@register
class AdhocFilterPinnedDatasource(Rule):
    code = "DK127"
    name = "adhoc-datasource"
    severity = Severity.WARNING
    summary = ("An ad-hoc filter variable names a concrete datasource uid (or name) instead of a variable or a "
               "logical name.")
    why = ("Grafana applies ad-hoc filters only to queries of that same datasource: when the datasource variable picks "
           "another Prometheus, or in another Grafana where the uid does not exist, the filters offer no keys and "
           "silently filter nothing. Point it at the datasource variable (`${datasource}`) or a logical name "
           "(`@prometheus`).")
    good = (Example(dashboard(variables=[DS_VAR, _filters({"type": "prometheus", "uid": "${datasource}"})])),
            Example(dashboard(variables=[DS_VAR, _filters({"uid": "@prometheus"})])))
    bad = (Example(dashboard(variables=[DS_VAR, _filters({"type": "prometheus", "uid": "P1809F7CD0C75ACF3"})])),
           Example(dashboard(variables=[DS_VAR, _filters("Prometheus")])))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for index, var in enumerate(variables(doc.data)):
            if var.get("type") != "adhoc":
                continue
            pinned = pinned_datasource(var.get("datasource"))
            if pinned:
                yield self.finding(doc, f"templating.list[{index}].datasource",
                                   f"ad-hoc filter variable '{var.get('name')}' is pinned to datasource {pinned!r}")
