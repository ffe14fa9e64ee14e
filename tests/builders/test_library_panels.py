"""Library panel builders: a panel defined once with `shared_panel` (from a builder panel, a grafanalib panel or a
dict) and placed by name with `library_panel`, as the reference Grafana stores; layout, rows and grafanalib dashboards
place the reference like any panel."""

import json

import pytest
from grafanalib import core as g
from grafanalib._gen import DashboardEncoder

from dashkit.builders import (
    BuilderError,
    Query,
    Row,
    SharedPanel,
    dashboard,
    eq,
    error_ratio,
    layout,
    library_panel,
    library_panel_uid,
    shared_panel,
    timeseries,
)
from dashkit.builders.library_panels import is_named_reference, looks_derived_uid
from dashkit.naming import is_valid_uid


def _error_rate(**options):
    return timeseries("Checkout error rate", "Share of failing checkout requests.", "percentunit",
                      Query(error_ratio([eq("service", "checkout")]), legend="errors"), **options)


def test_the_uid_is_a_readable_pure_function_of_the_name():
    uid = library_panel_uid("checkout-error-rate")
    assert uid == library_panel_uid("checkout-error-rate") and uid.startswith("checkout-error-rate-lp")
    assert uid != library_panel_uid("Checkout-error-rate") and uid != library_panel_uid("payments-error-rate")
    for name in ("checkout-error-rate", "Ünïcode only ✓", "✓", "a" * 150, "x/y: z"):
        assert is_valid_uid(library_panel_uid(name)) and looks_derived_uid(library_panel_uid(name)), name
    assert not looks_derived_uid("aBcDeFgHiJkLmN")  # a uid Grafana generates


def test_a_shared_panel_keeps_the_panel_and_drops_where_it_sat():
    panel = _error_rate(width="full", height=6)
    panel["id"], panel["gridPos"]["y"] = 7, 30
    shared = shared_panel("checkout-error-rate", panel, description="What customers see.")
    assert isinstance(shared, SharedPanel) and shared.uid == library_panel_uid("checkout-error-rate")
    model = shared.model
    assert "id" not in model and model["gridPos"] == {"h": 6, "w": 24, "x": 0, "y": 0}
    assert model["type"] == "timeseries" and model["title"] == "Checkout error rate"
    assert model["description"] == "What customers see."
    assert model["targets"][0]["datasource"] == {"type": "prometheus", "uid": "@prometheus"}
    assert panel["description"] == "Share of failing checkout requests."  # the builder's panel is not changed
    json.dumps(model)  # plain JSON


def test_grafanalib_panels_and_dicts_are_panel_models_too():
    grafanalib = shared_panel("latency", g.TimeSeries(title="Latency", dataSource="@prometheus", unit="s",
                                                      targets=[g.Target(expr="up", refId="A")]))
    assert grafanalib.model["type"] == "timeseries" and grafanalib.model["targets"][0]["expr"] == "up"
    assert "id" not in grafanalib.model and grafanalib.model["gridPos"] == {"h": 8, "w": 12, "x": 0, "y": 0}
    plain = shared_panel("up", {"type": "stat", "title": "Up", "targets": [{"refId": "A", "expr": "up"}],
                                "gridPos": {"h": 4, "w": 6, "x": 6, "y": 2}}, extra={"options": {"graphMode": "none"}})
    assert plain.model["options"] == {"graphMode": "none"}
    assert plain.model["gridPos"] == {"h": 4, "w": 6, "x": 0, "y": 0}


def test_a_reference_by_name_is_what_grafana_stores():
    assert library_panel("checkout-error-rate") == {
        "title": "checkout-error-rate", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
        "libraryPanel": {"uid": library_panel_uid("checkout-error-rate"), "name": "checkout-error-rate"}}
    sized = library_panel("checkout-error-rate", width="third", height=5, title="Checkout errors")
    assert sized["gridPos"] == {"h": 5, "w": 8, "x": 0, "y": 0} and sized["title"] == "Checkout errors"
    assert is_named_reference(sized["libraryPanel"])


