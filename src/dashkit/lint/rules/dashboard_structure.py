"""DK10x: dashboard identity and layout: uids, panel ids, the grid, deprecated panel types, editability."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any

from ...naming import is_valid_uid
from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import as_list, doc_panels, panel_type
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
    classic_only = True
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
    classic_only = True
    name = "duplicate-panel-id"
    severity = Severity.ERROR
    summary = "Two panels of a dashboard share an id."
    why = "Grafana addresses panels by id (links, viewPanel, alert annotations, library panels): one of them loses."
    good = (Example(dashboard(panel(id=1), panel(id=2, gridPos={"h": 8, "w": 12, "x": 12, "y": 0}))),)
    bad = (Example(dashboard(panel(id=1), panel(id=1, gridPos={"h": 8, "w": 12, "x": 12, "y": 0}))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        seen: dict[int, str] = {}
        for ref in doc_panels(doc, include_rows=True):
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
    classic_only = True
    name = "panel-layout"
    severity = Severity.WARNING
    summary = ("Two panels meant to sit side by side overlap, or a panel leaves Grafana's 24-column grid (rows "
               "excepted: Grafana draws them full width where they stand).")
    why = ("Grafana sorts panels by y then x, floats each one up and pushes it below what it overlaps: two panels "
           "at the same y that overlap end up stacked, not side by side, and a panel that starts inside a panel "
           "above is moved down, away from the panels beside it. Where that keeps every panel in its line "
           "(generated dashboards count on it: full-width panels one y apart, a row on top of a panel, panels "
           "stacked on one spot), Grafana draws what was meant and nothing is reported. A missing gridPos key "
           "takes Grafana's default (x 0, y 0, w 6, h 3).")
    good = (Example(dashboard(panel(), panel(id=2, gridPos={"h": 8, "w": 12, "x": 12, "y": 0}))),
            Example(dashboard({"id": 3, "type": "row", "title": "Traffic", "collapsed": False, "panels": [],
                               "gridPos": {"h": 1, "w": 0, "x": 0, "y": 0}},
                              panel(gridPos={"h": 8, "w": 12, "x": 0, "y": 0})),
                    note="a row at w=0 sharing y with a panel: Grafana draws the row full width, above it"),
            Example(dashboard(panel(gridPos={"h": 7, "w": 24, "x": 0, "y": 0}),
                              panel(id=2, gridPos={"h": 7, "w": 24, "x": 0, "y": 1}),
                              panel(id=3, gridPos={"h": 7, "w": 24, "x": 0, "y": 2})),
                    note="a generated layout: y steps of 1, Grafana stacks the panels in that order"))
    bad = (Example(dashboard(panel(), panel(id=2, gridPos={"h": 8, "w": 12, "x": 6, "y": 0}))),
           Example(dashboard(panel(gridPos={"h": 8, "w": 12, "x": 18, "y": 0}))),
           Example(dashboard(panel(gridPos={"h": 16, "w": 12, "x": 0, "y": 0}),
                             panel(id=2, gridPos={"h": 8, "w": 12, "x": 12, "y": 0}),
                             panel(id=3, gridPos={"h": 8, "w": 12, "x": 0, "y": 8}),
                             panel(id=4, gridPos={"h": 8, "w": 12, "x": 12, "y": 8})),
                   note="the third panel starts inside the first: Grafana moves it below, away from the fourth"))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        if doc.data.get("rows"):
            return  # the legacy layout has no grid positions
        for scope in _layout_scopes(doc.data):
            boxes: list[tuple[int, int, int, int, str, str]] = []
            rows: list[tuple[int, int, int, int, str, str]] = []
            for path, item in scope:
                grid = item.get("gridPos")
                if not isinstance(grid, dict):
                    continue
                try:
                    x, y, w, h = (int(grid[k]) if grid.get(k) is not None else _GRID_DEFAULTS[k]
                                  for k in ("x", "y", "w", "h"))
                except (TypeError, ValueError, OverflowError):
                    yield self.finding(doc, f"{path}.gridPos", "gridPos values must be numbers", Severity.ERROR)
                    continue
                title = f"'{item.get('title', '')}'"
                if item.get("type") == "row":
                    rows.append((0, y, 24, 1, path, title))  # drawn full width, one unit high, where it stands
                    continue
                if x < 0 or y < 0 or w < 1 or h < 1 or x + w > 24:
                    yield self.finding(doc, f"{path}.gridPos", f"panel {title} at x={x} w={w} leaves the "
                                                               "24-column grid")
                    continue
                boxes.append((x, y, w, h, path, title))
            if not _any_overlap(boxes):
                continue
            grid_map = _GridMap()
            moved: list[tuple[tuple[int, int, int, int, str, str], str]] = []
            for box in boxes:
                x, y, w, h, path, title = box
                clash = grid_map.place(x, y, w, h, (y, w, f"{title} ({path})"))
                if clash is None:
                    continue
                other_y, other_w, other = clash
                if other_y == y and not w == other_w == 24:  # meant side by side: neither spans the grid
                    yield self.finding(doc, f"{path}.gridPos", f"panel {title} overlaps {other} at the same y: "
                                                               "Grafana stacks them instead of side by side")
                else:
                    moved.append((box, other))
            if moved:
                yield from self._lines_broken(doc, boxes, rows, moved)

    def _lines_broken(self, doc: Document, boxes: list, rows: list, moved: list) -> Iterator[Finding]:
        """The panels Grafana pushes down (they start inside a panel above) that end up apart from a panel the file
        puts beside them, at the same y: the layout Grafana draws is not the one written."""
        final = _grafana_layout(boxes + rows)
        lines: dict[int, dict[tuple[int, int], dict[int, str]]] = {}  # y -> (x, w) -> drawn y -> a panel's name
        for x, y, w, _, path, title in boxes:
            lines.setdefault(y, {}).setdefault((x, w), {}).setdefault(final[path], f"{title} ({path})")
        for (x, y, w, _, path, title), other in moved:
            beside = next((name for (bx, bw), drawn in lines[y].items() if bx >= x + w or x >= bx + bw
                           for at, name in drawn.items() if at != final[path]), None)
            if beside is not None:
                yield self.finding(doc, f"{path}.gridPos", f"panel {title} overlaps {other}: Grafana moves it "
                                                           f"down to y={final[path]}, away from {beside} beside it")


_GRID_DEFAULTS = {"x": 0, "y": 0, "w": 6, "h": 3}  # Grafana's PanelModel defaults for a missing gridPos key


def _grafana_layout(items: list[tuple[int, int, int, int, str, str]]) -> dict[str, int]:
    """{path: y} where Grafana draws each item: in (y, x) order, each floats up to the lowest bottom of what is
    already placed in its columns (react-grid-layout's vertical compaction, which Grafana's grid uses)."""
    skyline = [0] * 24
    out: dict[str, int] = {}
    for x, _, w, h, path, _ in sorted(items, key=lambda item: (item[1], item[0])):
        top = max(skyline[x:x + w])
        skyline[x:x + w] = [top + h] * w
        out[path] = top
    return out


def _any_overlap(boxes: list[tuple[int, int, int, int, str, str]]) -> bool:
    """Whether any two boxes overlap: a sweep down the grid keeping each column's lowest bottom so far. The usual
    answer (no) costs a sort; only a layout with overlaps pays for naming them."""
    bottoms = [0] * 24
    for x, y, w, h, *_ in sorted(boxes, key=lambda box: box[1]):
        if max(bottoms[x:x + w]) > y:
            return True
        bottoms[x:x + w] = [y + h] * w  # every bottom in these columns was <= y
    return False


class _GridMap:
    """Which panel was placed last on each cell of the 24-column grid. Placing a panel reports the last placed
    panel it overlaps (the one a pairwise scan from the newest would find) in O(log n) amortised per column.
    Neighbouring columns no panel edge separates are one column: full-width panels paint once, not 24 times."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int, _Column]] = [(0, 24, _Column())]  # (first column, end, shared column)
        self.names: list[Any] = []

    def place(self, x: int, y: int, w: int, h: int, name: Any) -> Any | None:
        me, last = len(self.names), -1
        self.names.append(name)
        self._split(x)
        self._split(x + w)
        for start, end, column in self.spans:
            if start >= x and end <= x + w:
                last = max(last, column.paint(y, y + h, me))
        return self.names[last] if last >= 0 else None

    def _split(self, at: int) -> None:
        """Columns left and right of `at` part ways: the span across it becomes two with the same contents."""
        for index, (start, end, column) in enumerate(self.spans):
            if start < at < end:
                self.spans[index:index + 1] = [(start, at, column), (at, end, column.copy())]
                return


