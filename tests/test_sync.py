"""diff and sync end to end, through real HTTP to the emulator."""

import json

from conftest import ALL_PROFILES, TOKEN
from dashkit.build import load_project
from dashkit.config import load_settings
from dashkit.sync import apply_sync, connect, plan_sync

GRAFANA_PROFILES = ALL_PROFILES


def _two_dashboards(project):
    project.dashboard("dashboards/payments/api.py", "API", panels=3)
    project.dashboard("dashboards/platform/nodes/linux.py", "Linux nodes", panels=2)


def test_sync_creates_everything_then_second_sync_makes_zero_writes(grafana, project, dashkit):
    _two_dashboards(project)
    first = dashkit("sync", "--env", "local", "--yes")
    assert first.code == 0, first.text
    assert "Plan: 5 to add, 0 to change, 0 to destroy." in first.out  # 3 folders + 2 dashboards
    api = grafana.dashboard("payments-api")
    assert api["meta"]["folderTitle"] == "payments"
    assert api["dashboard"]["panels"][0]["datasource"] == {"type": "prometheus", "uid": "prom-local"}
    linux = grafana.dashboard("platform-nodes-linux-nodes")
    assert linux["meta"]["folderTitle"] == "nodes"

    grafana.reset_stats()
    second = dashkit("sync", "--env", "local", "--yes")
    assert second.code == 0, second.text
    assert "No changes" in second.out
    assert grafana.writes() == 0
    assert grafana.dashboard("payments-api")["meta"]["version"] == 1


def test_one_changed_panel_is_one_write_and_diff_names_it(grafana, project, dashkit):
    _two_dashboards(project)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    project.dashboard("dashboards/payments/api.py", "API", panels=3, expr="sum(up)")
    diff = dashkit("diff", "--env", "local", "--exit-code")
    assert diff.code == 1
    assert "~ dashboard payments/API" in diff.out
    assert "panel 'Panel 1' > target A: expr: \"up\" -> \"sum(up)\"" in diff.out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in diff.out

    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.writes() == 1
    assert grafana.dashboard("payments-api")["meta"]["version"] == 2
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


def test_ui_edit_is_drift_and_survives_sync_without_force(grafana, project, dashkit):
    project.dashboard("dashboards/api.py", "API", panels=2)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    live = grafana.dashboard("api")["dashboard"]
    live["panels"][0]["title"] = "Edited in the UI"
    live.pop("dashkit")  # the Grafana UI drops keys it does not know when it saves
    grafana.save_as_admin(live)

    diff = dashkit("diff", "--env", "local")
    assert "! dashboard API" in diff.out
    assert "changed in Grafana by" in diff.out
    grafana.reset_stats()
    synced = dashkit("sync", "--env", "local", "--yes")
    assert synced.code == 5
    assert grafana.writes() == 0
    assert grafana.dashboard("api")["dashboard"]["panels"][0]["title"] == "Edited in the UI"

    forced = dashkit("sync", "--env", "local", "--yes", "--force")
    assert forced.code == 0, forced.text
    assert grafana.dashboard("api")["dashboard"]["panels"][0]["title"] == "Panel 1"
    backups = list((project.root / ".dashkit" / "backups" / "local").rglob("api.json"))
    assert len(backups) == 1
    backup = json.loads(backups[0].read_text())  # the live JSON as read: /api's {dashboard, ...} or an /apis object
    assert (backup.get("dashboard") or backup.get("spec"))["panels"][0]["title"] == "Edited in the UI"
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


def test_edit_keeping_marker_is_drift_too(grafana, project, dashkit):
    project.dashboard("dashboards/api.py", "API", panels=1)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    live = grafana.dashboard("api")["dashboard"]
    live["description"] = "someone's note"
    grafana.save_as_admin(live)
    result = dashkit("diff", "--env", "local", "--exit-code")
    assert result.code == 1 and "! dashboard API" in result.out and "after dashkit last wrote it" in result.out


