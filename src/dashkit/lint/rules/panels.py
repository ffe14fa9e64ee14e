"""DK11x: what each panel needs to be read and trusted: a title, a description, a unit, queries, datasources."""

from __future__ import annotations

from collections.abc import Iterator

from ...datasources import logical_name
from ...grafana_units import is_known_unit, suggest_unit
from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import PSEUDO_DATASOURCES, as_dict, as_list, panel_type, panels, targets
from ._examples import dashboard, panel

DATA_PANELS = {"timeseries", "graph", "stat", "gauge", "bargauge", "singlestat", "table", "heatmap", "barchart",
               "piechart", "state-timeline", "status-history", "histogram", "xychart", "trend", "table-old"}
UNIT_PANELS = {"timeseries", "graph", "stat", "gauge", "bargauge", "singlestat", "barchart", "trend"}
NO_QUERY_PANELS = {"row", "text", "news", "dashlist", "alertlist", "annolist", "welcome", "gettingstarted",
                   "nodeGraph", "live", "canvas"}


@register
class PanelTitle(Rule):
    code = "DK110"
    name = "panel-title"
    severity = Severity.WARNING
    summary = "A panel has no title."
    why = "A graph nobody can name is a graph nobody can discuss: titles are what people search, link and page on."
    aliases = ("panel-title-description-rule",)
    good = (Example(dashboard(panel())),)
    bad = (Example(dashboard(panel(title=""))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in panels(doc.data):
            if panel_type(ref.panel) in DATA_PANELS and not str(ref.panel.get("title") or "").strip():
                yield self.finding(doc, f"{ref.path}.title", f"a {ref.panel.get('type')} panel has no title")


@register
class PanelDescription(Rule):
    code = "DK111"
    name = "panel-description"
    severity = Severity.INFO
    summary = "A data panel has no description."
    why = ("The description is the (i) tooltip: what the number means and what good looks like, for the person "
           "on call who did not build the dashboard.")
    aliases = ("panel-title-description-rule",)
    good = (Example(dashboard(panel())),)
    bad = (Example(dashboard(panel(description=""))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in panels(doc.data):
            if panel_type(ref.panel) in DATA_PANELS and not str(ref.panel.get("description") or "").strip():
                yield self.finding(doc, f"{ref.path}.description",
                                   f"panel '{ref.panel.get('title', '')}' has no description")


def _unit(panel: dict) -> tuple[str | None, str]:
    defaults = as_dict(as_dict(panel.get("fieldConfig")).get("defaults"))
    if defaults.get("unit") and isinstance(defaults["unit"], str):
        return defaults["unit"], "fieldConfig.defaults.unit"
    for index, axis in enumerate(as_list(panel.get("yaxes"))):  # legacy graph
        if isinstance(axis, dict) and axis.get("format") and isinstance(axis["format"], str):
            return axis["format"], f"yaxes[{index}].format"
    if panel.get("type") == "singlestat" and panel.get("format") and isinstance(panel["format"], str):
        return panel["format"], "format"
    return None, "fieldConfig.defaults.unit"


@register
class PanelUnit(Rule):
    code = "DK112"
    name = "panel-unit"
    severity = Severity.WARNING
    summary = "A graph or single-value panel has no unit."
    why = "0.2 of what? Without a unit, seconds read as milliseconds and ratios as percentages."
    aliases = ("panel-units-rule",)
    good = (Example(dashboard(panel())),)
    bad = (Example(dashboard(panel(fieldConfig={"defaults": {}, "overrides": []}))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in panels(doc.data):
            if panel_type(ref.panel) in UNIT_PANELS and _unit(ref.panel)[0] in (None, ""):
                yield self.finding(doc, f"{ref.path}.fieldConfig.defaults.unit",
                                   f"panel '{ref.panel.get('title', '')}' has no unit")


@register
class UnknownUnit(Rule):
    code = "DK113"
    name = "unknown-unit"
    severity = Severity.ERROR
    summary = "A panel's unit is not a unit Grafana knows."
    why = "Grafana shows an unknown unit as literal text after the number and scales nothing: 1500000 rds."
    good = (Example(dashboard(panel())),)
    bad = (Example(dashboard(panel(fieldConfig={"defaults": {"unit": "secs"}, "overrides": []}))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in panels(doc.data):
            unit, where = _unit(ref.panel)
            if unit and not is_known_unit(unit):
                hint = suggest_unit(unit)
                yield self.finding(doc, f"{ref.path}.{where}", f"unit {unit!r} is not a Grafana unit"
                                   + (f"; did you mean {hint!r}?" if hint else ""))


@register
class PanelWithoutTargets(Rule):
    code = "DK114"
    name = "panel-no-targets"
    severity = Severity.WARNING
    summary = "A data panel has no queries."
    why = "It renders 'No data' forever; usually a query was deleted by accident."
    aliases = ("panel-no-targets-rule",)
    good = (Example(dashboard(panel())),)
    bad = (Example(dashboard(panel(targets=[]))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in panels(doc.data):
            kind = panel_type(ref.panel)
            if kind in DATA_PANELS and not ref.panel.get("targets") and not ref.panel.get("libraryPanel"):
                if (ref.panel.get("datasource") or {}) == {"type": "datasource", "uid": "-- Dashboard --"}:
                    continue
                yield self.finding(doc, f"{ref.path}.targets", f"panel '{ref.panel.get('title', '')}' has no queries")


def _hard_coded(ds: object) -> str | None:
    """The uid or name a datasource reference pins, or None for variables, logical names and pseudo sources."""
    value = ds.get("uid") if isinstance(ds, dict) else ds
    if not isinstance(value, str) or not value or value in PSEUDO_DATASOURCES or "$" in value:
        return None
    if logical_name(value) is not None or (isinstance(ds, dict) and not ds.get("uid")):
        return None
    return value


@register
class HardCodedDatasource(Rule):
    code = "DK115"
    name = "hard-coded-datasource"
    severity = Severity.WARNING
    summary = "A panel or query pins a datasource by uid or name instead of a variable or logical name."
    why = ("The uid exists in one Grafana only: the same dashboard shows errors in staging and prod. Use the "
           "datasource variable, or a logical name (`@prometheus`) that each environment maps.")
    aliases = ("panel-datasource-rule",)
    good = (Example(dashboard(panel())),
            Example(dashboard(panel(datasource={"uid": "@prometheus"},
                                    targets=[{"refId": "A", "expr": "up", "datasource": {"uid": "@prometheus"}}]))))
    bad = (Example(dashboard(panel(datasource={"type": "prometheus", "uid": "P1809F7CD0C75ACF3"},
                                   targets=[{"refId": "A", "expr": "up"}]))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in panels(doc.data):
            pinned = _hard_coded(ref.panel.get("datasource"))
            if pinned:
                yield self.finding(doc, f"{ref.path}.datasource", f"panel '{ref.panel.get('title', '')}' pins "
                                                                  f"datasource {pinned!r}")
            for index, target in targets(ref):
                pinned_target = _hard_coded(target.get("datasource"))
                if pinned_target and pinned_target != pinned:
                    yield self.finding(doc, f"{ref.path}.targets[{index}].datasource",
                                       f"query {target.get('refId', index)} pins datasource {pinned_target!r}")
        for index, var in enumerate(as_list(as_dict(doc.data.get("templating")).get("list"))):
            if isinstance(var, dict) and var.get("type") == "query" and _hard_coded(var.get("datasource")):
                yield self.finding(doc, f"templating.list[{index}].datasource",
                                   f"variable '{var.get('name')}' pins datasource {_hard_coded(var['datasource'])!r}")


