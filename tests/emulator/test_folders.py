"""Folders with nested folders on (grafana-api.md §6; §11 items 15-18)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashkit.emulator.hooks import FOLDER_CONTENTS, register_folder_contents
from dashkit.emulator.store import OrgState


def test_create_answers_200_with_version_1(api) -> None:
    response = api.post("/api/folders", json={"title": "Ops", "uid": "ops"})
    assert response.status_code == 200
    body = response.json()
    assert (body["uid"], body["title"], body["version"], body["url"]) == ("ops", "Ops", 1, "/dashboards/f/ops/ops")
    assert "parentUid" not in body and "parents" not in body
    generated = api.post("/api/folders", json={"title": "Auto"}).json()
    assert generated["uid"][0].isalpha()


def test_create_refusals(api) -> None:
    api.folder("Ops", "ops")
    again = api.post("/api/folders", json={"title": "Other", "uid": "ops"})
    assert again.status_code == 412
    assert again.json() == {"status": "version-mismatch", "message": "the folder has been changed by someone else"}
    empty = api.post("/api/folders", json={"title": " "})
    assert (empty.status_code, empty.json()["message"]) == (400, "folder title cannot be empty")
    general = api.post("/api/folders", json={"title": "general"})
    assert (general.status_code, general.json()["message"]) == (400, "A folder with that name already exists")
    orphan = api.post("/api/folders", json={"title": "Orphan", "parentUid": "nope"})
    assert orphan.status_code == 404


def test_nested_folders_carry_parent_uid_and_parents_root_first(api) -> None:
    api.folder("A", "a")
    api.folder("B", "b", parent="a")
    c = api.folder("C", "c", parent="b")
    assert c["parentUid"] == "b"
    assert [p["uid"] for p in c["parents"]] == ["a", "b"]
    assert [p["uid"] for p in api.get("/api/folders/c").json()["parents"]] == ["a", "b"]


def test_depth_limit(api) -> None:
    parent = None
    for level in range(5):
        parent = api.folder(f"L{level}", f"l{level}", parent=parent)["uid"]
    response = api.post("/api/folders", json={"title": "Too deep", "parentUid": parent})
    assert response.status_code == 400
    assert response.json()["messageId"] == "folder.maximum-depth-reached"
    assert response.json()["message"] == "Maximum nested folder depth reached"


def test_get_unknown_folder_is_404_not_found(api) -> None:
    response = api.get("/api/folders/missing")
    assert response.status_code == 404
    assert response.json() == {"status": "not-found", "message": "folder not found"}


def test_update_needs_the_current_version_or_overwrite(api) -> None:
    api.folder("Ops", "ops")
    stale = api.put("/api/folders/ops", json={"title": "Ops 2", "version": 7})
    assert stale.status_code == 412 and stale.json()["status"] == "version-mismatch"
    missing = api.put("/api/folders/ops", json={"title": "Ops 2"})
    assert missing.status_code == 412
    updated = api.put("/api/folders/ops", json={"title": "Ops 2", "version": 1})
    assert updated.status_code == 200 and updated.json()["version"] == 2 and updated.json()["title"] == "Ops 2"
    forced = api.put("/api/folders/ops", json={"title": "Ops 3", "overwrite": True})
    assert forced.json()["version"] == 3
    assert api.put("/api/folders/none", json={"title": "x", "overwrite": True}).status_code == 404


def test_update_ignores_parent_uid_and_move_moves(api) -> None:
    api.folder("A", "a")
    api.folder("B", "b")
    kept = api.put("/api/folders/b", json={"title": "B", "version": 1, "parentUid": "a"}).json()
    assert "parentUid" not in kept
    moved = api.post("/api/folders/b/move", json={"parentUid": "a"})
    assert moved.status_code == 200 and moved.json()["parentUid"] == "a"
    back = api.post("/api/folders/b/move", json={"parentUid": ""}).json()
    assert "parentUid" not in back


def test_move_into_own_subtree_is_a_circular_reference(api) -> None:
    api.folder("A", "a")
    api.folder("B", "b", parent="a")
    for target in ("a", "b"):
        response = api.post("/api/folders/a/move", json={"parentUid": target})
        assert response.status_code == 400
        assert response.json()["messageId"] == "folder.circular-reference"


def test_list_shows_one_level_with_paging(api) -> None:
    api.folder("Beta", "beta")
    api.folder("alpha", "alpha")
    api.folder("Child", "child", parent="beta")
    assert api.get("/api/folders").json() == [
        {"id": api.get("/api/folders/alpha").json()["id"], "uid": "alpha", "title": "alpha"},
        {"id": api.get("/api/folders/beta").json()["id"], "uid": "beta", "title": "Beta"},
    ]
    children = api.get("/api/folders", params={"parentUid": "beta"}).json()
    assert [(c["uid"], c["parentUid"]) for c in children] == [("child", "beta")]
    assert [f["uid"] for f in api.get("/api/folders", params={"limit": 1, "page": 2}).json()] == ["beta"]


def test_delete_cascades_to_subfolders_and_dashboards(api) -> None:
    api.folder("Top", "top")
    api.folder("Sub", "sub", parent="top")
    api.folder("Other", "other")
    api.save({"title": "In top", "uid": "in-top"}, folderUid="top")
    api.save({"title": "In sub", "uid": "in-sub"}, folderUid="sub")
    api.save({"title": "Elsewhere", "uid": "elsewhere"}, folderUid="other")
    response = api.delete("/api/folders/top")
    assert response.status_code == 200 and response.json() == {"message": "Folder deleted"}
    for gone in ("/api/folders/top", "/api/folders/sub"):
        assert api.get(gone).status_code == 404
    for gone in ("in-top", "in-sub"):
        assert api.get(f"/api/dashboards/uid/{gone}").status_code == 404
    assert api.get("/api/dashboards/uid/elsewhere").status_code == 200
    assert api.delete("/api/folders/top").status_code == 404


class FakeRules:
    """Stands in for the future alerting module: one rule in every folder named in `holders`."""

    def __init__(self) -> None:
        self.holders = {"guarded"}
        self.deleted: list[set[str]] = []

    def count(self, org: OrgState, folder_uids: set[str]) -> int:
        return len(self.holders & folder_uids)

    def delete(self, org: OrgState, folder_uids: set[str]) -> None:
        self.deleted.append(set(folder_uids))
        self.holders -= folder_uids


@pytest.fixture
def fake_rules() -> Iterator[FakeRules]:
    rules = FakeRules()
    register_folder_contents(rules)
    yield rules
    FOLDER_CONTENTS.remove(rules)


def test_folder_holding_alert_rules_needs_force_delete_rules(api, fake_rules: FakeRules) -> None:
    api.folder("Parent", "parent")
    api.folder("Guarded", "guarded", parent="parent")
    refused = api.delete("/api/folders/parent")
    assert refused.status_code == 400
    assert refused.json()["messageId"] == "folder.not-empty"
    assert api.get("/api/folders/guarded").status_code == 200
    forced = api.delete("/api/folders/parent", params={"forceDeleteRules": "true"})
    assert forced.status_code == 200
    assert fake_rules.deleted == [{"parent", "guarded"}]
