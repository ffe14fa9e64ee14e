"""Folder permissions as code: a folder's module declares who may view, edit and administer it; sync sets exactly that
(as a set, the whole list at once) on folders dashkit created, and never on a folder it found. Through real HTTP to
the emulator, on every Grafana generation."""

from __future__ import annotations

import json

import pytest
import requests

from conftest import ALL_PROFILES, SecondProject

GRAFANA_PROFILES = ALL_PROFILES

ACCESS = """\
from dashkit.builders import permissions, team

teams = [team("checkout", email="checkout@example.com"), team("platform")]
folder_permissions = permissions(view=["Viewer"], edit=["Editor", team("checkout")], admin=[team("platform")])
"""
DECLARED = {"role Viewer": "View", "role Editor": "Edit", "team checkout": "Edit", "team platform": "Admin"}
CREATOR = {"user sa-1-dashkit": "Admin"}  # the service account that created the folder (the test token's)


def folder_uid(grafana, title: str) -> str:
    hits = [h for h in grafana.search(type="dash-folder") if h["title"] == title]
    assert len(hits) == 1, hits
    return hits[0]["uid"]


def own(grafana, title: str) -> dict[str, str]:
    """The folder's own entries as `principal -> level` (users by login), inherited ones left out."""
    entries = grafana.admin.get(f"{grafana.url}/api/access-control/folders/{folder_uid(grafana, title)}",
                                timeout=5).json()
    out = {}
    for entry in entries:
        if entry["isInherited"] or not entry["isManaged"]:
            continue
        who = (f"role {entry['builtInRole']}" if entry.get("builtInRole") else
               f"team {entry['team']}" if entry.get("teamId") else f"user {entry['userLogin']}")
        out[who] = entry["permission"]
    return out


def post_in_the_ui(grafana, title: str, items: list[dict]) -> None:
    """What Grafana's permissions dialog sends: the whole list."""
    uid = folder_uid(grafana, title)
    reply = grafana.admin.post(f"{grafana.url}/api/folders/{uid}/permissions", json={"items": items}, timeout=5)
    assert reply.status_code == 200, reply.text


def team_id(grafana, name: str) -> int:
    found = grafana.admin.get(f"{grafana.url}/api/teams/search", params={"name": name}, timeout=5).json()
    return found["teams"][0]["id"]


def create_team(grafana, name: str) -> int:
    reply = grafana.admin.post(f"{grafana.url}/api/teams", json={"name": name}, timeout=5)
    assert reply.status_code == 200, reply.text
    return reply.json()["teamId"]


def user_id(grafana, login: str) -> int:
    return requests.get(f"{grafana.url}/api/user", auth=(login, login), timeout=5).json()["id"]


@pytest.fixture
def services(project):
    """A services folder with a dashboard and a module declaring its permissions."""
    project.dashboard("dashboards/services/api.py", "API")
    project.write("dashboards/services/access.py", ACCESS)
    return project


def test_declared_permissions_are_set_and_a_second_sync_writes_nothing(grafana, services, dashkit):
    first = dashkit("sync", "--env", "local", "--yes")
    assert first.code == 0, first.text
    assert "+ folder_permission services" in first.out and "+ team checkout" in first.out
    assert own(grafana, "services") == {**DECLARED, **CREATOR}  # the default Editor Edit went: it is declared
    grafana.reset_stats()
    again = dashkit("sync", "--env", "local", "--yes")
    assert again.code == 0 and "No changes" in again.out, again.out
    assert grafana.writes() == 0


