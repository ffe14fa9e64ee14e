"""Dashboard save / get / delete / versions / tags (grafana-api.md §4; §11 items 1-13)."""

from __future__ import annotations

import re

import requests


def test_missing_uid_is_generated_starting_with_a_letter(api) -> None:
    for dashboard in ({"title": "A"}, {"title": "B", "uid": None}, {"title": "C", "uid": ""}):
        response = api.save(dashboard)
        assert response.status_code == 200
        uid = response.json()["uid"]
        assert re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_-]{0,39}", uid)


def test_uid_and_title_validation(api) -> None:
    illegal = api.save({"title": "x", "uid": "bad uid!"})
    assert (illegal.status_code, illegal.json()) == (400, {"message": "uid contains illegal characters"})
    long = api.save({"title": "x", "uid": "a" * 41})
    assert (long.status_code, long.json()) == (400, {"message": "uid too long, max 40 characters"})
    empty = api.save({"title": "   "})
    assert empty.status_code == 400
    assert empty.json() == {"message": "Dashboard title cannot be empty", "status": "empty-name"}
    trimmed = api.save({"title": "  Padded  ", "uid": "padded"})
    assert trimmed.json()["slug"] == "padded"
    assert api.get("/api/dashboards/uid/padded").json()["dashboard"]["title"] == "Padded"


def test_every_save_bumps_the_version_even_without_changes(api) -> None:
    first = api.save({"title": "Same", "uid": "same"}).json()
    assert first["version"] == 1
    assert first["status"] == "success"
    assert first["url"] == "/d/same/same"
    assert first["folderUid"] == ""
    second = api.save({"title": "Same", "uid": "same", "version": 1}).json()
    third = api.save({"title": "Same", "uid": "same", "version": 2}).json()
    assert (second["version"], third["version"]) == (2, 3)
    assert second["id"] == first["id"]


def test_stale_or_missing_version_is_412_unless_overwrite(api) -> None:
    api.save({"title": "Locked", "uid": "locked"})
    api.save({"title": "Locked", "uid": "locked", "version": 1})
    for stale in ({"version": 1}, {}):
        response = api.save({"title": "Locked", "uid": "locked", **stale})
        assert response.status_code == 412
        assert response.json() == {
            "status": "version-mismatch",
            "message": "The dashboard has been changed by someone else",
        }
    forced = api.save({"title": "Locked", "uid": "locked", "version": 1}, overwrite=True)
    assert forced.status_code == 200 and forced.json()["version"] == 3


def test_version_is_ignored_for_a_new_dashboard_without_id_or_uid(api) -> None:
    response = api.save({"title": "Fresh", "version": 17})
    assert response.json()["version"] == 1


def test_main_profile_answers_409_for_a_stale_save(emulator_factory) -> None:
    emu = emulator_factory(grafana_version="main")
    headers = {"Authorization": "Bearer admin-token"}
    url = emu.url + "/api/dashboards/db"
    requests.post(url, json={"dashboard": {"title": "x", "uid": "x"}}, headers=headers, timeout=5)
    response = requests.post(url, json={"dashboard": {"title": "x", "uid": "x"}}, headers=headers, timeout=5)
    assert response.status_code == 409
    assert response.json()["message"] == "Dashboard already exists. Use overwrite flag to update."


def test_id_semantics(api) -> None:
    a = api.save({"title": "A", "uid": "a"}).json()
    api.save({"title": "B", "uid": "b"})
    unknown = api.save({"title": "A", "id": 9999})
    assert unknown.status_code == 404
    assert unknown.json() == {"status": "not-found", "message": "Dashboard not found"}
    clash = api.save({"title": "A", "id": a["id"], "uid": "b", "version": 1})
    assert clash.status_code == 400
    assert clash.json()["message"] == "A dashboard with the same uid already exists"
    by_id = api.save({"title": "A2", "id": a["id"], "version": 1})
    assert by_id.json()["uid"] == "a" and by_id.json()["version"] == 2


def test_folder_placement_and_moves(api) -> None:
    api.folder("Ops", "ops")
    placed = api.save({"title": "D", "uid": "d"}, folderUid="ops").json()
    assert placed["folderUid"] == "ops"
    meta = api.get("/api/dashboards/uid/d").json()["meta"]
    assert (meta["folderUid"], meta["folderTitle"], meta["folderUrl"]) == ("ops", "Ops", "/dashboards/f/ops/ops")
    api.save({"title": "D", "uid": "d", "version": 1})  # no folderUid: moved to the root
    meta = api.get("/api/dashboards/uid/d").json()["meta"]
    assert (meta["folderUid"], meta["folderTitle"], meta["folderUrl"], meta["folderId"]) == ("", "General", "", 0)
    missing = api.save({"title": "E"}, folderUid="nope")
    assert missing.status_code == 400
    assert missing.json()["message"] == "folder not found"


