"""Importing one pulled file: the dashboard keeps its folder (from the pull manifest), datasources dashkit.yaml maps
by name become logical names, and so does the datasource variable's selected option: the next sync only adopts."""

import json

from conftest import ALL_PROFILES

GRAFANA_PROFILES = ALL_PROFILES  # every test runs against Grafana 11, 12 and 13

PROM = {"type": "prometheus", "uid": "prom-local"}
LOKI = {"type": "loki", "uid": "loki-local"}


def _orders_in_a_folder(grafana) -> None:
    """A dashboard clicked together in Grafana: nested folders, Loki by uid, a datasource picker set to Prometheus."""
    grafana.admin.post(f"{grafana.url}/api/folders", json={"uid": "team", "title": "Team: Orders"},
                       timeout=5).raise_for_status()
    grafana.admin.post(f"{grafana.url}/api/folders", json={"uid": "team-api", "title": "API", "parentUid": "team"},
                       timeout=5).raise_for_status()
    grafana.save_as_admin({
        "title": "Orders", "uid": "orders", "schemaVersion": 39,
        "templating": {"list": [
            {"type": "datasource", "name": "datasource", "query": "prometheus", "refresh": 1, "options": [],
             "current": {"selected": False, "text": "Prometheus", "value": "prom-local"}},
        ]},
        "panels": [
            {"id": 1, "type": "timeseries", "title": "Requests", "datasource": {"type": "prometheus",
                                                                                "uid": "${datasource}"},
             "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
             "targets": [{"refId": "A", "expr": "sum(rate(http_requests_total[5m]))", "datasource": PROM}]},
            {"id": 2, "type": "logs", "title": "Logs", "datasource": LOKI,
             "gridPos": {"h": 8, "w": 12, "x": 12, "y": 0},
             "targets": [{"refId": "A", "expr": '{service_name="orders"}', "datasource": LOKI}]},
        ],
    }, folder_uid="team-api")


def test_one_pulled_file_keeps_its_folder_and_maps_every_datasource(grafana, project, dashkit):
    _orders_in_a_folder(grafana)
    pulled = project.root / "pulled"
    assert dashkit("pull", "--env", "local", "--out", str(pulled)).code == 0
    manifest = json.loads((pulled / ".dashkit-pull.json").read_text())
    assert manifest["datasources"]["loki-local"] == {"name": "Loki", "type": "loki"}

    result = dashkit("import", str(pulled / "Team_ Orders" / "API" / "orders.json"))
    assert result.code == 0, result.text
    assert "1 written of 1 found; 1 reproduced identically" in result.out
    assert "datasource loki-local -> @loki" in result.out and "datasource prom-local -> @prometheus" in result.out
    module = project.root / "dashboards" / "Team_ Orders" / "API" / "orders.py"
    text = module.read_text()
    assert 'folder = "Team: Orders/API"' in text
    assert "\"loki-local\"" not in text and "\"prom-local\"" not in text and "ds(\"loki\", \"loki\")" in text
    assert dashkit("build").code == 0
    (built,) = (project.root / "build" / "dashboards").rglob("orders.json")
    variable = json.loads(built.read_text())["templating"]["list"][0]
    assert variable["current"] == {"selected": False, "text": "@prometheus", "value": "@prometheus"}

    diff = json.loads(dashkit("diff", "--env", "local", "--format", "json").out)
    assert [c["reason"] for c in diff["changes"] if c["action"] != "noop"] == [
        "marks it as managed by dashkit (content unchanged)"]
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    live = grafana.dashboard("orders")
    assert live["meta"]["folderUid"] == "team-api"
    assert live["dashboard"]["templating"]["list"][0]["current"] == {
        "selected": False, "text": "Prometheus", "value": "prom-local"}
    grafana.reset_stats()
    again = dashkit("sync", "--env", "local", "--yes")
    assert again.code == 0 and "No changes" in again.out and grafana.writes() == 0


def test_a_manifest_next_to_a_copied_file_gives_its_folder_without_grafana(project, dashkit):
    exported = project.root / "exported"
    exported.mkdir()
    (exported / "orders.json").write_text(json.dumps({
        "title": "Orders", "uid": "orders", "schemaVersion": 39,
        "templating": {"list": [{"type": "datasource", "name": "logs", "query": "loki",
                                 "current": {"text": "Loki", "value": "loki-7f3a"}}]},
        "panels": [{"id": 1, "type": "logs", "title": "Logs", "datasource": {"type": "loki", "uid": "loki-7f3a"},
                    "gridPos": {"h": 8, "w": 24, "x": 0, "y": 0}, "targets": [{"refId": "A", "expr": "{job=\"x\"}"}]}],
    }))
    (exported / ".dashkit-pull.json").write_text(json.dumps(
        {"files": {"orders.json": {"uid": "orders", "folder": ["Orders", "Live"]}}}))
    result = dashkit("import", str(exported / "orders.json"))
    assert result.code == 0, result.text
    text = (project.root / "dashboards" / "Orders" / "Live" / "orders.py").read_text()
    assert "\"loki-7f3a\"" not in text  # Loki is mapped by name; the variable showing it gives its uid
    assert dashkit("build").code == 0
    (built,) = (project.root / "build" / "dashboards" / "Orders" / "Live").glob("*.json")
    body = json.loads(built.read_text())
    assert body["panels"][0]["datasource"] == {"type": "loki", "uid": "@loki"}
    assert body["templating"]["list"][0]["current"] == {"text": "@loki", "value": "@loki"}


def test_a_lone_file_without_a_manifest_still_goes_to_general(project, dashkit):
    lone = project.root / "lone.json"
    lone.write_text(json.dumps({"title": "Lone", "uid": "lone", "panels": []}))
    result = dashkit("import", str(lone))
    assert result.code == 0, result.text
    assert (project.root / "dashboards" / "lone.py").is_file()
