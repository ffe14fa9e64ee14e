"""Folders through `folder.grafana.app` on 12 and 13, and the same folders through `/api/folders` and `/api/search`
(grafana-api.md §14.7)."""

from __future__ import annotations

from .apis_helpers import (
    FOLDERS,
    classic_version,
    create_dashboard,
    create_folder,
    dashboard_body,
    dashboards,
    folder_body,
    folder_version,
    folders,
    status_of,
    with_metadata,
)


def test_a_created_folder_is_seen_through_apis_api_folders_and_search(platform) -> None:
    version = folder_version(platform.major)
    create_folder(platform, folder_body("shop", "Shop"))
    created = create_folder(platform, folder_body("payments", "  Payments  ", parent="shop"))
    meta = created["metadata"]
    assert (created["kind"], created["apiVersion"]) == ("Folder", f"{FOLDERS}/{version}")
    assert created["spec"] == {"title": "Payments"} and created["status"] == {}
    assert meta["annotations"] == {"grafana.app/createdBy": "service-account:sa0001", "grafana.app/folder": "shop"}
    assert meta["generation"] == 1 and meta["resourceVersion"].isdigit()

    legacy = platform.get("/api/folders/payments").json()
    assert (legacy["title"], legacy["parentUid"], legacy["version"]) == ("Payments", "shop", 1)
    assert meta["labels"] == {"grafana.app/deprecatedInternalID": str(legacy["id"])}
    assert [p["uid"] for p in legacy["parents"]] == ["shop"]
    hits = platform.get("/api/search", params={"type": "dash-folder", "folderUIDs": "shop"}).json()
    assert [(h["uid"], h["folderUid"]) for h in hits] == [("payments", "shop")]
    assert platform.get(folders(version, "payments")).json() == created
    listed = platform.get(folders(version)).json()
    assert listed["kind"] == "FolderList" and [i["metadata"]["name"] for i in listed["items"]] == ["payments", "shop"]


def test_legacy_folders_appear_as_objects(platform) -> None:
    platform.folder("Legacy", uid="legacy")
    item = platform.get(folders(folder_version(platform.major), "legacy")).json()
    assert item["spec"] == {"title": "Legacy"} and "grafana.app/folder" not in item["metadata"]["annotations"]


def test_create_validation(platform) -> None:
    version = folder_version(platform.major)
    create_folder(platform, folder_body("taken", "Taken"))
    cases = [
        (folder_body("taken", "Again"), (409, "AlreadyExists", 'folders.folder.grafana.app "taken" already exists')),
        (folder_body("general", "Reserved"), (400, "BadRequest", "invalid uid for folder provided")),
        (folder_body("sharedwithme", "Reserved"), (400, "BadRequest", "invalid uid for folder provided")),
        (folder_body("bad uid", "Bad"), (400, "BadRequest", "uid contains illegal characters")),
        (folder_body("x" * 41, "Long"), (400, "BadRequest", "uid too long, max 40 characters")),
        (folder_body("blank", "   "), (400, "BadRequest", "folder title cannot be empty")),
        (folder_body("gen", "general"), (400, "BadRequest", "A folder with that name already exists")),
        (folder_body("self", "Self", parent="self"), (400, "BadRequest", "Circular reference detected")),
        (folder_body("orphan", "Orphan", parent="nowhere"), (404, "NotFound",
                                                             'folders.folder.grafana.app "nowhere" not found')),
    ]
    for body, expected in cases:
        assert status_of(platform.post(folders(version), json=body)) == expected, body
    assert create_folder(platform, folder_body("twin", "Taken"))["spec"]["title"] == "Taken"  # titles may repeat


def test_the_chain_holds_at_most_five_folders(platform) -> None:
    parent = ""
    for level in range(1, 6):
        create_folder(platform, folder_body(f"level{level}", f"Level {level}", parent=parent))
        parent = f"level{level}"
    too_deep = platform.post(folders(folder_version(platform.major)), json=folder_body("level6", "L6", parent=parent))
    assert status_of(too_deep) == (400, "BadRequest", "Maximum nested folder depth reached")
    assert too_deep.json()["details"] == {"uid": "folder.maximum-depth-reached"}


