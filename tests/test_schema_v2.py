"""Classic <-> schema v2 conversions (grafana-api.md §14.4, §14.8): what a dashboard keeps through classic -> v2 ->
classic, on dashkit's golden dashboards and real corpus ones, and the shape of each v2 version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dashkit.schema_v2 import V2_VERSIONS, classic_to_v2, convert_v2, v2_to_classic

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = sorted((ROOT / "tests" / "builders" / "golden").glob("*.json"))
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
CORPUS = sorted(CORPUS_DIR.glob("*/dashboards/*.json"))[:12] if CORPUS_DIR.is_dir() else []


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _flat(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for panel in panels:
        out.append(panel)
        out.extend(panel.get("panels") or [])
    return out


def _datasource(value: Any) -> Any:
    return {"uid": value} if isinstance(value, str) else value


def _kept(panel: dict[str, Any]) -> dict[str, Any]:
    """What a round trip must keep of a panel: type, title, gridPos and, for non-rows, every target's query (with
    its effective datasource), options and field config. Conversion defaults are filled in on both sides."""
    kept: dict[str, Any] = {"type": panel["type"], "title": panel.get("title", ""),
                            "gridPos": {"x": 0, **panel["gridPos"]}}
    if panel["type"] == "row":
        kept["collapsed"] = bool(panel.get("collapsed"))
        return kept
    kept["id"] = panel["id"]
    panel_ds = _datasource(panel.get("datasource"))
    kept["targets"] = [
        {**{k: v for k, v in target.items() if k not in ("refId", "hide", "datasource")},
         "datasource": _datasource(target.get("datasource")) or panel_ds, "hide": bool(target.get("hide"))}
        for target in panel.get("targets") or []
    ]
    kept["options"] = panel.get("options") or {}
    kept["fieldConfig"] = panel.get("fieldConfig") or {"defaults": {}, "overrides": []}
    for key in ("transformations", "interval", "maxDataPoints", "repeat", "pluginVersion", "description"):
        if panel.get(key):
            kept[key] = panel[key]
    return kept


def _variables(dashboard: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (v.get("name"), v.get("type"), v.get("query"), _datasource(v.get("datasource")), v.get("hide", 0),
         v.get("refresh"), v.get("multi"), v.get("includeAll"), v.get("current"))
        for v in dashboard.get("templating", {}).get("list", [])
    ]


@pytest.mark.parametrize("version", V2_VERSIONS)
@pytest.mark.parametrize("path", GOLDEN + CORPUS, ids=lambda p: p.stem)
def test_classic_to_v2_and_back_keeps_panels_targets_layout_and_variables(path: Path, version: str) -> None:
    original = _load(path)
    back = v2_to_classic(classic_to_v2(original, version))
    assert [_kept(p) for p in _flat(back["panels"])] == [_kept(p) for p in _flat(original["panels"])]
    for before, after in zip(_flat(original["panels"]), _flat(back["panels"]), strict=True):
        if before["type"] == "row":
            continue
        refs = [t["refId"] for t in after.get("targets", [])]
        assert all(refs) and len(refs) == len(set(refs))  # queries without a refId get a free one
        assert [t.get("refId") for t in before.get("targets") or [] if t.get("refId")] == [
            ref for t, ref in zip(before.get("targets") or [], refs, strict=True) if t.get("refId")]
    assert _variables(back) == _variables(original)
    annotations = original.get("annotations", {}).get("list", [])
    assert [{**a, "builtIn": bool(a.get("builtIn"))} for a in back["annotations"]["list"]] == [
        {**a, "builtIn": bool(a.get("builtIn")), "datasource": _datasource(a.get("datasource"))} for a in annotations]
    for key in ("title", "tags", "time", "timezone", "description"):
        assert back.get(key) == original.get(key), key
    assert back["refresh"] == (original.get("refresh") or "")
    assert back["graphTooltip"] == original.get("graphTooltip", 0)


def test_the_dashboards_above_cover_both_layouts_and_collapsed_rows() -> None:
    assert {classic_to_v2(_load(path))["layout"]["kind"] for path in GOLDEN} == {"RowsLayout"}
    if CORPUS:
        assert "GridLayout" in {classic_to_v2(_load(path))["layout"]["kind"] for path in CORPUS}
    collapsed = [p for path in GOLDEN for p in _load(path)["panels"] if p.get("collapsed")]
    assert collapsed and all(p["panels"] for p in collapsed)


def test_elements_and_layout_follow_grafanas_conversion() -> None:
    classic = {
        "title": "Rows",
        "panels": [
            {"id": 7, "type": "stat", "title": "Above", "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0}},
            {"id": 8, "type": "row", "title": "Details", "collapsed": False,
             "gridPos": {"h": 1, "w": 24, "x": 0, "y": 4}, "panels": []},
            {"id": 9, "type": "timeseries", "title": "Below", "repeat": "pod", "repeatDirection": "h", "maxPerRow": 4,
             "gridPos": {"h": 8, "w": 24, "x": 0, "y": 5}},
        ],
    }
    v2 = classic_to_v2(classic, "v2beta1")
    assert set(v2["elements"]) == {"panel-7", "panel-9"}
    rows = v2["layout"]["spec"]["rows"]
    assert [r["spec"].get("hideHeader", False) for r in rows] == [True, False]
    assert rows[1]["spec"]["title"] == "Details" and rows[1]["spec"]["collapse"] is False
    item = rows[1]["spec"]["layout"]["spec"]["items"][0]
    assert item == {"kind": "GridLayoutItem", "spec": {
        "x": 0, "y": 0, "width": 24, "height": 8, "element": {"kind": "ElementReference", "name": "panel-9"},
        "repeat": {"mode": "variable", "value": "pod", "direction": "h", "maxPerRow": 4}}}
    assert [p["gridPos"] for p in v2_to_classic(v2)["panels"]] == [p["gridPos"] for p in classic["panels"]]


def test_each_v2_version_has_its_own_query_and_viz_shape() -> None:
    classic = {
        "title": "Shapes",
        "panels": [{
            "id": 1, "type": "timeseries", "title": "P", "pluginVersion": "12.0.0",
            "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
            "targets": [{"datasource": {"type": "loki", "uid": "logs"}, "expr": "{a=\"b\"}", "refId": "A"}],
            "transformations": [{"id": "organize", "options": {}}],
        }],
    }
    beta = classic_to_v2(classic, "v2beta1")["elements"]["panel-1"]["spec"]
    assert beta["vizConfig"] == {"kind": "VizConfig", "group": "timeseries", "version": "12.0.0",
                                 "spec": {"options": {}, "fieldConfig": {"defaults": {}, "overrides": []}}}
    assert beta["data"]["spec"]["queries"][0] == {"kind": "PanelQuery", "spec": {
        "refId": "A", "hidden": False,
        "query": {"kind": "DataQuery", "group": "loki", "version": "v0", "datasource": {"name": "logs"},
                  "spec": {"expr": "{a=\"b\"}"}}}}
    assert beta["data"]["spec"]["transformations"] == [{"kind": "organize", "spec": {"id": "organize", "options": {}}}]
    alpha = classic_to_v2(classic, "v2alpha1")["elements"]["panel-1"]["spec"]
    assert alpha["vizConfig"]["kind"] == "timeseries" and alpha["vizConfig"]["spec"]["pluginVersion"] == "12.0.0"
    assert alpha["data"]["spec"]["queries"][0]["spec"]["datasource"] == {"type": "loki", "uid": "logs"}
    assert alpha["data"]["spec"]["queries"][0]["spec"]["query"] == {"kind": "loki", "spec": {"expr": "{a=\"b\"}"}}
    final = classic_to_v2(classic, "v2")["elements"]["panel-1"]["spec"]
    assert final["data"]["spec"]["transformations"] == [
        {"kind": "Transformation", "group": "organize", "spec": {"id": "organize", "options": {}}}]


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_v2_versions_convert_into_each_other_without_loss(path: Path) -> None:
    original = _load(path)
    for source in V2_VERSIONS:
        for target in V2_VERSIONS:
            assert convert_v2(classic_to_v2(original, source), target) == classic_to_v2(original, target)


def test_mixed_datasources_and_layouts_without_a_classic_twin_still_down_convert() -> None:
    spec = classic_to_v2({"title": "M", "panels": [{
        "id": 1, "type": "table", "title": "Mixed", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
        "targets": [{"datasource": {"type": "prometheus", "uid": "p"}, "refId": "A"},
                    {"datasource": {"type": "loki", "uid": "l"}, "refId": "B"}]}]}, "v2")
    assert v2_to_classic(spec)["panels"][0]["datasource"] == {"type": "datasource", "uid": "-- Mixed --"}
    reference = {"kind": "ElementReference", "name": "panel-1"}
    spec["layout"] = {"kind": "TabsLayout", "spec": {"tabs": [
        {"kind": "TabsLayoutTab", "spec": {"title": "First", "layout": {"kind": "AutoGridLayout", "spec": {
            "maxColumnCount": 2, "items": [{"kind": "AutoGridLayoutItem", "spec": {"element": reference}}] * 3}}}}]}}
    panels = v2_to_classic(spec)["panels"]
    assert [(p["type"], p["gridPos"]) for p in panels] == [
        ("row", {"h": 1, "w": 24, "x": 0, "y": 0}),
        ("table", {"h": 8, "w": 12, "x": 0, "y": 1}),
        ("table", {"h": 8, "w": 12, "x": 12, "y": 1}),
        ("table", {"h": 8, "w": 12, "x": 0, "y": 9}),
    ]
