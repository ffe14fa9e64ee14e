"""DK107: the legacy `rows[]` layout to the panel grid, placed the way Grafana's schema-16 migration places it
(DashboardMigrator.upgradeToGridLayout, and the backend's schemaversion.V16)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from ..model import Document, Finding
from ..walk import as_list
from .json_edits import local_path, rebuilt, replace_in_place, sorted_keys
from .registry import FixContext, Fixed, Left, Outcome, fixes

GRID_COLUMNS = 24
GRID_CELL_HEIGHT = 30  # px
GRID_CELL_VMARGIN = 8  # px
MIN_PANEL_HEIGHT = GRID_CELL_HEIGHT * 3
DEFAULT_ROW_HEIGHT = 250  # px
DEFAULT_PANEL_SPAN = 4  # of 12
_PIXELS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$")


def grid_height(pixels: Any) -> int | None:
    """Grid units for a legacy height (250, "250px"): ceil(px / (cell height + vertical margin)), at least 3 cells."""
    if isinstance(pixels, bool):
        return None
    if isinstance(pixels, str):
        match = _PIXELS.match(pixels)
        if match is None:
            return None
        pixels = float(match.group(1))
    if not isinstance(pixels, (int, float)):
        return None
    return math.ceil(max(pixels, MIN_PANEL_HEIGHT) / (GRID_CELL_HEIGHT + GRID_CELL_VMARGIN))


class _RowArea:
    """The columns a legacy row has filled so far, to place its next panel: right of the others while it fits,
    else on a new line under them."""

    def __init__(self, height: int, top: int) -> None:
        self.filled = [0] * GRID_COLUMNS  # per column: cells filled, counted from the line's top
        self.top = top
        self.height = height

    def place(self, width: int) -> tuple[int, int]:
        """(x, y) for a panel `width` columns wide."""
        end = start = None
        for column in range(GRID_COLUMNS - 1, -1, -1):
            if self.height - self.filled[column] <= 0:
                break
            if end is None:
                end = column
            elif self.filled[column] <= self.filled[column + 1]:
                start = column
            else:
                break
        if end is not None and end - (start or 0) >= width - 1:
            start = start or 0
            return start, self.top + max(self.filled[start:])
        self.top += self.height  # wrap: a new line under the row's panels so far
        self.filled = [0] * GRID_COLUMNS
        return 0, self.top

    def add(self, x: int, y: int, w: int, h: int) -> None:
        for column in range(x, min(x + w, GRID_COLUMNS)):
            self.filled[column] = max(self.filled[column], y + h - self.top)


def _number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return default
        return default
    return float(value)


def _bottom(panels: list[Any]) -> int:
    """The first grid line under the panels already on the grid."""
    bottom = 0
    for panel in panels:
        grid = panel.get("gridPos") if isinstance(panel, dict) else None
        if isinstance(grid, dict):
            y, h = _number(grid.get("y"), 0), _number(grid.get("h"), 0)
            bottom = max(bottom, int(y + h))
    return bottom


def grid_panels(rows: list[dict[str, Any]], existing: list[Any] = ()) -> tuple[list[dict[str, Any]], int, int]:
    """(the dashboard's new `panels`, row panels made, panels placed). Panels keep every key but `span` and
    `height`, and get a gridPos; row panels are added when any row is collapsed, repeated or shows its title. Panels
    the dashboard already has on the grid stay first, and the rows go under them (where Grafana's grid pushes them);
    row panel ids follow every panel id."""
    everything = [*existing, *(p for row in rows for p in as_list(row.get("panels")))]
    ids = [p["id"] for p in everything
           if isinstance(p, dict) and isinstance(p.get("id"), int) and not isinstance(p.get("id"), bool)]
    next_row_id = max(ids, default=0) + 1
    show_rows = any(row.get("collapse") or row.get("showTitle") or row.get("repeat") for row in rows)
    out: list[dict[str, Any]] = list(existing)
    made = placed = 0
    y = _bottom(out)
    for row in rows:
        if row.get("repeatIteration"):
            continue  # a copy Grafana made of a repeated row: it makes it again
        row_height = grid_height(row.get("height") or DEFAULT_ROW_HEIGHT) or grid_height(DEFAULT_ROW_HEIGHT)
        collapsed = bool(row.get("collapse"))
        row_panel = None
        if show_rows:
            row_panel = {"collapsed": collapsed, "gridPos": {"h": 1, "w": GRID_COLUMNS, "x": 0, "y": y},
                         "id": next_row_id, "panels": [], **({"repeat": row["repeat"]} if row.get("repeat") else {}),
                         "title": row.get("title") if isinstance(row.get("title"), str) else "", "type": "row"}
            out.append(row_panel)
            next_row_id += 1
            made += 1
            y += 1
        area = _RowArea(row_height, y)
        for panel in as_list(row.get("panels")):
            if not isinstance(panel, dict):
                continue
            span = _number(panel.get("span"), DEFAULT_PANEL_SPAN) or DEFAULT_PANEL_SPAN
            width = min(max(math.floor(span) * GRID_COLUMNS // 12, 1), GRID_COLUMNS)
            height = (grid_height(panel["height"]) if panel.get("height") else None) or row_height
            x, top = area.place(width)
            area.add(x, top, width, height)
            position = {"h": height, "w": width, "x": x, "y": top}
            changes: dict[str, Any] = {"gridPos": position}
            if isinstance(panel.get("minSpan"), (int, float)) and not isinstance(panel.get("minSpan"), bool):
                changes["minSpan"] = min(GRID_COLUMNS, int(GRID_COLUMNS / 12 * panel["minSpan"]))
            moved = rebuilt(panel, changes, drop={"span", "height"}, alphabetical=sorted_keys(panel))
            replace_in_place(panel, moved)
            (row_panel["panels"] if row_panel is not None and collapsed else out).append(panel)
            placed += 1
        y = area.top
        if not (row_panel is not None and collapsed):
            y += row_height
    return out, made, placed


@fixes("DK107", stage=0)
def rows_to_grid(doc: Document, findings: list[Finding], ctx: FixContext) -> Iterator[Outcome]:
    for finding in findings:
        where = local_path(doc, finding.location)
        if where != "rows":
            yield Left(finding.code, finding.location, "only Grafana's own migrations can raise the schemaVersion: "
                                                       "open the dashboard in Grafana and save it")
            continue
        rows = [r for r in as_list(doc.data.get("rows")) if isinstance(r, dict)]
        existing = as_list(doc.data.get("panels"))
        new_panels, made, placed = grid_panels(rows, existing)
        replace_in_place(doc.data, rebuilt(doc.data, {"panels": new_panels}, drop={"rows"}))
        rows_made = f", {made} row panels" if made else " (no row shows a title: no row panels)"
        under = f", under the {len(existing)} panels already on the grid" if existing else ""
        yield Fixed(finding.code, finding.location,
                    f"{len(rows)} legacy rows → the panel grid: {placed} panels{rows_made}{under}")
