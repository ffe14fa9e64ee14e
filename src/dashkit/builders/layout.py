"""Automatic placement on Grafana's 24-column grid: panels flow left to right in rows; ids in reading order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..normalize import plain_json
from .errors import BuilderError
from .grafanalib_compat import Panel
from .panels import size

GRID_WIDTH = 24


@dataclass
class Row:
    """A titled row of panels. A collapsed row keeps its panels inside it until someone opens it."""

    title: str
    panels: Sequence[Any] = field(default_factory=list)
    collapsed: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip():
            raise BuilderError(f"a row needs a non-empty title, got {self.title!r}")
        self.panels = list(self.panels)

    # What a grafanalib Dashboard reads of its panels: a Row met there says how to place it.
    @property
    def id(self) -> Any:
        raise AttributeError(self._placed_by_layout())

    def to_json_data(self) -> Any:
        raise BuilderError(self._placed_by_layout())

    def _placed_by_layout(self) -> str:
        return (f"row '{self.title}' has a place on the grid only through layout(): in a grafanalib Dashboard, "
                "write panels=layout([...]) around the Rows and panels")


def layout(items: Sequence[Any]) -> list[Panel]:
    """Dashboard `panels` JSON: gridPos x/y set so nothing overlaps or leaves the grid, ids 1..n.

    `items` holds panels (builder dicts, grafanalib panels, anything with to_json_data) and Rows; panels before
    the first Row sit above it. Each panel keeps its own width and height (gridPos w/h, default half x 8). The
    result is also a grafanalib Dashboard's `panels=`, ids kept by its auto_panel_ids().
    """
    cursor = _Cursor()
    placed: list[Panel] = []
    for item in items:
        if isinstance(item, Row):
            cursor.new_line()
            row = Panel({"type": "row", "title": item.title.strip(), "collapsed": item.collapsed, "panels": [],
                         "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": cursor.y}})
            placed.append(row)
            cursor.y += 1
            if item.collapsed:
                inner = _Cursor(y=cursor.y)
                row["panels"] = [inner.place(_as_panel(p)) for p in item.panels]
            else:
                placed.extend(cursor.place(_as_panel(p)) for p in item.panels)
        else:
            placed.append(cursor.place(_as_panel(item)))
    next_id = 1
    for panel in placed:
        panel["id"] = next_id
        next_id += 1
        for inner_panel in panel.get("panels") or []:
            inner_panel["id"] = next_id
            next_id += 1
    return placed


class _Cursor:
    def __init__(self, y: int = 0) -> None:
        self.x = 0
        self.y = y
        self.line_height = 0

    def new_line(self) -> None:
        if self.x:
            self.y += self.line_height
            self.x = 0
            self.line_height = 0

    def place(self, panel: Panel) -> Panel:
        grid = panel.get("gridPos") or {}
        w, h = size(grid.get("w", 12), grid.get("h", 8))
        if self.x + w > GRID_WIDTH:
            self.new_line()
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.line_height = max(self.line_height, h)
        return panel


def _as_panel(item: Any) -> Panel:
    if isinstance(item, Row):
        raise BuilderError(f"row '{item.title}' cannot be nested inside another row")
    if isinstance(item, dict):
        panel = Panel(item)  # layout sets only the top-level gridPos and id: the rest is shared, never changed
    elif callable(getattr(item, "to_json_data", None)):
        panel = plain_json(item)
        panel = Panel(panel) if isinstance(panel, dict) else panel
    else:
        raise BuilderError(f"a panel must be a dict or have to_json_data(), not {type(item).__name__}")
    if not isinstance(panel, dict) or panel.get("type") == "row":
        raise BuilderError("use Row(...) for rows, not a row panel")
    return panel
