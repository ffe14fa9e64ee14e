"""What differs between Grafana generations, end to end through the CLI and the emulator's 11/12/13 profiles:
schema-v2 dashboards saved in the UI, an upgrade from 11, other managers, list reads, server-side validation."""

from __future__ import annotations

import io
import json

import pytest
import requests

from conftest import TOKEN, Project
from dashkit.cli.main import main
from dashkit.cli.output import Console
from dashkit.emulator import Emulator, EmulatorConfig

DASH = "/apis/dashboard.grafana.app"


def _emulator(version: str, **config) -> Emulator:
    emulator = Emulator(EmulatorConfig(port=0, grafana_version=version, tokens={TOKEN: {"role": "Admin"}}, **config))
    emulator.start()
    return emulator


def _ui_edit(grafana, uid: str, **body) -> dict:
    reply = requests.post(f"{grafana.url}/__emulator/ui-edit", json={"uid": uid, **body}, timeout=5)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _object(grafana, version: str, uid: str) -> dict:
    return grafana.admin.get(f"{grafana.url}{DASH}/{version}/namespaces/default/dashboards/{uid}", timeout=5).json()


@pytest.mark.parametrize("grafana_version", ["12.2.0", "13.0.0"])
def test_a_dashboard_converted_to_schema_v2_in_the_ui_is_drift_and_force_restores_it(grafana, project, dashkit):
    project.dashboard("dashboards/api.py", "API", panels=3)
    project.dashboard("dashboards/other.py", "Other", panels=1)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    stored = _ui_edit(grafana, "api", as_v2=True, user="admin")["apiVersion"].rsplit("/", 1)[-1]
    assert stored.startswith("v2")

    diff = dashkit("diff", "--env", "local")
    assert diff.code == 0, diff.text  # never fails the run
    assert "! dashboard API" in diff.out and "converted to schema v2 in the UI" in diff.out
    assert diff.out.count("\n      ~ ") == 1  # one line, not a wall of field changes
    assert "dashboard Other" not in diff.out  # the rest of the plan is undisturbed
    grafana.reset_stats()
    left = dashkit("sync", "--env", "local", "--yes")
    assert left.code == 5 and grafana.writes() == 0

    forced = dashkit("sync", "--env", "local", "--yes", "--force")
    assert forced.code == 0, forced.text
    backups = list((project.root / ".dashkit" / "backups" / "local").rglob("api.json"))
    assert len(backups) == 1 and json.loads(backups[0].read_text())["apiVersion"].endswith(f"/{stored}")  # as stored
    assert "elements" in json.loads(backups[0].read_text())["spec"]
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0
    assert grafana.dashboard("api")["dashboard"]["panels"][0]["title"] == "Panel 1"


@pytest.mark.parametrize("grafana_version", ["12.2.0", "13.0.0"])
def test_someone_elses_v2_dashboard_does_not_disturb_the_plan(grafana, project, dashkit):
    project.dashboard("dashboards/api.py", "API", panels=1)
    grafana.save_as_admin({"title": "Theirs", "uid": "theirs", "panels": [
        {"id": 1, "type": "timeseries", "title": "T", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}}]})
    _ui_edit(grafana, "theirs", as_v2=True)
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0, result.text
    assert "theirs" not in result.out.lower()
    pulled = dashkit("pull", "--env", "local", "--out", str(project.root / "pulled"))
    assert pulled.code == 0, pulled.text
    theirs = json.loads(next((project.root / "pulled").rglob("theirs*.json")).read_text())
    assert theirs["apiVersion"].startswith("dashboard.grafana.app/v2") and "elements" in theirs["spec"]
    imported = dashkit("import", str(next((project.root / "pulled").rglob("theirs*.json"))), "--out",
                       str(project.root / "imported"))
    assert imported.code == 2 and "schema v2" in imported.text and "not yet turn it into builders" in imported.text


def test_dashboards_synced_on_11_are_recognised_after_the_upgrade_to_13(project, dashkit, tmp_path_factory):
    state = tmp_path_factory.mktemp("state") / "grafana.json"
    project.dashboard("dashboards/team/a.py", "A", panels=2)
    project.dashboard("dashboards/team/b.py", "B", panels=2)
    eleven = _emulator("11.6.0", data=state)
    try:
        project.config(eleven.url)
        assert dashkit("sync", "--env", "local", "--yes").code == 0
    finally:
        eleven.stop()
    thirteen = _emulator("13.0.0", data=state)  # the same database, after the upgrade
    try:
        project.config(thirteen.url)
        diff = dashkit("diff", "--env", "local")
        assert diff.out.count("adds Grafana's manager annotations (content unchanged)") == 2, diff.out
        assert "+ " not in diff.out and "adopts" not in diff.out
        result = dashkit("sync", "--env", "local", "--yes")
        assert result.code == 0, result.text
        annotations = requests.get(f"{thirteen.url}{DASH}/v1/namespaces/default/dashboards/team-a",
                                   auth=("admin", "admin"), timeout=5).json()["metadata"]["annotations"]
        assert annotations["grafana.app/managedBy"] == "kubectl"
        assert annotations["grafana.app/managerId"] == "dashkit:team-a"
        assert annotations["grafana.app/sourcePath"] == "dashboards/team/a.py"
        assert annotations["grafana.app/managerAllowsEdits"] == "true"
        again = dashkit("sync", "--env", "local", "--yes")
        assert "No changes" in again.out, again.out
    finally:
        thirteen.stop()