def test_update_renames_and_moves_with_cycle_and_depth_checks(platform) -> None:
    version = folder_version(platform.major)
    for name, parent in (("a", ""), ("b", "a"), ("c", "b"), ("x", ""), ("y", "x"), ("z", "y")):
        create_folder(platform, folder_body(name, name.upper(), parent=parent))
    a = platform.get(folders(version, "a")).json()

    cycle = with_metadata(a, annotations={"grafana.app/folder": "c"})
    response = platform.put(folders(version, "a"), json=cycle)
    assert status_of(response) == (400, "BadRequest", "Circular reference detected")
    assert response.json()["details"]["uid"] == "folder.circular-reference"
    deep = with_metadata(a, annotations={"grafana.app/folder": "z"})
    assert status_of(platform.put(folders(version, "a"), json=deep))[2] == "Maximum nested folder depth reached"

    relabel = platform.put(folders(version, "a"), json=with_metadata(a, labels={"k": "v"}))
    assert relabel.json()["metadata"]["generation"] == 1
    stale = platform.put(folders(version, "a"), json={**a, "spec": {"title": "Stale"}})
    assert status_of(stale)[:2] == (409, "Conflict")

    c = platform.get(folders(version, "c")).json()
    moved = {**with_metadata(c, annotations={"grafana.app/folder": "x"}),
             "spec": {"title": "C moved", "description": "now under X"}}
    body = platform.put(folders(version, "c"), json=moved).json()
    assert body["metadata"]["generation"] == 2
    assert body["metadata"]["annotations"]["grafana.app/updatedBy"] == "service-account:sa0001"
    legacy = platform.get("/api/folders/c").json()
    assert (legacy["title"], legacy["parentUid"], legacy["version"]) == ("C moved", "x", 2)
    to_root = with_metadata(body, annotations={})
    assert platform.put(folders(version, "c"), json=to_root).status_code == 200
    assert "parentUid" not in platform.get("/api/folders/c").json()


def test_delete_refuses_a_non_empty_folder_while_the_legacy_delete_cascades(platform) -> None:
    version = folder_version(platform.major)
    create_folder(platform, folder_body("full", "Full"))
    create_folder(platform, folder_body("child", "Child", parent="full"))
    create_dashboard(platform, classic_version(platform.major), dashboard_body("inside", folder="child"))
    for name in ("full", "child"):
        response = platform.delete(folders(version, name))
        assert status_of(response) == (400, "BadRequest", "Folder cannot be deleted: folder is not empty")
        assert response.json()["details"] == {"uid": "folder.not-empty"}
    assert platform.delete(folders(version, "child") + "?dryRun=All").status_code == 400

    create_folder(platform, folder_body("empty", "Empty"))
    assert platform.delete(folders(version, "empty") + "?dryRun=All").status_code == 200
    assert platform.get(folders(version, "empty")).status_code == 200
    deleted = platform.delete(folders(version, "empty"))
    assert deleted.status_code == 200 and deleted.json()["metadata"]["name"] == "empty"
    assert status_of(platform.get(folders(version, "empty")))[0] == 404

    assert platform.delete("/api/folders/full").status_code == 200
    assert platform.get(folders(version, "child")).status_code == 404
    assert platform.get(dashboards(classic_version(platform.major), "inside")).status_code == 404


def test_dashboards_need_an_existing_folder(platform) -> None:
    response = platform.post(dashboards(classic_version(platform.major)), json=dashboard_body("d", folder="missing"))
    assert status_of(response) == (404, "NotFound", 'folders.folder.grafana.app "missing" not found')


def test_folders_page_like_dashboards(platform) -> None:
    version = folder_version(platform.major)
    for index in range(7):
        platform.folder(f"F{index}", uid=f"f{index}")
    seen, token = [], ""
    while True:
        body = platform.get(folders(version), params={"limit": 3, "continue": token}).json()
        seen += [item["metadata"]["name"] for item in body["items"]]
        token = body["metadata"].get("continue", "")
        if not token:
            break
    assert seen == [f"f{index}" for index in range(7)]