def test_prune_deletes_only_owned_and_nothing_without_prune(grafana, project, dashkit):
    project.dashboard("dashboards/team/keep.py", "Keep")
    project.dashboard("dashboards/team/gone.py", "Gone")
    project.dashboard("dashboards/old/only.py", "Only")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    grafana.save_as_admin({"title": "Hand made", "uid": "hand-made", "panels": []})
    team_folder = grafana.dashboard("team-keep")["meta"]["folderUid"]
    grafana.save_as_admin({"title": "Someone else's", "uid": "theirs", "panels": []}, folder_uid=team_folder)
    project.remove("dashboards/team/gone.py")
    project.remove("dashboards/old/only.py")

    plain = dashkit("sync", "--env", "local", "--yes")
    assert plain.code == 0
    assert grafana.dashboard("team-gone") is not None
    assert "--prune` deletes it" in plain.out

    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0, pruned.text
    assert grafana.dashboard("team-gone") is None
    assert grafana.dashboard("old-only") is None
    assert grafana.dashboard("team-keep") is not None
    assert grafana.dashboard("hand-made") is not None
    assert grafana.dashboard("theirs") is not None
    assert [f["title"] for f in grafana.search(type="dash-folder")] == ["team"]
    assert list((project.root / ".dashkit" / "backups").rglob("team-gone.json"))


def test_folder_holding_foreign_dashboard_is_kept_on_prune(grafana, project, dashkit):
    project.dashboard("dashboards/shared/mine.py", "Mine")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    folder = grafana.dashboard("shared-mine")["meta"]["folderUid"]
    grafana.save_as_admin({"title": "Theirs", "uid": "theirs", "panels": []}, folder_uid=folder)
    project.remove("dashboards/shared/mine.py")
    project.dashboard("dashboards/other.py", "Other")
    result = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert result.code == 0, result.text
    assert grafana.dashboard("shared-mine") is None
    assert grafana.dashboard("theirs") is not None
    assert "still holds 1 item dashkit does not delete" in result.out


def test_dashboard_of_another_project_is_not_overwritten(grafana, project, dashkit):
    project.dashboard("dashboards/api.py", "API", uid="shared-uid")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    project.config(owner="team-b")
    project.dashboard("dashboards/api.py", "API", uid="shared-uid", expr="changed")
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 5
    assert "owned by dashkit project 'team-a'" in result.out


def test_wrong_token_exits_4_without_leaking(grafana, project, dashkit, monkeypatch):
    project.dashboard("dashboards/api.py", "API")
    monkeypatch.setenv("DASHKIT_TEST_TOKEN", "glsa_wrong_token_value_123")
    result = dashkit("diff", "--env", "local")
    assert result.code == 4
    assert "rejected the credentials" in result.err
    assert "DASHKIT_TEST_TOKEN" in result.err
    assert "glsa_wrong_token_value_123" not in result.text
    assert "Traceback" not in result.text


def test_unreachable_grafana_exits_4(project, dashkit):
    project.config(url="http://127.0.0.1:9")
    project.dashboard("dashboards/api.py", "API")
    result = dashkit("diff", "--env", "local")
    assert result.code == 4
    assert "cannot reach Grafana at http://127.0.0.1:9" in result.err
    assert "Traceback" not in result.text


def test_missing_token_env_var_exits_2(project, dashkit, monkeypatch):
    monkeypatch.delenv("DASHKIT_TEST_TOKEN")
    project.dashboard("dashboards/api.py", "API")
    result = dashkit("diff", "--env", "local")
    assert result.code == 2 and "DASHKIT_TEST_TOKEN" in result.err


def test_definition_error_exits_3_before_contacting_grafana(grafana, project, dashkit):
    project.write("dashboards/broken.py", "raise RuntimeError('boom')\n")
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 3 and "dashboards/broken.py:1" in result.err and "boom" in result.err
    assert grafana.stats()["requests"] == 0


def test_conflict_412_between_plan_and_apply_is_reported(grafana, project):
    project.dashboard("dashboards/api.py", "API", panels=1)
    settings = load_settings(project.root)
    with connect(settings, "local") as conn:
        proj = load_project(settings)
        apply_sync(plan_sync(proj, conn), proj, conn)
        project.dashboard("dashboards/api.py", "API", panels=1, expr="changed")
        proj = load_project(settings)
        plan = plan_sync(proj, conn)
        live = grafana.dashboard("api")["dashboard"]
        grafana.save_as_admin({**live, "description": "raced"})  # someone saves between plan and apply
        outcomes = apply_sync(plan, proj, conn)
    assert [o.status for o in outcomes] == ["failed"]
    message = outcomes[0].error.message
    assert ("412" in message and "changed by someone else" in message) or (  # legacy /api
        "changed in Grafana" in message and "while dashkit was syncing (409)" in message)  # app-platform
    assert grafana.dashboard("api")["dashboard"]["description"] == "raced"


