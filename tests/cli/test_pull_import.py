"""Adopting what exists: pull live dashboards, import them as Python, and a diff that only adopts."""

import json

import pytest

from conftest import ALL_PROFILES

GRAFANA_PROFILES = ALL_PROFILES  # every test runs against Grafana 11, 12 and 13


def _live_dashboards(grafana):
    """What a team clicked together: folders, concrete datasource uids, a variable, a collapsed row."""
    grafana.admin.post(f"{grafana.url}/api/folders", json={"uid": "team", "title": "Team: Payments"}).raise_for_status()
    grafana.admin.post(f"{grafana.url}/api/folders", json={"uid": "team-api", "title": "API",
                                                           "parentUid": "team"}).raise_for_status()
    prom = {"type": "prometheus", "uid": "prom-local"}
    dashboards = [
        ({"title": "Checkout", "uid": "checkout", "tags": ["payments"], "schemaVersion": 39, "panels": [
            {"id": 1, "type": "timeseries", "title": "Requests", "datasource": prom,
             "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
             "targets": [{"refId": "A", "expr": 'sum(rate(http_requests_total{job="checkout"}[5m]))',
                          "datasource": prom}],
             "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []}},
            {"id": 2, "type": "row", "title": "Details", "collapsed": True,
             "gridPos": {"h": 1, "w": 24, "x": 0, "y": 8},
             "panels": [{"id": 3, "type": "stat", "title": "Errors", "datasource": prom,
                         "gridPos": {"h": 4, "w": 6, "x": 0, "y": 9},
                         "targets": [{"refId": "A", "expr": "sum(up)", "datasource": prom}]}]},
        ], "templating": {"list": [{"type": "query", "name": "job", "datasource": prom,
                                    "query": "label_values(up, job)", "refresh": 2}]}}, "team-api"),
        ({"title": "Home", "uid": "home", "panels": [
            {"id": 1, "type": "text", "title": "Welcome", "gridPos": {"h": 3, "w": 24, "x": 0, "y": 0},
             "options": {"mode": "markdown", "content": "# Hello"}}]}, ""),
    ]
    for dashboard, folder in dashboards:
        grafana.save_as_admin(dashboard, folder_uid=folder)


def test_pull_writes_the_folder_tree(grafana, project, dashkit):
    _live_dashboards(grafana)
    out = project.root / "pulled"
    result = dashkit("pull", "--env", "local", "--out", str(out))
    assert result.code == 0, result.text
    checkout = json.loads((out / "Team_ Payments" / "API" / "checkout.json").read_text())
    assert checkout["uid"] == "checkout" and "id" not in checkout and "version" not in checkout
    assert (out / "home.json").is_file()
    manifest = json.loads((out / ".dashkit-pull.json").read_text())
    assert manifest["files"]["Team_ Payments/API/checkout.json"]["folder"] == ["Team: Payments", "API"]
    only = dashkit("pull", "--env", "local", "--out", str(project.root / "one"), "--folder", "Team: Payments")
    assert "Pulled 1 dashboard" in only.out
    missing = dashkit("pull", "--env", "local", "--out", str(project.root / "x"), "--uid", "nope")
    assert missing.code == 4 and "no dashboard with uid 'nope'" in missing.err


def test_import_from_env_then_diff_only_adopts(grafana, project, dashkit):
    _live_dashboards(grafana)
    result = dashkit("import", "--from-env", "local")
    assert result.code == 0, result.text
    assert "Imported 2 dashboards: 2 written of 2 found; 2 reproduced identically." in result.out
    assert "datasource prom-local -> @prometheus" in result.out
    module = project.root / "dashboards" / "Team_ Payments" / "API" / "checkout.py"
    text = module.read_text()
    assert 'ds("prometheus", "prometheus")' in text and 'folder = "Team: Payments/API"' in text
    grafana.reset_stats()
    diff = dashkit("diff", "--env", "local", "--format", "json")
    plan = json.loads(diff.out)
    assert plan["summary"] == {"add": 0, "change": 2, "destroy": 0, "blocked": 0, "unchanged": 2}
    assert {c["reason"] for c in plan["changes"]} == {"marks it as managed by dashkit (content unchanged)"}
    assert all("details" not in c for c in plan["changes"])
    synced = dashkit("sync", "--env", "local", "--yes")
    assert synced.code == 0 and grafana.writes() == 2
    assert grafana.dashboard("checkout")["meta"]["folderUid"] == "team-api"
    assert "No changes" in dashkit("diff", "--env", "local").out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ("[1, 2]", "is a JSON list"),
        ('{"title": "Nothing"}', "has neither panels nor rows"),
        ('{"title": "V2", "elements": {}, "layout": {}}', "schema v2"),
    ],
)
def test_bad_input_gets_a_clear_message_and_exit_2(project, dashkit, content, message):
    bad = project.root / "in" / "bad.json"
    bad.parent.mkdir()
    bad.write_text(content)
    result = dashkit("import", str(bad))
    assert result.code == 2 and message in result.out and "Traceback" not in result.text
    assert not (project.root / "dashboards").exists() or not list((project.root / "dashboards").rglob("*.py"))


def test_pull_by_tag_and_import_twice(grafana, project, dashkit):
    _live_dashboards(grafana)
    out = project.root / "tagged"
    assert "Pulled 1 dashboard" in dashkit("pull", "--env", "local", "--tag", "payments", "--out", str(out)).out
    (out / ".dashkit-pull.json").write_text("{broken")  # a damaged manifest: directory names serve instead
    first = dashkit("import", str(out))
    assert first.code == 0, first.text
    modules = sorted(p.name for p in (project.root / "dashboards").rglob("*.py"))
    assert modules == ["checkout.py"]
    module = project.root / "dashboards" / "Team_ Payments" / "API" / "checkout.py"
    module.write_text(module.read_text() + "# edited by hand\n")
    again = dashkit("import", str(out))  # the project defines uid checkout already: not a second module
    assert again.code == 0, again.text
    assert "uid checkout is already defined in dashboards/Team_ Payments/API/checkout.py" in again.out
    assert "0 written of 1 found, 1 already defined (skipped)" in again.out
    assert sorted(p.name for p in (project.root / "dashboards").rglob("*.py")) == ["checkout.py"]
    assert module.read_text().endswith("# edited by hand\n")
    replaced = dashkit("import", str(out), "--overwrite")
    assert replaced.code == 0 and "1 written of 1 found" in replaced.out, replaced.text
    assert sorted(p.name for p in (project.root / "dashboards").rglob("*.py")) == ["checkout.py"]
    assert "# edited by hand" not in module.read_text()
    assert dashkit("build").code == 0
