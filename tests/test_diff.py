"""The semantic diff names panels and targets, not list indices, and is quiet when nothing changed."""

from dashkit.diff import semantic_diff
from dashkit.kinds.base import get_kind


def _dash(expr="rate(x[5m])", title="Error rate", extra_panel=False):
    panels = [
        {"id": 1, "title": "Requests", "targets": [{"refId": "A", "expr": "sum(rate(y[5m]))"}]},
        {"id": 2, "title": title, "targets": [{"refId": "A", "expr": expr}, {"refId": "B", "expr": "up"}]},
    ]
    if extra_panel:
        panels.append({"id": 3, "title": "Saturation", "targets": []})
    return {"title": "D", "uid": "d", "panels": panels}


def _diff(before, after):
    kind = get_kind("dashboard")
    return semantic_diff(kind.comparable(before, ""), kind.comparable(after, ""), kind.keyed_lists())


def test_changed_expression_is_named_by_panel_and_target():
    lines = _diff(_dash(), _dash(expr="rate(x[$__rate_interval])"))
    assert [line.render() for line in lines] == [
        '~ panel \'Error rate\' > target A: expr: "rate(x[5m])" -> "rate(x[$__rate_interval])"'
    ]


def test_added_panel_and_reordering():
    before = _dash()
    after = _dash(extra_panel=True)
    after["panels"].reverse()
    lines = _diff(before, after)
    assert [(line.op, line.path) for line in lines] == [("+", "panel 'Saturation'")]


def test_server_managed_fields_and_marker_are_ignored():
    live = {**_dash(), "id": 42, "version": 7, "tags": ["dashkit:team-a"],
            "dashkit": {"owner": "team-a"}}
    assert _diff(live, {**_dash(), "tags": []}) == []


def test_renamed_panel_is_one_change_not_remove_and_add():
    lines = _diff(_dash(), _dash(title="Errors %"))
    assert [(line.op, line.path) for line in lines] == [("~", "panel 'Errors %': title")]