def test_sync_converges_under_faults_without_duplicates(grafana, project, dashkit):
    for i in range(12):
        project.dashboard(f"dashboards/team{i % 3}/d{i}.py", f"Dash {i}", panels=2)
    grafana.faults(rate=0.2, kinds=["429", "502", "503", "504", "drop", "drop_after"], retry_after=0, seed=3)
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0, result.text
    assert grafana.stats()["faults_injected"] > 0
    grafana.clear_faults()
    dashboards = grafana.search(type="dash-db")
    assert len(dashboards) == 12
    assert len(grafana.search(type="dash-folder")) == 3
    assert all(grafana.dashboard(h["uid"])["meta"]["version"] == 1 for h in dashboards)
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.writes() == 0


def test_unmapped_datasource_fails_before_any_write(grafana, project, dashkit):
    project.write("dashboards/t.py", """\
        dashboard = {"title": "T", "panels": [{"id": 1, "title": "p", "datasource": "@tempo"}]}
        """)
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 2
    assert "'@tempo'" in result.err and "dashboards/t.py" in result.err
    assert "environments.local.datasources" in result.err
    assert grafana.writes() == 0


def test_datasource_missing_in_grafana_names_the_key(grafana, project, dashkit):
    project.config(extra_env="")
    text = (project.root / "dashkit.yaml").read_text().replace("{name: Loki}", "{name: Nope}")
    (project.root / "dashkit.yaml").write_text(text)
    project.write("dashboards/t.py", """\
        dashboard = {"title": "T", "panels": [{"id": 1, "title": "p", "datasource": {"uid": "@loki"}}]}
        """)
    result = dashkit("diff", "--env", "local")
    assert result.code == 2 and "environments.local.datasources.loki" in result.err and "'Nope'" in result.err


def test_datasource_variable_is_left_alone(grafana, project, dashkit):
    project.write("dashboards/v.py", """\
        dashboard = {"title": "V", "panels": [{"id": 1, "title": "p", "datasource": "${datasource}",
            "targets": [{"refId": "A", "datasource": {"uid": "$datasource"}, "expr": "up"}]}]}
        """)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    panel = grafana.dashboard("v")["dashboard"]["panels"][0]
    assert panel["datasource"] == "${datasource}"
    assert panel["targets"][0]["datasource"] == {"uid": "$datasource"}


def test_dry_run_and_diff_never_write(grafana, project, dashkit):
    _two_dashboards(project)
    assert dashkit("diff", "--env", "local").code == 0
    dry = dashkit("sync", "--env", "local", "--dry-run")
    assert dry.code == 0 and "Plan: 5 to add" in dry.out
    assert grafana.writes() == 0


def test_sync_without_yes_and_without_terminal_refuses(grafana, project, dashkit):
    _two_dashboards(project)
    result = dashkit("sync", "--env", "local")
    assert result.code == 2 and "--yes" in result.err
    assert grafana.writes() == 0


def test_json_output_is_the_plan_as_data(grafana, project, dashkit):
    _two_dashboards(project)
    result = dashkit("diff", "--env", "local", "--format", "json")
    data = json.loads(result.out)
    assert data["summary"]["add"] == 5
    assert {c["action"] for c in data["changes"]} == {"create"}
    synced = json.loads(dashkit("sync", "--env", "local", "--yes", "--format", "json").out)
    assert synced["applied"] == 5 and synced["failed"] == 0


def test_token_never_appears_in_output_or_backups(grafana, project, dashkit):
    _two_dashboards(project)
    outputs = [dashkit("sync", "--env", "local", "--yes", verbose=True)]
    project.dashboard("dashboards/payments/api.py", "API", panels=3, expr="changed")
    outputs.append(dashkit("diff", "--env", "local", verbose=True))
    outputs.append(dashkit("sync", "--env", "local", "--yes", "--format", "json", verbose=True))
    assert "GET /api/dashboards/uid/" in outputs[1].err or "GET /apis/dashboard.grafana.app/" in outputs[1].err
    for result in outputs:
        assert TOKEN not in result.text
    for path in project.root.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="ignore"), path


def test_basic_auth_and_org_header_select_the_org(grafana, project, dashkit, monkeypatch):
    monkeypatch.setenv("G_USER", "admin")
    monkeypatch.setenv("G_PASSWORD", "admin")
    (project.root / "dashkit.yaml").write_text(
        f"owner: team-a\nenvironments:\n  second:\n    url: {grafana.url}\n    org_id: 2\n"
        "    basic_auth: {user_env: G_USER, password_env: G_PASSWORD}\n"
    )
    project.write("dashboards/plain.py", 'dashboard = {"title": "Org two", "panels": []}\n')
    result = dashkit("sync", "--env", "second", "--yes")
    assert result.code == 0, result.text
    assert grafana.dashboard("org-two") is None  # not in org 1
    in_org_2 = grafana.admin.get(f"{grafana.url}/api/dashboards/uid/org-two", headers={"X-Grafana-Org-Id": "2"})
    assert in_org_2.status_code == 200


