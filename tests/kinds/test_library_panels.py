"""Library panels end to end, through real HTTP to the emulator on Grafana 11, 12 and 13: defined once, created
before the dashboards that place them, quiet on a second sync, one write per change, a 412 between plan and apply
reported, edits in Grafana left alone as drift, prune that never breaks a dashboard (and says which one) but deletes
dashboards and their library panel together, and other people's library panels never touched."""

import json
from pathlib import Path

import pytest

from conftest import ALL_PROFILES, SecondProject
from dashkit.build import load_project
from dashkit.builders import library_panel_uid
from dashkit.config import load_settings
from dashkit.sync import apply_sync, connect, plan_sync

GRAFANA_PROFILES = ALL_PROFILES

API = "/api/library-elements"
NAME = "checkout-error-rate"
UID = library_panel_uid(NAME)
SHARED = "dashboards/shared/panels.py"
BOARDS = "dashboards/team/boards.py"
SHARED_SOURCE = """\
from dashkit.builders import Query, error_ratio, eq, shared_panel, timeseries

library_panels = [
    shared_panel("checkout-error-rate",
                 timeseries("Checkout error rate", "Share of failing checkout requests.", "percentunit",
                            Query(error_ratio([eq("service", "checkout")]), legend="errors"), width="full")),
]
"""
BOARDS_SOURCE = """\
from dashkit.builders import Row, dashboard, library_panel, stat

dashboards = [
    dashboard("Checkout", [stat("Requests", "Requests per second.", "reqps", "sum(rate(http_requests_total[5m]))"),
                           Row("Customer impact", [library_panel("checkout-error-rate", width="full")])]),
    dashboard("Payments", [library_panel("checkout-error-rate")]),
]
"""


@pytest.fixture
def shared(project):
    """The project: one library panel in folder 'shared', placed on two dashboards in folder 'team'."""
    project.write(SHARED, SHARED_SOURCE)
    project.write(BOARDS, BOARDS_SOURCE)
    return project


def _element(grafana, uid: str = UID) -> dict | None:
    reply = grafana.admin.get(f"{grafana.url}{API}/{uid}", timeout=5)
    return reply.json()["result"] if reply.status_code == 200 else None


def _users(grafana, uid: str = UID) -> set[str]:
    reply = grafana.admin.get(f"{grafana.url}{API}/{uid}/connections", timeout=5)
    return {c["connectionUid"] for c in reply.json()["result"]}


def _edit(grafana, keep_marker: bool = True, **changes) -> None:
    """A person edits the library panel in Grafana; the library panel editor of Grafana 11+ drops the keys it does
    not know (`keep_marker=False`), a script through the API may keep them."""
    element = _element(grafana)
    model = {**element["model"], **changes}
    if not keep_marker:
        model.pop("dashkit")
    reply = grafana.admin.patch(f"{grafana.url}{API}/{UID}", timeout=5, json={
        "name": element["name"], "model": model, "kind": 1, "version": element["version"]})
    assert reply.status_code == 200, reply.text


def _place_by_hand(grafana, uid: str, title: str, library_uid: str = UID) -> None:
    """A person makes a dashboard in Grafana that places the library panel."""
    grafana.save_as_admin({"uid": uid, "title": title, "panels": [
        {"id": 1, "title": "Errors", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
         "libraryPanel": {"uid": library_uid, "name": NAME}}]})