def test_permissions_are_a_set_the_order_they_are_written_or_listed_in_does_not_matter(grafana, services, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    services.write("dashboards/services/access.py", ACCESS.replace(
        'view=["Viewer"], edit=["Editor", team("checkout")], admin=[team("platform")]',
        'admin=[team("platform")], edit=[team("checkout"), "Editor"], view="Viewer"'))
    platform, checkout = team_id(grafana, "platform"), team_id(grafana, "checkout")
    sa = next(e for e in grafana.admin.get(f"{grafana.url}/api/access-control/folders/"
                                           f"{folder_uid(grafana, 'services')}", timeout=5).json()
              if e.get("userLogin") == "sa-1-dashkit")["userId"]
    post_in_the_ui(grafana, "services", [  # the same entries, in another order (Grafana lists them anew)
        {"teamId": platform, "permission": 4}, {"userId": sa, "permission": 4}, {"role": "Viewer", "permission": 1},
        {"teamId": checkout, "permission": 2}, {"role": "Editor", "permission": 2}])
    grafana.reset_stats()
    again = dashkit("diff", "--env", "local", "--exit-code")
    assert again.code == 0 and "No changes" in again.out, again.out


def test_one_change_is_one_write_of_the_whole_list(grafana, services, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    services.write("dashboards/services/access.py", ACCESS.replace('edit=["Editor", team("checkout")]',
                                                                   'edit=["Editor"], view=[team("checkout")]')
                   .replace('view=["Viewer"], ', ""))
    diff = dashkit("diff", "--env", "local")
    assert "~ folder_permission services" in diff.out and "team checkout" in diff.out, diff.out
    assert "role Viewer" in diff.out  # no longer declared: it goes
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.writes() == 1
    assert own(grafana, "services") == {"role Editor": "Edit", "team checkout": "View", "team platform": "Admin",
                                        **CREATOR}


def test_a_change_made_in_the_ui_is_shown_and_put_back(grafana, services, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    sre = create_team(grafana, "sre")
    platform, checkout = team_id(grafana, "platform"), team_id(grafana, "checkout")
    post_in_the_ui(grafana, "services", [{"teamId": platform, "permission": 4}, {"teamId": checkout, "permission": 4},
                                         {"teamId": sre, "permission": 2}, {"role": "Viewer", "permission": 1}])
    diff = dashkit("diff", "--env", "local", "--exit-code")
    assert diff.code == 1 and "~ folder_permission services" in diff.out, diff.out
    assert "team sre" in diff.out and "team checkout" in diff.out and "role Editor" in diff.out
    grafana.reset_stats()
    restored = dashkit("sync", "--env", "local", "--yes")
    assert restored.code == 0 and grafana.writes() == 1, restored.text
    assert own(grafana, "services") == DECLARED  # the UI dropped the creator's entry: dashkit does not add users
    assert any(p.name == "folder_permission" for p in (services.root / ".dashkit" / "backups").rglob("*"))


def test_user_entries_are_neither_compared_nor_removed(grafana, services, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    viewer = user_id(grafana, "viewer")
    current = grafana.admin.get(f"{grafana.url}/api/access-control/folders/{folder_uid(grafana, 'services')}",
                                timeout=5).json()
    items = [{"teamId": e["teamId"], "permission": 4 if e["permission"] == "Admin" else 2} for e in current
             if e.get("teamId") and not e["isInherited"]]
    post_in_the_ui(grafana, "services", [*items, {"userId": viewer, "permission": 2}])  # and Viewer's entry goes
    assert "No changes" not in dashkit("diff", "--env", "local").out
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert own(grafana, "services") == {**DECLARED, "user viewer": "Edit"}
    assert "No changes" in dashkit("diff", "--env", "local").out


def test_a_team_that_exists_only_in_grafana_can_be_named(grafana, project, dashkit):
    create_team(grafana, "sre")
    project.dashboard("dashboards/ops/board.py", "Board")
    project.write("dashboards/ops/access.py", """\
        from dashkit.builders import permissions, team
        folder_permissions = permissions(admin=[team("sre")], view=["Viewer"])
        """)
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0, result.text
    assert own(grafana, "ops") == {"team sre": "Admin", "role Viewer": "View", **CREATOR}
    assert "+ team" not in result.out  # named, not defined: dashkit does not create or own it


def test_an_unknown_team_is_an_error_naming_it_before_anything_is_written(grafana, project, dashkit):
    project.dashboard("dashboards/ops/board.py", "Board")
    project.write("dashboards/ops/access.py", """\
        from dashkit.builders import permissions, team
        folder_permissions = permissions(edit=[team("ghosts")])
        """)
    grafana.reset_stats()
    for command in (("diff", "--env", "local"), ("sync", "--env", "local", "--yes")):
        result = dashkit(*command)
        assert result.code == 3, result.text
        assert "dashboards/ops/access.py" in result.err and "team 'ghosts'" in result.err, result.err
        assert "Traceback" not in result.text
    assert grafana.writes() == 0


def test_a_team_deleted_in_grafana_after_the_plan_fails_that_folder_only(grafana, project, dashkit, monkeypatch):
    """The names resolve at write time too: a team gone by then is an error naming it, and nothing of that folder is
    written."""
    from dashkit.kinds import folder_permission

    sre = create_team(grafana, "sre")
    project.dashboard("dashboards/ops/board.py", "Board")
    project.write("dashboards/ops/access.py", """\
        from dashkit.builders import permissions, team
        folder_permissions = permissions(edit=[team("sre")])
        """)
    real = folder_permission.FolderPermissionKind.prepare

    def prepare_then_someone_deletes_the_team(self, resource, ctx):
        checked = real(self, resource, ctx)
        grafana.admin.delete(f"{grafana.url}/api/teams/{sre}", timeout=5)
        return checked

    monkeypatch.setattr(folder_permission.FolderPermissionKind, "prepare", prepare_then_someone_deletes_the_team)
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 5, result.text
    assert "team 'sre'" in result.text
    assert own(grafana, "ops") == {"role Editor": "Edit", "role Viewer": "View", **CREATOR}  # as Grafana made it
    records = grafana.admin.get(f"{grafana.url}/api/v1/provisioning/templates", timeout=5).json()
    assert not [t for t in records if t["name"].startswith("dashkit.owner.folder_permission.")]


def test_a_folder_dashkit_did_not_create_is_left_alone_even_with_force(grafana, project, dashkit):
    reply = grafana.admin.post(f"{grafana.url}/api/folders", json={"title": "services"}, timeout=5)
    assert reply.status_code == 200
    project.dashboard("dashboards/services/api.py", "API")
    project.write("dashboards/services/access.py", ACCESS)
    before = own(grafana, "services")
    for extra in ((), ("--force",)):
        result = dashkit("sync", "--env", "local", "--yes", *extra)
        assert result.code == 5, result.text
        assert "! folder_permission services" in result.out
        assert "not made by this project" in result.out and "dashkit sets permissions only on folders it created" \
            in result.out
    assert own(grafana, "services") == before
    assert team_id(grafana, "checkout")  # the teams were created all the same


def test_another_projects_folder_is_left_alone(grafana, project, dashkit, tmp_path_factory):
    other = SecondProject(tmp_path_factory.mktemp("other"), grafana.url, owner="team-b")
    other.project.dashboard("dashboards/services/api.py", "API")
    assert other("sync", "--env", "local", "--yes").code == 0
    before = own(grafana, "services")
    project.dashboard("dashboards/services/mine.py", "Mine")
    project.write("dashboards/services/access.py", ACCESS)
    result = dashkit("sync", "--env", "local", "--yes", "--force")
    assert result.code == 5 and "! folder_permission services" in result.out, result.text
    assert own(grafana, "services") == before
    assert "No changes" in other("diff", "--env", "local").out


def test_a_folder_declared_alike_in_the_same_way_twice_is_fine_differently_an_error_naming_both(project, dashkit):
    project.dashboard("dashboards/services/api.py", "API")
    project.write("dashboards/services/access.py", ACCESS)
    project.write("dashboards/services/more.py", """\
        from dashkit.builders import permissions, team
        folder_permissions = permissions(admin=team("platform"), edit=[team("checkout"), "Editor"], view=["Viewer"])
        """)
    assert dashkit("build").code == 0
    project.write("dashboards/services/more.py", """\
        from dashkit.builders import permissions, team
        folder_permissions = permissions(admin=[team("platform")], edit=[team("checkout")])
        """)
    result = dashkit("build")
    assert result.code == 3, result.text
    assert "dashboards/services/more.py" in result.err and "dashboards/services/access.py" in result.err
    assert "folder 'services'" in result.err


def test_permissions_at_the_top_of_dashboards_are_an_error(project, dashkit):
    project.write("dashboards/access.py", """\
        from dashkit.builders import permissions
        folder_permissions = permissions(view=["Viewer"])
        """)
    result = dashkit("build")
    assert result.code == 3 and "dashboards/access.py" in result.err and "folder's directory" in result.err, \
        result.text


def test_build_writes_the_declared_set(project, dashkit):
    project.dashboard("dashboards/services/api.py", "API")
    project.write("dashboards/services/access.py", ACCESS)
    assert dashkit("build").code == 0, "build"
    built = json.loads((project.root / "build" / "folder-permissions" / "services.json").read_text())
    assert built == {"items": [{"role": "Editor", "permission": "Edit"}, {"role": "Viewer", "permission": "View"},
                               {"team": "checkout", "permission": "Edit"}, {"team": "platform", "permission": "Admin"}]}
    assert json.loads((project.root / "build" / "teams" / "checkout.json").read_text()) == {
        "name": "checkout", "email": "checkout@example.com"}


def test_declared_in_an_alerts_directory_it_is_the_same_folder(grafana, project, dashkit):
    project.dashboard("dashboards/services/api.py", "API")
    project.write("alerts/services/access.py", ACCESS)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert own(grafana, "services") == {**DECLARED, **CREATOR}


def test_prune_puts_back_grafanas_defaults_at_the_root(grafana, services, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    services.write("dashboards/services/access.py", """\
        from dashkit.builders import team
        teams = [team("checkout", email="checkout@example.com"), team("platform")]
        """)
    kept = dashkit("sync", "--env", "local", "--yes")
    assert kept.code == 0 and own(grafana, "services") == {**DECLARED, **CREATOR}, kept.text  # only with --prune
    diff = dashkit("diff", "--env", "local", "--prune")
    assert "- folder_permission services" in diff.out, diff.out
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0 and "- folder_permission services" in pruned.out, pruned.text
    assert own(grafana, "services") == {"role Editor": "Edit", "role Viewer": "View", **CREATOR}
    records = grafana.admin.get(f"{grafana.url}/api/v1/provisioning/templates", timeout=5).json()
    assert not [t for t in records if t["name"].startswith("dashkit.owner.folder_permission.")]
    again = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert "No changes" in again.out, again.out


def test_prune_of_a_nested_folder_leaves_only_what_it_inherits(grafana, project, dashkit):
    project.dashboard("dashboards/payments/api.py", "API")
    project.write("dashboards/payments/access.py", """\
        from dashkit.builders import permissions, team
        teams = [team("payments")]
        folder_permissions = permissions(view=["Viewer"], admin=[team("payments")])
        """)
    project.dashboard("dashboards/payments/ledger/book.py", "Book")
    project.write("dashboards/payments/ledger/access.py", """\
        from dashkit.builders import permissions
        folder_permissions = permissions(edit=["Viewer"])
        """)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert own(grafana, "ledger") == {"role Viewer": "Edit", **CREATOR}  # the parent's entries are inherited, not own
    grafana.reset_stats()
    assert "No changes" in dashkit("sync", "--env", "local", "--yes").out
    assert grafana.writes() == 0
    project.remove("dashboards/payments/ledger/access.py")
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0 and "- folder_permission payments/ledger" in pruned.out, pruned.text
    assert own(grafana, "ledger") == CREATOR
    assert own(grafana, "payments") == {"role Viewer": "View", "team payments": "Admin", **CREATOR}


def test_an_existing_folder_with_grafanas_defaults_gets_its_first_declaration_as_a_create(grafana, project, dashkit):
    project.dashboard("dashboards/services/api.py", "API")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    project.write("dashboards/services/access.py", ACCESS)
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0 and "+ folder_permission services" in result.out, result.text
    assert own(grafana, "services") == {**DECLARED, **CREATOR}


def test_saved_plan_applies_the_permissions(grafana, services, dashkit):
    plan = services.root / "plan.json"
    assert dashkit("diff", "--env", "local", "--out", str(plan)).code == 0
    applied = dashkit("sync", "--env", "local", "--yes", "--plan", str(plan))
    assert applied.code == 0, applied.text
    assert own(grafana, "services") == {**DECLARED, **CREATOR}


def test_restore_puts_back_the_permissions_a_sync_overwrote(grafana, services, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    platform = team_id(grafana, "platform")
    post_in_the_ui(grafana, "services", [{"teamId": platform, "permission": 1}, {"role": "Editor", "permission": 1}])
    in_the_ui = own(grafana, "services")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert own(grafana, "services") == DECLARED
    backup = next((services.root / ".dashkit" / "backups" / "local").iterdir())
    restored = dashkit("restore", str(backup), "--yes")
    assert restored.code == 0 and "~ folder_permission services" in restored.out, restored.text
    assert own(grafana, "services") == in_the_ui


def test_a_folder_renamed_in_the_ui_is_still_this_projects(grafana, services, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    uid = folder_uid(grafana, "services")
    renamed = grafana.admin.put(f"{grafana.url}/api/folders/{uid}", json={"title": "Renamed", "version": 1},
                                timeout=5)
    assert renamed.status_code == 200, renamed.text
    services.write("dashboards/services/access.py", ACCESS.replace('view=["Viewer"], ', ""))
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0 and "~ folder_permission services" in result.out, result.text
    assert own(grafana, "services") == {k: v for k, v in {**DECLARED, **CREATOR}.items() if k != "role Viewer"}