def test_token_of_another_org_exits_4(grafana, project, dashkit):
    (project.root / "dashkit.yaml").write_text(
        f"owner: team-a\nenvironments:\n  other:\n    url: {grafana.url}\n    org_id: 2\n"
        "    token_env: DASHKIT_TEST_TOKEN\n"
    )
    project.write("dashboards/plain.py", 'dashboard = {"title": "X", "panels": []}\n')
    result = dashkit("diff", "--env", "other")
    assert result.code == 4 and "organization" in result.err.lower()


def test_every_write_answer_lost_still_converges_without_duplicates(grafana, project, dashkit):
    _two_dashboards(project)
    grafana.faults(rate=1.0, kinds=["drop_after"], methods=["POST"])  # every POST applies, then its answer is lost
    result = dashkit("sync", "--env", "local", "--yes")
    grafana.clear_faults()
    assert result.code == 0, result.text
    assert grafana.writes() == 5
    assert grafana.dashboard("payments-api")["meta"]["version"] == 1


def test_folder_renamed_in_grafana_is_put_back(grafana, project, dashkit):
    project.dashboard("dashboards/payments/api.py", "API")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    folder = grafana.dashboard("payments-api")["meta"]["folderUid"]
    grafana.admin.put(f"{grafana.url}/api/folders/{folder}", json={"title": "Renamed", "overwrite": True})
    diff = dashkit("diff", "--env", "local")
    assert '~ folder payments' in diff.out and 'title: "Renamed" -> "payments"' in diff.out
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.admin.get(f"{grafana.url}/api/folders/{folder}").json()["title"] == "payments"


def test_moving_a_dashboard_between_folders(grafana, project, dashkit):
    project.dashboard("dashboards/old/api.py", "API", uid="api")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    project.remove("dashboards/old/api.py")
    project.dashboard("dashboards/new/api.py", "API", uid="api")
    result = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert result.code == 0, result.text
    assert grafana.dashboard("api")["meta"]["folderTitle"] == "new"
    assert [f["title"] for f in grafana.search(type="dash-folder")] == ["new"]


def test_verbose_shows_the_definition_traceback(project, dashkit):
    project.write("dashboards/broken.py", "def f():\n    raise ValueError('deep')\nf()\n")
    quiet, loud = dashkit("build"), dashkit("build", verbose=True)
    assert quiet.code == loud.code == 3
    assert "Traceback" not in quiet.err and "Traceback" in loud.err and "line 2, in f" in loud.err


def test_an_existing_folder_of_the_same_path_is_adopted_not_duplicated(grafana, project, dashkit):
    grafana.admin.post(f"{grafana.url}/api/folders", json={"uid": "team-made", "title": "payments"}).raise_for_status()
    project.dashboard("dashboards/payments/api.py", "API")
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0, result.text
    assert "+ folder" not in result.out
    assert grafana.dashboard("payments-api")["meta"]["folderUid"] == "team-made"
    assert [f["uid"] for f in grafana.search(type="dash-folder")] == ["team-made"]
    grafana.reset_stats()
    assert "No changes" in dashkit("sync", "--env", "local", "--yes").out
    project.remove("dashboards/payments/api.py")
    project.dashboard("dashboards/other.py", "Other")
    assert dashkit("sync", "--env", "local", "--yes", "--prune").code == 0
    assert [f["uid"] for f in grafana.search(type="dash-folder")] == ["team-made"]  # never ours to delete


def test_a_folder_title_with_a_slash_is_not_the_nested_folders_of_that_path(grafana, project, dashkit):
    a = grafana.admin.post(f"{grafana.url}/api/folders", json={"title": "a"}, timeout=5).json()
    b = grafana.admin.post(f"{grafana.url}/api/folders", json={"title": "b", "parentUid": a["uid"]}, timeout=5).json()
    project.write("dashboards/x.py", 'folder = ("a/b",)\ndashboard = {"title": "X", "panels": []}\n')
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.admin.get(f"{grafana.url}/api/folders/{b['uid']}", timeout=5).json()["title"] == "b"
    folder = grafana.dashboard("a-b-x")["meta"]
    assert folder["folderTitle"] == "a/b" and folder["folderUid"] != b["uid"]