class _Column:
    """One grid column as sorted y segments, each owned by the index of the panel placed last on it (-1: empty),
    kept in chunks so that an insertion moves at most a chunk. The segments a paint reads are the ones it
    replaces, so reading them is paid for by their removal."""

    CHUNK = 512

    def __init__(self) -> None:
        self.firsts = [0]  # the first start of each chunk, for bisecting
        self.chunks: list[tuple[list[int], list[int]]] = [([0], [-1])]  # (segment starts, owners)

    def copy(self) -> _Column:
        twin = _Column()
        twin.firsts = list(self.firsts)
        twin.chunks = [(list(starts), list(owners)) for starts, owners in self.chunks]
        return twin

    def paint(self, top: int, bottom: int, owner: int) -> int:
        """Give [top, bottom) to `owner`; return the newest owner it had (-1 when it was empty)."""
        ci = bisect.bisect_right(self.firsts, top) - 1
        cj = bisect.bisect_right(self.firsts, bottom, ci) - 1
        starts, owners = self.chunks[ci]
        end_starts, end_owners = self.chunks[cj]
        pi = bisect.bisect_right(starts, top) - 1
        pj = bisect.bisect_right(end_starts, bottom, pi if ci == cj else 0) - 1
        reach = pj + 1 if end_starts[pj] < bottom else pj  # the segments [top, bottom) touches, in chunk cj
        keep = pi + 1 if starts[pi] < top else pi
        below = end_owners[pj]
        if ci == cj:
            last = max(owners[pi:reach])
            starts[keep:pj + 1] = (top, bottom)
            owners[keep:pj + 1] = (owner, below)
        else:
            last = max(max(owners[pi:]), *(max(self.chunks[c][1]) for c in range(ci + 1, cj)),
                       max(end_owners[:reach], default=-1))
            starts[keep:] = [top, bottom, *end_starts[pj + 1:]]
            owners[keep:] = [owner, below, *end_owners[pj + 1:]]
            del self.chunks[ci + 1:cj + 1], self.firsts[ci + 1:cj + 1]
        if len(starts) > 2 * self.CHUNK:
            half = len(starts) // 2
            self.chunks.insert(ci + 1, (starts[half:], owners[half:]))
            self.firsts.insert(ci + 1, starts[half])
            del starts[half:], owners[half:]
        return last


def _layout_scopes(dashboard: dict) -> list[list[tuple[str, dict]]]:
    """The visible grid (top-level panels and open rows), then each collapsed row's panels as Grafana expands it."""
    top: list[tuple[str, dict]] = []
    scopes = [top]
    for index, item in enumerate(as_list(dashboard.get("panels"))):
        if not isinstance(item, dict):
            continue
        top.append((f"panels[{index}]", item))
        if item.get("type") == "row" and item.get("collapsed"):
            scopes.append([(f"panels[{index}].panels[{i}]", p) for i, p in enumerate(as_list(item.get("panels")))
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
        for ref in doc_panels(doc):
            kind = panel_type(ref.panel)
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

