"""Finding what a lint path names, and putting new keys where a person editing the file would."""

from dashkit.lint.fix.json_edits import rebuilt, resolve


def test_a_path_resolves_through_lists_and_keys_with_dots():
    data = {"data": {"node.json": {"panels": [{"targets": [{"expr": "up"}]}]}}}
    assert resolve(data, "data.node.json.panels[0].targets[0].expr") == "up"
    assert resolve(data, "data.node.json.panels[3]") is None
    assert resolve(data, "data.other") is None


def test_new_keys_go_in_alphabetical_place_when_the_keys_are_sorted():
    panel = {"datasource": "x", "gridPos": {}, "span": 6, "title": "t", "type": "graph"}
    out = rebuilt(panel, {"fieldConfig": {}, "options": {}, "type": "timeseries"}, drop={"span"})
    assert list(out) == ["datasource", "fieldConfig", "gridPos", "options", "title", "type"]
    assert out["type"] == "timeseries"


def test_new_keys_take_the_place_of_the_dropped_ones_otherwise():
    panel = {"type": "graph", "title": "t", "yaxes": [], "lines": True, "targets": []}
    out = rebuilt(panel, {"type": "timeseries", "fieldConfig": {}}, drop={"yaxes", "lines"})
    assert list(out) == ["type", "title", "fieldConfig", "targets"]
