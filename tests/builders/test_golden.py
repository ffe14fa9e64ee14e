"""The dashboard factories: golden JSON snapshots, parseable PromQL, a sound layout, units and descriptions.

Regenerate the snapshots after an intended change with DASHKIT_UPDATE_GOLDEN=1.
"""

import json
import os
from pathlib import Path

import pytest
from tests.builders.test_layout import assert_no_overlap

from dashkit.builders import node_dashboard, overview_dashboard, service_dashboard
from dashkit.grafana_units import is_known_unit
from dashkit.grafana_vars import parse_promql

GOLDEN = Path(__file__).parent / "golden"
FACTORIES = {
    "service_checkout": lambda: service_dashboard("checkout"),
    "service_picker": lambda: service_dashboard(),
    "nodes": lambda: node_dashboard(),
    "overview": lambda: overview_dashboard(["checkout", "payments"]),
}


def _all_panels(dashboard):
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_matches_golden_json(name):
    produced = json.dumps(FACTORIES[name](), indent=2, sort_keys=True) + "\n"
    path = GOLDEN / f"{name}.json"
    if os.environ.get("DASHKIT_UPDATE_GOLDEN"):
        path.write_text(produced)
    assert path.read_text() == produced, f"{name} changed; if intended, rerun with DASHKIT_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_every_promql_expression_parses(name):
    dashboard = FACTORIES[name]()
    exprs = [t["expr"] for p in _all_panels(dashboard) for t in p.get("targets", [])
             if p.get("datasource", {}).get("type") == "prometheus"]
    exprs += [a["expr"] for a in dashboard["annotations"]["list"] if "expr" in a]
    for var in dashboard["templating"]["list"]:
        if var["type"] == "query":  # label_values(<selector>, label): the selector must be valid PromQL
            inner = var["definition"].removeprefix("label_values(").rsplit(",", 1)[0]
            exprs.append(inner)
    assert len(exprs) >= 5
    for expr in exprs:
        parse_promql(expr)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_layout_units_descriptions(name):
    dashboard = FACTORIES[name]()
    assert_no_overlap(dashboard["panels"])
    ids = [p["id"] for p in _all_panels(dashboard)]
    assert len(ids) == len(set(ids))
    for panel in _all_panels(dashboard):
        if panel["type"] == "row":
            continue
        assert panel["description"].strip(), panel["title"]
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
        if panel["type"] in ("timeseries", "stat", "gauge", "bargauge"):
            assert unit and is_known_unit(unit), panel["title"]


def test_ids_are_stable_across_builds():
    assert service_dashboard("checkout") == service_dashboard("checkout")


def test_service_dashboard_has_each_golden_signal():
    titles = [p["title"] for p in _all_panels(service_dashboard("checkout"))]
    for wanted in ("Request rate by method", "Error rate", "Latency p50 / p95 / p99", "CPU usage / limit",
                   "Memory working set / limit", "Logs", "Traces", "Alerts"):
        assert wanted in titles


def test_overview_links_each_service_to_its_dashboard():
    overview = overview_dashboard(["checkout"])
    urls = {link["url"] for p in _all_panels(overview) for link in p.get("links", [])}
    assert any(url.startswith("/d/checkout-golden-signals?") for url in urls)


REPO = Path(__file__).resolve().parents[2]


def test_reference_project_round_trips_through_grafana(grafana, project, dashkit):
    """This repository's own dashboards/ sync to the emulator, then diff shows nothing."""
    import shutil

    shutil.copytree(REPO / "dashboards", project.root / "dashboards")
    config = (REPO / "dashkit.yaml").read_text().replace("http://127.0.0.1:3000", grafana.url)
    (project.root / "dashkit.yaml").write_text(config.replace("GRAFANA_TOKEN", "DASHKIT_TEST_TOKEN"))
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    diff = dashkit("diff", "--env", "local", "--exit-code")
    assert diff.code == 0, diff.out
    live = grafana.dashboard("checkout-golden-signals")["dashboard"]
    picker = live["templating"]["list"][0]
    assert picker["type"] == "datasource" and picker["current"] == {"text": "Platform Prometheus",
                                                                    "value": "platform-prometheus"}
    logs_panel = next(p for row in live["panels"] for p in row.get("panels", []) if p["type"] == "logs")
    assert logs_panel["datasource"] == {"type": "loki", "uid": "platform-loki"}  # dashkit.yaml defines both


def test_a_bad_builder_call_fails_the_build_at_its_line(project, dashkit):
    project.write("dashboards/bad.py", (
        "from dashkit.builders import dashboard, timeseries\n"
        "\n"
        "dashboard = dashboard('Bad', [timeseries('Latency', 'How long requests take.', 'secs', 'up')])\n"
    ))
    result = dashkit("build")
    assert result.code == 3
    assert "dashboards/bad.py:3" in result.err
    assert "unknown unit 'secs'; did you mean 's'?" in result.err
