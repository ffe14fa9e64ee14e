"""Saved plans (`diff --out` + `sync --plan`), `--target`, and `dashkit restore`, end to end through the CLI and the
emulator on every Grafana generation."""

import json

from conftest import ALL_PROFILES

GRAFANA_PROFILES = ALL_PROFILES


def _two(project):
    project.dashboard("dashboards/payments/api.py", "API", panels=2)
    project.dashboard("dashboards/ops/nodes.py", "Nodes", panels=1)


def _ui_edit(grafana, uid: str, title: str) -> None:
    live = grafana.dashboard(uid)["dashboard"]
    live["panels"][0]["title"] = title
    grafana.save_as_admin(live, folder_uid=grafana.dashboard(uid)["meta"]["folderUid"], overwrite=True)


def test_a_saved_plan_applies_exactly_what_was_reviewed(grafana, project, dashkit):
    _two(project)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    project.dashboard("dashboards/payments/api.py", "API", panels=2, expr="changed")
    plan_file = project.root / "plan.json"
    diff = dashkit("diff", "--env", "local", "--out", str(plan_file))
    assert diff.code == 0 and "Plan saved to" in diff.out
    saved = json.loads(plan_file.read_text())
    assert [(c["action"], c["uid"]) for c in saved["changes"]] == [("update", "payments-api")]
    project.dashboard("dashboards/payments/api.py", "API", panels=2, expr="changed again, not reviewed")

    grafana.reset_stats()
    applied = dashkit("sync", "--plan", str(plan_file), "--yes")
    assert applied.code == 0, applied.text
    assert grafana.writes() == 1
    assert grafana.dashboard("payments-api")["dashboard"]["panels"][0]["targets"][0]["expr"] == "changed"  # the plan's


def test_a_saved_plan_is_refused_when_grafana_changed_since(grafana, project, dashkit):
    _two(project)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    project.dashboard("dashboards/payments/api.py", "API", panels=2, expr="changed")
    plan_file = project.root / "plan.json"
    assert dashkit("diff", "--env", "local", "--out", str(plan_file)).code == 0
    _ui_edit(grafana, "payments-api", "Edited after the plan")
    grafana.reset_stats()
    refused = dashkit("sync", "--plan", str(plan_file), "--yes")
    assert refused.code == 5, refused.text
    assert "Grafana changed since the plan" in refused.err and "nothing was written" in refused.err
    assert "dashboard payments/API: changed in Grafana since" in refused.err
    assert grafana.writes() == 0
    assert grafana.dashboard("payments-api")["dashboard"]["panels"][0]["title"] == "Edited after the plan"


def test_target_limits_a_run_to_a_resource_and_what_it_needs(grafana, project, dashkit):
    _two(project)
    diff = dashkit("diff", "--env", "local", "--target", "dashboard/payments-*")
    assert "+ dashboard payments/API" in diff.out and "+ folder payments" in diff.out
    assert "Nodes" not in diff.out and "ops" not in diff.out
    assert dashkit("sync", "--env", "local", "--yes", "--target", "dashboard/payments/API").code == 0
    assert grafana.dashboard("payments-api") is not None and grafana.dashboard("ops-nodes") is None
    build = dashkit("build", "--target", "dashboard/ops-nodes", "--format", "json")
    files = json.loads(build.out)["files"]
    assert [f for f in files if f.startswith("dashboards/")] == ["dashboards/ops/ops-nodes.json"]
    nothing = dashkit("diff", "--env", "local", "--target", "dashboard/nope")
    assert nothing.code == 2 and "matches no resource" in nothing.err


def test_restore_puts_a_backed_up_version_back_and_sync_then_reports_it(grafana, project, dashkit):
    _two(project)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    _ui_edit(grafana, "payments-api", "Someone's work")
    forced = dashkit("sync", "--env", "local", "--yes", "--force")  # overwrites it: a backup is kept
    assert forced.code == 0 and "Backed up 1 resource before overwriting or deleting:" in forced.out, forced.out
    backup_run = forced.out.split("overwriting or deleting: ")[1].split("\n")[0].strip()
    assert grafana.dashboard("payments-api")["dashboard"]["panels"][0]["title"] == "Panel 1"

    preview = dashkit("restore", backup_run, "--dry-run")
    assert preview.code == 0 and "~ dashboard" in preview.out, preview.text
    restored = dashkit("restore", backup_run, "--yes")
    assert restored.code == 0, restored.text
    assert grafana.dashboard("payments-api")["dashboard"]["panels"][0]["title"] == "Someone's work"

    after = dashkit("sync", "--env", "local", "--yes")  # the restored version is not overwritten without --force
    assert after.code == 5 and "restored from a backup by `dashkit restore`" in after.out, after.out
    assert grafana.dashboard("payments-api")["dashboard"]["panels"][0]["title"] == "Someone's work"
