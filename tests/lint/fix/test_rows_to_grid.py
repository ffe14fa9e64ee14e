"""DK107 fixed: the legacy rows[] layout becomes the panel grid, placed as Grafana's schema-16 migration places it."""

import json

from conftest import CORPUS
from dashkit.lint.fix.registry import Fixed, Left
from dashkit.lint.fix.rows_to_grid import grid_height, rows_to_grid

from .helpers import findings, run_fixer


def test_row_heights_in_pixels_become_grid_cells_of_38_pixels_at_least_three():
    assert [grid_height(h) for h in (250, "250px", "151", 46, 462)] == [7, 7, 4, 3, 13]


def _legacy(rows, **fields):
    return {"uid": "d", "title": "D", "schemaVersion": 14, "rows": rows, **fields}


def test_panels_are_laid_out_by_span_and_titled_rows_become_row_panels():
    data = _legacy([
        {"title": "Requests", "showTitle": True, "height": "250px", "panels": [
            {"id": 1, "span": 6, "type": "timeseries"}, {"id": 2, "span": 6, "type": "timeseries"},
            {"id": 3, "span": 4, "type": "timeseries", "height": "100px"}]},
        {"title": "Details", "collapse": True, "height": 300, "panels": [{"id": 4, "span": 12, "type": "table"}]},
    ])
    assert run_fixer(rows_to_grid, data, "DK107") == [
        Fixed("DK107", "rows", "2 legacy rows → the panel grid: 4 panels, 2 row panels")]
    grid = [(p["type"], p["id"], p["gridPos"]) for p in data["panels"]]
    assert grid == [
        ("row", 5, {"h": 1, "w": 24, "x": 0, "y": 0}),
        ("timeseries", 1, {"h": 7, "w": 12, "x": 0, "y": 1}),
        ("timeseries", 2, {"h": 7, "w": 12, "x": 12, "y": 1}),
        ("timeseries", 3, {"h": 3, "w": 8, "x": 0, "y": 8}),  # no room left in the row: a new line under it
        ("row", 6, {"h": 1, "w": 24, "x": 0, "y": 15}),
    ]
    assert data["panels"][4]["collapsed"] is True
    assert data["panels"][4]["panels"] == [{"id": 4, "type": "table", "gridPos": {"h": 8, "w": 24, "x": 0, "y": 16}}]
    assert "rows" not in data and data["schemaVersion"] == 14  # Grafana's later migrations still run
    assert [f.location for f in findings(data, "DK107")] == ["schemaVersion"]
    assert findings(data, "DK104") == []


def test_rows_without_titles_make_no_row_panels_and_go_under_panels_already_there():
    data = _legacy([{"title": "Dashboard Row", "panels": [{"id": 1, "span": 12, "type": "timeseries"}]}],
                   panels=[{"id": 2, "type": "text", "gridPos": {"h": 2, "w": 24, "x": 0, "y": 0}}])
    [outcome] = run_fixer(rows_to_grid, data, "DK107")
    assert outcome.what.endswith("(no row shows a title: no row panels), under the 1 panels already on the grid")
    assert [p["gridPos"]["y"] for p in data["panels"]] == [0, 2]


def test_an_old_schema_version_alone_is_left_to_grafana():
    [outcome] = run_fixer(rows_to_grid, {"uid": "d", "title": "D", "schemaVersion": 18, "panels": []}, "DK107")
    assert isinstance(outcome, Left) and "open the dashboard in Grafana and save it" in outcome.why


def test_a_real_legacy_dashboard_keeps_every_panel_and_overlaps_none():
    path = CORPUS / "rfmoz+grafana-dashboards" / "prometheus" / "node-exporter-full-old.json"
    data = json.loads(path.read_text())
    before = sorted(p["id"] for row in data["rows"] for p in row["panels"])
    run_fixer(rows_to_grid, data, "DK107")
    after = [p for top in data["panels"] for p in ([top] if top["type"] != "row" else top["panels"])]
    assert sorted(p["id"] for p in after) == before
    assert not any("span" in p for p in after)
    assert findings(data, "DK104", "DK103") == []