def test_stored_json_round_trips_with_injected_fields(api) -> None:
    dashboard = {
        "title": "Round trip",
        "uid": "rt",
        "schemaVersion": 16,
        "panels": [{"id": 1, "type": "graph"}],
        "custom": {"nested": [1, 2, {"x": None}]},
        "id": None,
    }
    api.save(dashboard)
    body = api.get("/api/dashboards/uid/rt").json()
    stored, meta = body["dashboard"], body["meta"]
    assert stored["schemaVersion"] == 16
    assert stored["panels"] == [{"id": 1, "type": "graph"}]
    assert stored["custom"] == {"nested": [1, 2, {"x": None}]}
    assert isinstance(stored["id"], int) and stored["uid"] == "rt" and stored["version"] == 1
    assert meta["version"] == stored["version"]
    assert meta["slug"] == "round-trip" and meta["url"] == "/d/rt/round-trip"
    assert meta["provisioned"] is False and meta["provisionedExternalId"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", meta["created"])
    assert meta["createdBy"] == meta["updatedBy"] == "sa-1-dashkit"


def test_get_unknown_dashboard_is_404(api) -> None:
    response = api.get("/api/dashboards/uid/missing")
    assert response.status_code == 404
    assert response.json()["message"] == "Dashboard not found"


def test_provisioned_dashboards_refuse_save_and_delete(api) -> None:
    control = requests.post(
        api.base + "/__emulator/provisioned", json={"dashboard": {"title": "Prov", "uid": "prov"}}, timeout=5
    )
    assert control.status_code == 200
    meta = api.get("/api/dashboards/uid/prov").json()["meta"]
    assert meta["provisioned"] is True and meta["provisionedExternalId"] == "prov.json"
    save = api.save({"title": "Prov", "uid": "prov", "version": 1})
    assert (save.status_code, save.json()) == (400, {"message": "Cannot save provisioned dashboard"})
    delete = api.delete("/api/dashboards/uid/prov")
    assert (delete.status_code, delete.json()) == (400, {"message": "provisioned dashboard cannot be deleted"})


def test_delete_answers_with_uid_on_11_6_and_versions_go_away(api) -> None:
    api.save({"title": "Doomed", "uid": "doomed"})
    response = api.delete("/api/dashboards/uid/doomed")
    assert response.status_code == 200
    assert response.json() == {"title": "Doomed", "message": "Dashboard Doomed deleted", "uid": "doomed"}
    assert api.get("/api/dashboards/uid/doomed").status_code == 404
    assert api.get("/api/dashboards/uid/doomed/versions").status_code == 404
    assert api.delete("/api/dashboards/uid/doomed").status_code == 404


def test_delete_answers_with_id_and_versions_are_an_array_on_10_x(emulator_factory) -> None:
    emu = emulator_factory(grafana_version="10.4.0")
    headers = {"Authorization": "Bearer admin-token"}
    saved = requests.post(
        emu.url + "/api/dashboards/db", json={"dashboard": {"title": "Old", "uid": "old"}}, headers=headers, timeout=5
    ).json()
    assert "folderUid" not in saved
    versions = requests.get(emu.url + "/api/dashboards/uid/old/versions", headers=headers, timeout=5).json()
    assert isinstance(versions, list) and versions[0]["version"] == 1
    deleted = requests.delete(emu.url + "/api/dashboards/uid/old", headers=headers, timeout=5).json()
    assert deleted == {"title": "Old", "message": "Dashboard Old deleted", "id": saved["id"]}


def test_version_history_newest_first_with_messages_and_retention(api) -> None:
    api.save({"title": "H", "uid": "h"}, message="first")
    for version in range(1, 25):
        api.save({"title": "H", "uid": "h", "version": version}, message=f"save {version + 1}")
    body = api.get("/api/dashboards/uid/h/versions").json()
    assert set(body) == {"continueToken", "versions"}
    versions = body["versions"]
    assert len(versions) == 20
    assert [v["version"] for v in versions] == list(range(25, 5, -1))
    assert versions[0]["message"] == "save 25"
    assert versions[0]["parentVersion"] == 24
    page = api.get("/api/dashboards/uid/h/versions", params={"limit": 5}).json()
    assert len(page["versions"]) == 5 and page["continueToken"]
    rest = api.get("/api/dashboards/uid/h/versions", params={"limit": 50, "continueToken": page["continueToken"]})
    assert [v["version"] for v in rest.json()["versions"]] == list(range(20, 5, -1))


def test_first_version_says_initial_save(api) -> None:
    api.save({"title": "I", "uid": "i"}, message="my message")
    assert api.get("/api/dashboards/uid/i/versions").json()["versions"][0]["message"] == "Initial save"


def test_single_version_and_restore(api) -> None:
    api.save({"title": "R", "uid": "r", "panels": [{"id": 1}]})
    api.save({"title": "R changed", "uid": "r", "version": 1, "panels": []}, message="changed")
    one = api.get("/api/dashboards/uid/r/versions/1").json()
    assert one["version"] == 1 and one["data"]["panels"] == [{"id": 1}]
    unknown = api.get("/api/dashboards/uid/r/versions/42")
    assert unknown.status_code == 500
    assert "Dashboard version 42 not found" in unknown.json()["message"]
    restored = api.post("/api/dashboards/uid/r/restore", json={"version": 1})
    assert restored.status_code == 200 and restored.json()["version"] == 3
    current = api.get("/api/dashboards/uid/r").json()["dashboard"]
    assert current["title"] == "R" and current["panels"] == [{"id": 1}] and current["version"] == 3
    newest = api.get("/api/dashboards/uid/r/versions").json()["versions"][0]
    assert newest["restoredFrom"] == 1 and newest["message"] == "Restored from version 1"


def test_viewer_may_not_list_versions(api, client_for) -> None:
    api.save({"title": "V", "uid": "v"})
    response = client_for("viewer-token").get("/api/dashboards/uid/v/versions")
    assert response.status_code == 403
    assert response.json()["message"].endswith("dashboards:write")


def test_tags_endpoint_counts_terms(api) -> None:
    api.save({"title": "T1", "tags": ["b", "a"]})
    api.save({"title": "T2", "tags": ["a"]})
    assert api.get("/api/dashboards/tags").json() == [{"term": "a", "count": 2}, {"term": "b", "count": 1}]


def test_content_limits(api) -> None:
    fast = api.save({"title": "Fast", "refresh": "1s"})
    assert (fast.status_code, fast.json()) == (400, {"message": "Dashboard refresh interval is too low"})
    assert api.save({"title": "Ok", "refresh": "5s"}).status_code == 200
    assert api.save({"title": "Off", "refresh": ""}).status_code == 200
    tag = api.save({"title": "Tag", "tags": ["x" * 51]})
    assert tag.status_code == 400 and tag.json()["status"] == "tag-too-long"
    message = api.save({"title": "Msg"}, message="m" * 501)
    assert message.status_code == 400
    assert message.json()["message"] == "message too long, max 500 characters"


def test_folders_and_dashboards_share_one_uid_space(api) -> None:
    api.folder("Shared", "shared")
    response = api.save({"title": "Clash", "uid": "shared"})
    assert (response.status_code, response.json()["message"]) == (400, "Dashboard cannot be changed to a folder")
    api.save({"title": "Dash", "uid": "dash"})
    folder = api.post("/api/folders", json={"title": "Clash", "uid": "dash"})
    assert (folder.status_code, folder.json()["message"]) == (400, "Dashboard cannot be changed to a folder")
    assert api.delete("/api/dashboards/uid/shared").json()["message"] == "Use folders endpoint for deleting folders."


def test_duplicate_titles_allowed_from_11_3(api) -> None:
    assert api.save({"title": "Twin", "uid": "twin1"}).status_code == 200
    assert api.save({"title": "Twin", "uid": "twin2"}).status_code == 200


def test_title_uniqueness_and_takeover_before_11_3(emulator_factory) -> None:
    emu = emulator_factory(grafana_version="11.2.0")
    session = requests.Session()
    session.headers["Authorization"] = "Bearer admin-token"
    url = emu.url + "/api/dashboards/db"
    first = session.post(url, json={"dashboard": {"title": "Twin", "uid": "twin1"}}, timeout=5).json()
    clash = session.post(url, json={"dashboard": {"title": "twin", "uid": "twin2"}}, timeout=5)
    assert clash.status_code == 412
    assert clash.json() == {
        "message": "A dashboard with the same name in the folder already exists",
        "status": "name-exists",
    }
    took_over = session.post(url, json={"dashboard": {"title": "twin", "uid": "twin2"}, "overwrite": True}, timeout=5)
    assert took_over.json()["uid"] == "twin1" and took_over.json()["id"] == first["id"]
    assert took_over.json()["version"] == 2