@pytest.mark.parametrize("grafana_version", ["13.0.0"])
def test_a_dashboard_another_manager_owns_is_left_alone_unless_forced(grafana, project, dashkit):
    body = {"metadata": {"name": "tf", "annotations": {"grafana.app/managedBy": "terraform",
                                                       "grafana.app/managerId": "terraform-1"}},
            "spec": {"title": "tf", "panels": []}}
    reply = grafana.admin.post(f"{grafana.url}{DASH}/v1/namespaces/default/dashboards", json=body, timeout=5)
    assert reply.status_code == 201, reply.text
    project.write("dashboards/tf.py", 'dashboard = {"uid": "tf", "title": "mine", "panels": []}\n')
    diff = dashkit("diff", "--env", "local")
    assert "! dashboard mine" in diff.out and "owned by terraform manager 'terraform-1'" in diff.out, diff.out
    assert dashkit("sync", "--env", "local", "--yes").code == 5
    assert _object(grafana, "v1", "tf")["spec"]["title"] == "tf"
    forced = dashkit("sync", "--env", "local", "--yes", "--force")
    assert forced.code == 0, forced.text  # Grafana wants the old manager removed first: dashkit does it
    tf = _object(grafana, "v1", "tf")
    assert tf["spec"]["title"] == "mine" and tf["metadata"]["annotations"]["grafana.app/managerId"] == "dashkit:team-a"


@pytest.mark.parametrize("grafana_version", ["13.0.0"])
def test_a_no_op_diff_reads_only_the_metadata_of_dashboards_a_thousand_at_a_time(grafana, project, dashkit):
    project.write("dashboards/many.py", 'dashboards = [{"title": f"D{i}", "panels": []} for i in range(1100)]\n')
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    grafana.reset_stats()
    result = dashkit("diff", "--env", "local", "--exit-code")
    assert result.code == 0, result.text
    routes = grafana.stats()["by_route"]
    lists = {k: v for k, v in routes.items() if "dashboards" in k and k.startswith("GET")}
    assert sum(lists.values()) == 2, lists  # 1,100 dashboards: two pages of metadata, no GET per dashboard
    assert not any(k.startswith("GET /api/dashboards/uid") for k in routes)


@pytest.mark.parametrize("grafana_version", ["13.0.0"])
def test_ui_edits_deny_marks_dashboards_not_editable(grafana, project, dashkit):
    project.config(extra_env="    ui_edits: deny\n")
    project.dashboard("dashboards/api.py", "API")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert "grafana.app/managerAllowsEdits" not in _object(grafana, "v1", "api")["metadata"]["annotations"]
    refused = requests.post(f"{grafana.url}/__emulator/ui-edit", json={"uid": "api", "as_v2": False}, timeout=5)
    assert refused.status_code == 400 and "Cannot save provisioned dashboard" in refused.text
    project.config()  # back to allow: one write changes the annotation, nothing else
    diff = dashkit("diff", "--env", "local")
    assert "updates Grafana's manager annotations (content unchanged)" in diff.out


def test_validate_sends_the_plan_as_a_dry_run_and_a_refused_plan_writes_nothing(tmp_path, monkeypatch):
    grafana13 = _emulator("13.0.0", max_body_bytes=40_000)  # a Grafana that refuses bodies over 40 KB
    try:
        monkeypatch.setenv("DASHKIT_TEST_TOKEN", TOKEN)
        project = Project(tmp_path, grafana13.url)
        project.write("dashboards/ok.py", 'dashboard = {"title": "Small", "panels": []}\n')
        code, text = _cli(tmp_path, "diff", "--env", "local", "--validate")
        assert code == 0 and "Server-side validation (dryRun): 1 write checked; Grafana accepts them all." in text
        panels = [{"id": i, "type": "text", "title": f"P{i}", "options": {"content": "x" * 500}} for i in range(100)]
        project.write("dashboards/big.py", f"dashboard = {{'title': 'Big', 'panels': {panels!r}}}\n")
        code, text = _cli(tmp_path, "diff", "--env", "local", "--validate")
        assert code == 4 and "Grafana would refuse 1 write of this plan" in text and "dashboard Big" in text, text
        code, text = _cli(tmp_path, "sync", "--env", "local", "--yes")
        assert code == 4 and "nothing was changed" in text, text
        assert requests.get(f"{grafana13.url}/__emulator/stats", timeout=5).json()["writes"] == 0
    finally:
        grafana13.stop()


def _cli(root, *args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["-C", str(root), *args], console=Console(out=out, err=err, color=False))
    return code, out.getvalue() + err.getvalue()
