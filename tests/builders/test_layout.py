"""Layout on the 24-column grid: nothing overlaps or leaves the grid, ids are unique and stable."""

import random

import pytest
from grafanalib.core import GridPos, Target, TimeSeries

from dashkit.builders import BuilderError, Row, layout, text


def _panel(w, h, title="p"):
    return {"type": "timeseries", "title": title, "gridPos": {"w": w, "h": h}}


def _cells(panel):
    g = panel["gridPos"]
    return {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}


def assert_no_overlap(panels):
    """Every panel (and every panel inside a collapsed row, as Grafana expands it) within the grid, none overlapping."""
    seen = {}
    for panel in panels:
        g = panel["gridPos"]
        assert g["x"] >= 0 and g["x"] + g["w"] <= 24 and g["y"] >= 0, panel["title"]
        for cell in _cells(panel):
            assert cell not in seen, f"{panel['title']} overlaps {seen[cell]}"
            seen[cell] = panel["title"]
    for row in (p for p in panels if p.get("collapsed")):
        inner = {}
        for panel in row["panels"]:
            for cell in _cells(panel):
                assert cell not in inner
                inner[cell] = panel["title"]
            assert panel["gridPos"]["y"] > row["gridPos"]["y"]


def test_flow_wraps_at_24_columns():
    placed = layout([_panel(12, 8), _panel(12, 8), _panel(8, 4), _panel(24, 2)])
    assert [(p["gridPos"]["x"], p["gridPos"]["y"]) for p in placed] == [(0, 0), (12, 0), (0, 8), (0, 12)]
    assert [p["id"] for p in placed] == [1, 2, 3, 4]


def test_rows_and_collapsed_rows():
    placed = layout([Row("Open", [_panel(12, 8)]), Row("Closed", [_panel(12, 8), _panel(12, 8)], collapsed=True),
                     Row("After", [_panel(24, 4)])])
    assert [p["type"] for p in placed] == ["row", "timeseries", "row", "row", "timeseries"]
    closed = placed[2]
    assert closed["collapsed"] and len(closed["panels"]) == 2
    assert placed[3]["gridPos"]["y"] == closed["gridPos"]["y"] + 1  # a collapsed row takes one grid row
    assert sorted(p["id"] for p in placed + closed["panels"]) == list(range(1, 8))
    assert_no_overlap(placed)


def test_random_layouts_never_overlap():
    rng = random.Random(7)
    for _ in range(200):
        items = []
        for _ in range(rng.randint(1, 6)):
            panels = [_panel(rng.choice([1, 4, 6, 8, 12, 16, 18, 24]), rng.randint(1, 10), f"p{i}")
                      for i in range(rng.randint(0, 7))]
            items.append(Row(f"r{len(items)}", panels, collapsed=rng.random() < 0.3) if rng.random() < 0.7
                         else _panel(rng.randint(1, 24), rng.randint(1, 9)))
        placed = layout(items)
        assert_no_overlap(placed)
        ids = [p["id"] for p in placed] + [q["id"] for p in placed for q in p.get("panels", [])]
        assert len(ids) == len(set(ids))


def test_layout_is_stable_across_builds():
    def build():
        return layout([Row("A", [_panel(8, 3), _panel(8, 3)]), _panel(24, 2)])

    assert build() == build()


def test_grafanalib_panels_mix_in():
    panel = TimeSeries(title="From grafanalib", targets=[Target(expr="up", refId="A")],
                       gridPos=GridPos(h=6, w=8, x=0, y=0))
    placed = layout([text("Intro", "Hello", width=16), panel])
    assert placed[1]["title"] == "From grafanalib" and placed[1]["gridPos"] == {"h": 6, "w": 8, "x": 16, "y": 0}


@pytest.mark.parametrize("width", [-1, 0, 25, "wide"])
def test_bad_widths_raise(width):
    with pytest.raises(BuilderError, match="width"):
        layout([_panel(width, 4)])


def test_nested_rows_are_refused():
    with pytest.raises(BuilderError, match="nested"):
        layout([Row("outer", [Row("inner")])])