def test_a_reference_to_the_shared_panel_takes_its_title_and_size():
    shared = shared_panel("checkout-error-rate", _error_rate(width="full", height=6))
    placed = library_panel(shared)
    assert placed["title"] == "Checkout error rate" and placed["gridPos"]["w"] == 24 and placed["gridPos"]["h"] == 6
    assert placed["libraryPanel"] == {"uid": shared.uid, "name": "checkout-error-rate"}


def test_an_existing_library_panel_is_placed_by_its_uid():
    by_uid = library_panel(uid="aBcDeFgHiJkLmN")
    assert by_uid["libraryPanel"] == {"uid": "aBcDeFgHiJkLmN", "name": "aBcDeFgHiJkLmN"}
    assert not is_named_reference(by_uid["libraryPanel"])
    named = library_panel("Team CPU", uid="aBcDeFgHiJkLmN")
    assert named["libraryPanel"] == {"uid": "aBcDeFgHiJkLmN", "name": "Team CPU"}
    assert not is_named_reference(named["libraryPanel"])  # a uid given is not checked against the project


def test_layout_rows_and_dashboards_place_references_like_panels():
    placed = layout([_error_rate(), library_panel("checkout-error-rate"),
                     Row("Customer impact", [library_panel("checkout-error-rate", width="full")]),
                     Row("More", [library_panel("checkout-error-rate")], collapsed=True)])
    assert [p.get("type") for p in placed] == ["timeseries", None, "row", None, "row"]
    assert placed[1]["gridPos"] == {"h": 8, "w": 12, "x": 12, "y": 0} and placed[1]["id"] == 2
    assert placed[3]["gridPos"] == {"h": 8, "w": 24, "x": 0, "y": 9}
    inner = placed[4]["panels"][0]
    assert inner["libraryPanel"]["name"] == "checkout-error-rate" and inner["id"] == 6
    board = dashboard("Checkout", [library_panel("checkout-error-rate")])
    assert board["panels"][0]["libraryPanel"]["uid"] == library_panel_uid("checkout-error-rate")


def test_a_grafanalib_dashboard_places_a_reference_and_numbers_it():
    board = g.Dashboard(title="Mixed", panels=[library_panel("checkout-error-rate"),
                                               g.TimeSeries(title="Up", targets=[g.Target(expr="up")],
                                                            gridPos=g.GridPos(h=8, w=12, x=12, y=0))])
    panels = json.loads(json.dumps(board.auto_panel_ids().to_json_data(), cls=DashboardEncoder))["panels"]
    assert panels[0]["id"] == 1 and panels[0]["libraryPanel"]["name"] == "checkout-error-rate"


@pytest.mark.parametrize(("call", "words"), [
    (lambda: shared_panel("", _error_rate()), "non-empty name"),
    (lambda: shared_panel("x" * 151, _error_rate()), "at most 150"),
    (lambda: shared_panel("rows", {"type": "row", "title": "R", "panels": []}), "a row cannot be a library panel"),
    (lambda: shared_panel("untitled", {"type": "stat"}), "needs a title"),
    (lambda: shared_panel("typeless", {"title": "T"}), "needs a type"),
    (lambda: shared_panel("nested", library_panel("other")), "reference to another library panel"),
    (lambda: shared_panel("twice", shared_panel("once", _error_rate())), "already a library panel"),
    (lambda: shared_panel("odd", 42), "not int"),
    (lambda: library_panel(), "takes the name of a library panel"),
    (lambda: library_panel(uid="not a uid!"), "1-40 letters"),
    (lambda: library_panel(shared_panel("a", _error_rate()), uid="abc"), "not both"),
    (lambda: library_panel("checkout-error-rate", width=30), "1-24 grid columns"),
])
def test_mistakes_fail_where_they_are_written(call, words):
    with pytest.raises(BuilderError, match=words):
        call()