def test_build_writes_the_library_panel_and_dashboards_that_reference_it(shared, dashkit):
    shared.write("dashboards/team/more.py", 'from dashkit.builders import shared_panel\n'
                 'notes = shared_panel("Team notes", {"type": "text", "title": "Notes"}, folder="Ops/Shared")\n'
                 'library_panels = [notes]\n')
    result = dashkit("build")
    assert result.code == 0, result.text
    built = json.loads((shared.root / "build" / "library_panels" / "shared" / f"{UID}.json").read_text())
    assert built["name"] == NAME and built["kind"] == 1 and built["model"]["title"] == "Checkout error rate"
    assert built["model"]["targets"][0]["datasource"]["uid"] == "@prometheus"  # resolved per environment at sync
    notes = shared.root / "build" / "library_panels" / "Ops" / "Shared" / f"{library_panel_uid('Team notes')}.json"
    assert json.loads(notes.read_text())["model"] == {"type": "text", "title": "Notes",
                                                       "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}}
    payments = json.loads((shared.root / "build" / "dashboards" / "team" / "team-payments.json").read_text())
    assert payments["panels"][0]["libraryPanel"] == {"uid": UID, "name": NAME}


def test_created_before_the_dashboards_that_place_it_then_a_second_sync_writes_nothing(grafana, shared, dashkit):
    first = dashkit("sync", "--env", "local", "--yes")
    assert first.code == 0, first.text
    lines = first.out.splitlines()
    created = lines.index(f"  + library_panel shared/{NAME}: created")
    assert created < lines.index("  + dashboard team/Checkout: created")
    assert created < lines.index("  + dashboard team/Payments: created")
    element = _element(grafana)
    assert element["name"] == NAME and element["meta"]["folderName"] == "shared"
    assert element["model"]["targets"][0]["datasource"] == {"type": "prometheus", "uid": "prom-local"}
    assert _users(grafana) == {"team-checkout", "team-payments"}

    grafana.reset_stats()
    second = dashkit("sync", "--env", "local", "--yes")
    assert second.code == 0 and "No changes" in second.out, second.out
    assert grafana.writes() == 0
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


def test_one_change_is_one_write_and_the_dashboards_are_not_touched(grafana, shared, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    shared.write(SHARED, SHARED_SOURCE.replace('legend="errors"', 'legend="5xx share"'))
    diff = dashkit("diff", "--env", "local")
    assert f"~ library_panel shared/{NAME}" in diff.out
    assert '~ target A: legendFormat: "errors" -> "5xx share"' in diff.out, diff.out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in diff.out

    saved = shared.root / "plan.json"  # reviewed, then applied exactly as reviewed
    assert dashkit("diff", "--env", "local", "--out", str(saved)).code == 0
    grafana.reset_stats()
    applied = dashkit("sync", "--plan", str(saved), "--yes")
    assert applied.code == 0 and f"~ library_panel shared/{NAME}: updated" in applied.out, applied.text
    assert grafana.writes() == 1
    assert _element(grafana)["version"] == 2
    assert grafana.dashboard("team-checkout")["meta"]["version"] == 1
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


def test_a_change_in_grafana_between_plan_and_apply_is_a_412_conflict(grafana, shared):
    settings = load_settings(shared.root)
    with connect(settings, "local") as conn:
        project = load_project(settings)
        apply_sync(plan_sync(project, conn), project, conn)
        shared.write(SHARED, SHARED_SOURCE.replace("width=", "min=0, width="))
        project = load_project(settings)
        plan = plan_sync(project, conn)
        _edit(grafana, description="raced")  # someone saves between plan and apply
        outcomes = apply_sync(plan, project, conn)
    assert [o.status for o in outcomes] == ["failed"]
    message = outcomes[0].error.message
    assert f"library panel shared/{NAME} was changed in Grafana by admin while dashkit was syncing (412)" in message
    assert _element(grafana)["model"]["description"] == "raced"


@pytest.mark.parametrize("keep_marker", [True, False], ids=["api-edit", "ui-editor"])
def test_an_edit_in_grafana_is_drift_left_alone_until_force(grafana, shared, dashkit, keep_marker):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    _edit(grafana, keep_marker=keep_marker, title="Edited in the UI")

    grafana.reset_stats()
    after = dashkit("sync", "--env", "local", "--yes")
    assert after.code == 5 and f"! library_panel shared/{NAME}" in after.out, after.text
    assert "changed in Grafana by admin" in after.out
    assert '~ model.title: "Edited in the UI" -> "Checkout error rate"' in after.out, after.out
    assert grafana.writes() == 0
    assert _element(grafana)["model"]["title"] == "Edited in the UI"

    forced = dashkit("sync", "--env", "local", "--yes", "--force")
    assert forced.code == 0, forced.text
    assert _element(grafana)["model"]["title"] == "Checkout error rate"
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0
    backups = list((shared.root / ".dashkit" / "backups" / "local").glob(f"*/library_panel/{UID}.json"))
    assert len(backups) == 1 and json.loads(backups[0].read_text())["model"]["title"] == "Edited in the UI"

    restored = dashkit("restore", str(backups[0]), "--yes")  # the edited version back; sync then reports it
    assert restored.code == 0 and _element(grafana)["model"]["title"] == "Edited in the UI", restored.text
    again = dashkit("sync", "--env", "local", "--yes")
    assert again.code == 5 and "restored from a backup by `dashkit restore`" in again.out, again.out


def test_prune_leaves_a_library_panel_a_dashboard_still_uses_and_names_it(grafana, shared, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    _place_by_hand(grafana, "team-x", "Team X")
    _place_by_hand(grafana, "team-y", "Team Y")
    shared.remove(SHARED)  # no longer defined, and no longer placed on the project's dashboards
    shared.write(BOARDS, BOARDS_SOURCE.replace('library_panel("checkout-error-rate")',
                                               'stat("Errors", "5xx per second.", "reqps", "sum(up)")')
                 .replace('Row("Customer impact", [library_panel("checkout-error-rate", width="full")])', ""))

    diff = dashkit("diff", "--env", "local", "--prune", "--exit-code")
    assert diff.code == 1
    assert "1 still in use: not deleted." in diff.out, diff.out
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 5, pruned.text
    blocked = next(line for line in pruned.out.splitlines() if "! not deleted:" in line)
    assert "still used by dashboard 'Team X' (team-x), dashboard 'Team Y' (team-y)" in blocked
    assert "team-checkout" not in blocked  # the project's own dashboards stop using it in this run
    assert "still in use" in pruned.err
    assert "~ dashboard team/Payments: updated" in pruned.out
    assert _element(grafana) is not None and _users(grafana) == {"team-x", "team-y"}
    assert "folder shared: still holds 1 item dashkit does not delete" in pruned.out  # its folder stays too

    grafana.admin.delete(f"{grafana.url}/api/dashboards/uid/team-x", timeout=5)
    grafana.admin.delete(f"{grafana.url}/api/dashboards/uid/team-y", timeout=5)
    last = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert last.code == 0 and f"- library_panel shared/{NAME}: deleted" in last.out, last.text
    assert _element(grafana) is None and not any(h["title"] == "shared" for h in grafana.search(type="dash-folder"))


def test_dashboards_pruned_in_the_same_run_go_first_then_their_library_panel(grafana, shared, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    shared.remove(SHARED)
    shared.remove(BOARDS)
    shared.write("dashboards/other.py", 'dashboard = {"title": "Other", "panels": []}\n')
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0, pruned.text
    for line in (f"- library_panel shared/{NAME}: deleted", "Checkout: deleted", "Payments: deleted",
                 "- folder shared: deleted"):
        assert line in pruned.out
    assert _element(grafana) is None and grafana.dashboard("team-checkout") is None


def test_a_name_no_module_defines_fails_the_build_naming_the_dashboard(grafana, shared, dashkit):
    shared.write(BOARDS, BOARDS_SOURCE.replace('library_panel("checkout-error-rate")',
                                               'library_panel("checkout-eror-rate")'))
    for command in (("build",), ("sync", "--env", "local", "--yes")):
        result = dashkit(*command)
        assert result.code == 3, result.text
        assert (f"{BOARDS}: dashboard 'Payments' places library panel 'checkout-eror-rate', which no dashboards/ "
                "module defines; did you mean 'checkout-error-rate'?") in result.err
        assert "library_panel(uid=...)" in result.err and "Traceback" not in result.text
    assert grafana.stats()["requests"] == 0


def test_a_library_panel_made_in_grafana_is_placed_by_its_uid(grafana, project, dashkit):
    made = grafana.admin.post(f"{grafana.url}{API}", timeout=5, json={
        "name": "Team CPU", "kind": 1, "model": {"type": "timeseries", "title": "CPU"}}).json()["result"]
    project.write("dashboards/cpu.py", "from dashkit.builders import dashboard, library_panel\n"
                                       f"placed = library_panel('Team CPU', uid='{made['uid']}')\n"
                                       "dashboard = dashboard('CPU', [placed])\n")
    first = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert first.code == 0 and "library_panel" not in first.out, first.text
    assert _users(grafana, made["uid"]) == {"cpu"}
    assert _element(grafana, made["uid"])["version"] == 1  # someone else's: never written


def test_other_peoples_library_panels_are_left_alone(grafana, shared, dashkit, tmp_path):
    (tmp_path / "other").mkdir()
    other = SecondProject(tmp_path / "other", grafana.url, owner="team-b")
    other.project.write("dashboards/theirs/panels.py", SHARED_SOURCE)
    assert other("sync", "--env", "local", "--yes").code == 0  # the same name: the same uid, another owner

    grafana.reset_stats()
    mine = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert mine.code == 5, mine.text
    assert f"! library_panel shared/{NAME}" in mine.out and "owned by dashkit project 'team-b'" in mine.out
    element = _element(grafana)
    assert element["version"] == 1 and element["meta"]["folderName"] == "theirs"
    assert "No changes" in other("diff", "--env", "local").out


def test_a_library_panel_of_the_same_name_in_the_folder_is_named_when_grafana_refuses(grafana, project, dashkit):
    project.write("dashboards/panels.py", SHARED_SOURCE)  # in the General folder
    project.write(BOARDS, BOARDS_SOURCE)
    made = grafana.admin.post(f"{grafana.url}{API}", timeout=5, json={
        "name": NAME, "kind": 1, "model": {"type": "stat", "title": "Theirs"}}).json()["result"]
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 5, result.text
    assert (f"library panel {NAME}: folder 'General' already has a library panel named '{NAME}' "
            f"(uid {made['uid']}, made by someone in Grafana)") in result.out
    assert "dashboard team/Checkout: skipped: not attempted" in result.out
    assert _element(grafana, made["uid"])["version"] == 1


def test_prune_keeps_a_folder_holding_someone_elses_library_panel(grafana, shared, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    folder = _element(grafana)["folderUid"]
    theirs = grafana.admin.post(f"{grafana.url}{API}", timeout=5, json={
        "name": "Team notes", "kind": 1, "folderUid": folder, "model": {"type": "text", "title": "Notes"}})
    assert theirs.status_code == 200, theirs.text
    shared.remove(SHARED)
    shared.remove(BOARDS)
    shared.write("dashboards/other.py", 'dashboard = {"title": "Other", "panels": []}\n')
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0, pruned.text
    assert f"- library_panel shared/{NAME}: deleted" in pruned.out
    assert "folder shared: still holds 1 item dashkit does not delete (e.g. library_panel " in pruned.out
    assert _element(grafana, theirs.json()["result"]["uid"]) is not None


def test_the_reference_project_shares_one_library_panel_between_two_service_dashboards(grafana, project, dashkit):
    import shutil

    repo = Path(__file__).resolve().parents[2]
    shutil.copytree(repo / "dashboards", project.root / "dashboards")
    config = (repo / "dashkit.yaml").read_text().replace("http://127.0.0.1:3000", grafana.url)
    (project.root / "dashkit.yaml").write_text(config.replace("GRAFANA_TOKEN", "DASHKIT_TEST_TOKEN"))
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert _users(grafana) == {"checkout-golden-signals", "payments-golden-signals"}
    assert "No changes" in dashkit("diff", "--env", "local").out
