"""DK10x: dashboard identity and layout: uids, panel ids, the grid, deprecated panel types, editability."""

from __future__ import annotations

from collections.abc import Iterator

from ...naming import is_valid_uid
from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import panels
from ._examples import dashboard, panel

DEPRECATED_PANELS = {
    "graph": "timeseries",
    "singlestat": "stat",
    "table-old": "table",
    "grafana-piechart-panel": "piechart",
    "grafana-worldmap-panel": "geomap",
    "natel-discrete-panel": "state-timeline",
    "michaeldmoore-annunciator-panel": "stat",
    "grafana-singlestat-panel": "stat",
    "vonage-status-panel": "stat",
    "flant-statusmap-panel": "state-timeline",
    "briangann-gauge-panel": "gauge",
    "jdbranham-diagram-panel": "canvas",
    "yesoreyeram-boomtable-panel": "table",
    "grafana-clock-panel": "text",
    "agenty-flowcharting-panel": "canvas",
}


@register
class UidMissingOrInvalid(Rule):
    code = "DK101"
    name = "dashboard-uid"
    severity = Severity.ERROR
    summary = "The dashboard has no uid, or one Grafana would reject (1-40 letters, digits, '-' or '_')."
    why = ("Without a stable uid every import creates a new dashboard, links and alerts break, and a sync tool "
           "cannot tell which live dashboard the file is.")
    good = (Example(dashboard()),)
    bad = (Example(dashboard(uid=None)), Example(dashboard(uid="has spaces/and slashes")))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        uid = doc.data.get("uid")
        if uid in (None, ""):
            if doc.path.endswith(".py"):
                return  # dashkit derives a stable uid for definitions
            yield self.finding(doc, "uid", "the dashboard has no uid; give it a stable one")
        elif not is_valid_uid(uid):
            yield self.finding(doc, "uid", f"uid {uid!r} must be 1-40 letters, digits, '-' or '_'")


@register
class DuplicateUid(Rule):
    code = "DK102"
    name = "duplicate-uid"
    severity = Severity.ERROR
    summary = "Two dashboards linted together have the same uid."
    why = "Grafana keeps one dashboard per uid: whichever is saved last silently replaces the other."
    project_wide = True

    def check_all(self, docs: list[Document], ctx: LintContext) -> Iterator[Finding]:
        seen: dict[str, Document] = {}
        for doc in docs:
            uid = doc.data.get("uid")
            if not isinstance(uid, str) or not uid:
                continue
            first = seen.setdefault(uid, doc)
            if first is not doc:
                yield self.finding(doc, "uid", f"uid '{uid}' is also used by '{first.label}' in {first.path}")


@register
class DuplicatePanelId(Rule):
    code = "DK103"
    name = "duplicate-panel-id"
    severity = Severity.ERROR
    summary = "Two panels of a dashboard share an id."
    why = "Grafana addresses panels by id (links, viewPanel, alert annotations, library panels): one of them loses."
    good = (Example(dashboard(panel(id=1), panel(id=2, gridPos={"h": 8, "w": 12, "x": 12, "y": 0}))),)
    bad = (Example(dashboard(panel(id=1), panel(id=1, gridPos={"h": 8, "w": 12, "x": 12, "y": 0}))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        seen: dict[int, str] = {}
        for ref in panels(doc.data, include_rows=True):
            pid = ref.panel.get("id")
            if not isinstance(pid, int) or isinstance(pid, bool):
                continue
            if pid in seen:
                yield self.finding(doc, f"{ref.path}.id", f"panel id {pid} is also used by {seen[pid]}")
            else:
                seen[pid] = f"'{ref.panel.get('title', '')}' ({ref.path})"


@register
class PanelOverlap(Rule):
    code = "DK104"
    name = "panel-layout"
    severity = Severity.ERROR
    summary = "Panels overlap, or a panel leaves Grafana's 24-column grid."
    why = "Grafana pushes overlapping panels around on load: the dashboard people see is not the one in code."
    good = (Example(dashboard(panel(), panel(id=2, gridPos={"h": 8, "w": 12, "x": 12, "y": 0}))),)
    bad = (Example(dashboard(panel(), panel(id=2))),
           Example(dashboard(panel(gridPos={"h": 8, "w": 12, "x": 18, "y": 0}))))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        if doc.data.get("rows"):
            return  # the legacy layout has no grid positions
        for scope in _layout_scopes(doc.data):
            placed: list[tuple[int, int, int, int, str]] = []
            for path, item in scope:
                grid = item.get("gridPos")
                if not isinstance(grid, dict):
                    continue
                try:
                    x, y, w, h = (int(grid.get(k, 0)) for k in ("x", "y", "w", "h"))
                except (TypeError, ValueError):
                    yield self.finding(doc, f"{path}.gridPos", "gridPos values must be numbers")
                    continue
                title = f"'{item.get('title', '')}'"
                if x < 0 or y < 0 or w < 1 or h < 1 or x + w > 24:
                    yield self.finding(doc, f"{path}.gridPos", f"panel {title} at x={x} w={w} leaves the "
                                                               "24-column grid")
                    continue
                clash = next((other for ox, oy, ow, oh, other in reversed(placed)
                              if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h), None)
                if clash:
                    yield self.finding(doc, f"{path}.gridPos", f"panel {title} overlaps {clash}")
                placed.append((x, y, w, h, f"{title} ({path})"))


def _layout_scopes(dashboard: dict) -> list[list[tuple[str, dict]]]:
    """The visible grid (top-level panels and open rows), then each collapsed row's panels as Grafana expands it."""
    top: list[tuple[str, dict]] = []
    scopes = [top]
    for index, item in enumerate(dashboard.get("panels") or []):
        if not isinstance(item, dict):
            continue
        top.append((f"panels[{index}]", item))
        if item.get("type") == "row" and item.get("collapsed"):
            scopes.append([(f"panels[{index}].panels[{i}]", p) for i, p in enumerate(item.get("panels") or [])
                           if isinstance(p, dict)])
    return scopes


@register
class DeprecatedPanel(Rule):
    code = "DK105"
    name = "deprecated-panel"
    severity = Severity.WARNING
    summary = "A panel uses a deprecated type (graph, singlestat, table-old) or an Angular plugin."
    why = ("Grafana 11 turned Angular support off by default and Grafana 12 removed it: these panels are migrated "
           "on load (not always faithfully) or do not render at all.")
    aliases = ()
    good = (Example(dashboard(panel())),)
    bad = (Example(dashboard(panel(type="graph"))), Example(dashboard(panel(type="grafana-piechart-panel"))))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in panels(doc.data):
            kind = ref.panel.get("type")
            if kind in DEPRECATED_PANELS:
                yield self.finding(doc, f"{ref.path}.type", f"panel '{ref.panel.get('title', '')}' is a {kind} "
                                                            f"panel; use {DEPRECATED_PANELS[kind]} instead")


@register
class EditableDashboard(Rule):
    code = "DK106"
    name = "editable-dashboard"
    severity = Severity.INFO
    summary = "A dashboard kept in code is editable in the Grafana UI."
    why = ("Edits made in the UI are not in Git: the next deploy reports them as drift or they get lost. "
           "Set `editable: false` where the code is the only source.")
    aliases = ("template-uneditable-rule",)
    good = (Example(dashboard(editable=False)),)
    bad = (Example(dashboard(editable=True)),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        if doc.data.get("editable", True) is not False:
            yield self.finding(doc, "editable", "the dashboard is editable in the UI; set editable: false")

