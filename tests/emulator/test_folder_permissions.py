"""Folder permissions on 11, 12 and 13: the defaults a new folder gets, the legacy `/api/folders/:uid/permissions`
routes and the RBAC `/api/access-control/folders` routes (grafana-api.md §15.3)."""

from __future__ import annotations

import hashlib
from typing import Any

from .apis_helpers import create_folder, folder_body, folder_version, folders

LEGACY_FIELDS = [
    "folderId",
    "folderUid",
    "created",
    "updated",
    "userId",
    "userUid",
    "userLogin",
    "userEmail",
    "userAvatarUrl",
    "teamId",
    "teamUid",
    "teamEmail",
    "teamAvatarUrl",
    "team",
    "role",
    "permission",
    "permissionName",
    "uid",
    "title",
    "slug",
    "isFolder",
    "url",
    "inherited",
]
ACCESS = "/api/access-control/folders"


def avatar(text: str) -> str:
    return "/avatar/" + hashlib.md5(text.lower().encode()).hexdigest()


def legacy(api, uid: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/folders/{uid}/permissions")
    assert response.status_code == 200, response.text
    return response.json()


def summary(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(user login or team name or role, permissionName) of each legacy entry."""
    return [(e["userLogin"] or e["team"] or e.get("role"), e["permissionName"]) for e in entries]


def rbac(api, uid: str) -> list[dict[str, Any]]:
    response = api.get(f"{ACCESS}/{uid}")
    assert response.status_code == 200, response.text
    return response.json()


def team(api, name: str) -> dict[str, Any]:
    response = api.post("/api/teams", json={"name": name, "email": f"{name.lower()}@example.com"})
    assert response.status_code == 200, response.text
    return response.json()


def error(response) -> tuple[int, dict[str, Any]]:
    return response.status_code, response.json()


def test_a_root_folder_gives_its_creator_admin_editors_edit_and_viewers_view(versioned) -> None:
    folder = versioned.folder("Ops", "ops")
    entries = legacy(versioned, "ops")
    assert summary(entries) == [("sa-1-dashkit", "Admin"), ("Editor", "Edit"), ("Viewer", "View")]
    creator, editors = entries[0], entries[1]
    expected_user_keys = [key for key in LEGACY_FIELDS if key not in ("folderUid", "role")]
    assert list(creator) == expected_user_keys
    assert creator == {
        "folderId": folder["id"],
        "created": creator["created"],
        "updated": creator["updated"],
        "userId": 1001,
        "userUid": "sa0001",
        "userLogin": "sa-1-dashkit",
        "userEmail": "sa-1-dashkit",
        "userAvatarUrl": avatar("sa-1-dashkit"),
        "teamId": 0,
        "teamUid": "",
        "teamEmail": "",
        "teamAvatarUrl": "",
        "team": "",
        "permission": 4,
        "permissionName": "Admin",
        "uid": "ops",
        "title": "Ops",
        "slug": "",
        "isFolder": True,
        "url": "/dashboards/f/ops/ops",
        "inherited": False,
    }
    assert (editors["role"], editors["permission"], editors["userId"], editors["userAvatarUrl"]) == ("Editor", 2, 0, "")


def test_a_user_creator_and_a_nested_folder(versioned) -> None:
    admin_user = versioned.other(auth=("admin", "admin"))
    admin_user.folder("Ops", "ops")
    nested = admin_user.folder("Team", "team", parent="ops")
    own_and_inherited = legacy(versioned, "team")
    assert summary(own_and_inherited) == [
        ("admin", "Admin"),
        ("Editor", "Edit"),
        ("Viewer", "View"),
        ("admin", "Admin"),
    ]
    assert {(e["folderId"], e["folderUid"], e["uid"], e["inherited"]) for e in own_and_inherited} == {
        (nested["id"], "ops", "team", False)
    }
    user = own_and_inherited[0]
    assert (user["userId"], user["userUid"], user["userEmail"]) == (1, "u0001", "admin@localhost")
    assert user["userAvatarUrl"] == avatar("admin@localhost")
    assert [(e["isInherited"], e.get("userLogin") or e.get("builtInRole")) for e in rbac(versioned, "team")] == [
        (True, "admin"),
        (True, "Editor"),
        (True, "Viewer"),
        (False, "admin"),
        (False, "Admin"),
    ]


def test_missing_folder_is_404(versioned) -> None:
    not_found = (404, {"message": "folder not found", "status": "not-found"})
    assert error(versioned.get("/api/folders/nope/permissions")) == not_found
    assert error(versioned.post("/api/folders/nope/permissions", json={"items": []})) == not_found


def test_post_replaces_the_whole_list(versioned) -> None:
    versioned.folder("Ops", "ops")
    sre = team(versioned, "SRE")
    items = [
        {"userId": 1, "permission": 2},
        {"teamId": sre["teamId"], "permission": 4},
        {"role": "Viewer", "permission": 1},
    ]
    response = versioned.post("/api/folders/ops/permissions", json={"items": items})
    assert response.status_code == 200 and response.json() == {"message": "Folder permissions updated"}
    entries = legacy(versioned, "ops")
    assert summary(entries) == [("Viewer", "View"), ("admin", "Edit"), ("SRE", "Admin")]
    team_entry = entries[2]
    assert (team_entry["teamId"], team_entry["teamUid"], team_entry["teamEmail"]) == (
        sre["teamId"],
        sre["uid"],
        "sre@example.com",
    )
    assert team_entry["teamAvatarUrl"] == avatar("sre@example.com") and "role" not in team_entry
    again = [{"role": "Viewer", "permission": 3}, {"userId": 1, "permission": 4}]
    assert versioned.post("/api/folders/ops/permissions", json={"items": again}).status_code == 200
    assert summary(legacy(versioned, "ops")) == [("admin", "Admin")]  # permission 3 removes, unlisted are removed
    assert versioned.post("/api/folders/ops/permissions", json={}).status_code == 200
    assert legacy(versioned, "ops") == []


def test_post_refusals(versioned) -> None:
    versioned.folder("Ops", "ops")
    before = legacy(versioned, "ops")
    both = {"message": "permissions cannot have both a user and team", "traceID": ""}
    with_role = {"message": "team and user permissions cannot have an associated role", "traceID": ""}
    failed = {"message": "Failed to create permission", "traceID": ""}
    cases = [
        ([{"userId": 1, "teamId": 1, "permission": 1}], (400, both)),
        ([{"userId": 1, "role": "Editor", "permission": 1}], (400, with_role)),
        ([{"teamId": 1, "role": "Editor", "permission": 1}], (400, with_role)),
        ([{"role": "Viewer", "permission": 1}, {"userId": 999, "permission": 1}], (500, failed)),
        ([{"teamId": 999, "permission": 1}], (500, failed)),
        ([{"permission": 1}], (500, failed)),
        ([{"role": "Superuser", "permission": 1}], (500, failed)),
        ([{"userId": "1", "permission": 1}], (400, {"message": "bad request data"})),
    ]
    for items, expected in cases:
        assert error(versioned.post("/api/folders/ops/permissions", json={"items": items})) == expected, items
    assert legacy(versioned, "ops") == before
    response = versioned.post("/api/folders/nope/permissions", json={"items": [{"userId": 1, "teamId": 1}]})
    assert error(response) == (400, both)  # validated before the folder is looked up


def test_permissions_need_admin(versioned) -> None:
    versioned.folder("Ops", "ops")
    editor = versioned.other("editor-token")
    response = editor.get("/api/folders/ops/permissions")
    assert response.status_code == 403 and response.json()["message"].endswith("folders.permissions:read")
    assert editor.post(f"{ACCESS}/ops/builtInRoles/Viewer", json={"permission": "Edit"}).status_code == 403


def test_a_deleted_folder_takes_its_permissions_along(versioned) -> None:
    versioned.folder("Ops", "ops")
    versioned.post("/api/folders/ops/permissions", json={"items": [{"userId": 1, "permission": 1}]})
    assert versioned.delete("/api/folders/ops").status_code == 200
    versioned.folder("Ops again", "ops")
    assert summary(legacy(versioned, "ops")) == [("sa-1-dashkit", "Admin"), ("Editor", "Edit"), ("Viewer", "View")]


def test_access_control_lists_managed_entries_and_admin(versioned) -> None:
    versioned.folder("Ops", "ops")
    entries = rbac(versioned, "ops")
    assert [e["roleName"] for e in entries] == [
        "managed:users:1001:permissions",
        "managed:builtins:editor:permissions",
        "managed:builtins:viewer:permissions",
        "",
    ]
    creator, editors, viewers, admin = entries
    assert list(creator) == [
        "id",
        "roleName",
        "isManaged",
        "isInherited",
        "isServiceAccount",
        "userId",
        "userUid",
        "userLogin",
        "userAvatarUrl",
        "actions",
        "permission",
    ]
    assert (creator["isServiceAccount"], creator["userId"], creator["userUid"], creator["permission"]) == (
        True,
        1001,
        "sa0001",
        "Admin",
    )
    assert (editors["builtInRole"], editors["permission"], editors["isManaged"]) == ("Editor", "Edit", True)
    assert admin == {
        "id": 0,
        "roleName": "",
        "isManaged": False,
        "isInherited": False,
        "isServiceAccount": False,
        "builtInRole": "Admin",
        "actions": creator["actions"],
        "permission": "Admin",
    }
    view, edit, full = set(viewers["actions"]), set(editors["actions"]), set(creator["actions"])
    assert {"dashboards:read", "folders:read", "alert.rules:read", "library.panels:read", "alert.silences:read"} <= view
    assert view < edit < full and {"folders:write", "dashboards:create", "library.panels:write"} <= edit
    assert {"folders.permissions:read", "folders.permissions:write", "dashboards.permissions:write"} <= full - edit


def test_access_control_sets_one_principal(versioned) -> None:
    versioned.folder("Ops", "ops")
    sre = team(versioned, "SRE")
    path = f"{ACCESS}/ops"
    updated = {"message": "Permission updated"}
    assert versioned.post(f"{path}/users/1", json={"permission": "View"}).json() == updated
    assert versioned.post(f"{path}/users/u0002", json={"permission": "Edit"}).json() == updated  # a uid: viewer
    assert versioned.post(f"{path}/teams/{sre['uid']}", json={"permission": "Admin"}).json() == updated
    assert versioned.post(f"{path}/builtInRoles/Viewer", json={"permission": "Edit"}).json() == updated
    assert versioned.post(f"{path}/builtInRoles/Editor", json={"permission": ""}).json() == {
        "message": "Permission removed"
    }
    listed = rbac(versioned, "ops")
    named = {(e.get("userLogin") or e.get("team") or e.get("builtInRole")): e["permission"] for e in listed[:-1]}
    assert named == {"sa-1-dashkit": "Admin", "Viewer": "Edit", "admin": "View", "viewer": "Edit", "SRE": "Admin"}
    sre_entry = next(e for e in listed if e.get("team") == "SRE")
    assert sre_entry["roleName"] == f"managed:teams:{sre['teamId']}:permissions"
    assert (sre_entry["teamId"], sre_entry["teamUid"], sre_entry["isServiceAccount"]) == (
        sre["teamId"],
        sre["uid"],
        False,
    )
    assert sre_entry["teamAvatarUrl"] == avatar("sre@example.com") and "userId" not in sre_entry


def test_access_control_refusals(versioned) -> None:
    versioned.folder("Ops", "ops")
    path = f"{ACCESS}/ops"
    invalid = versioned.post(f"{path}/users/1", json={"permission": "Owner"})
    assert error(invalid) == (
        400,
        {
            "message": "Permission [Owner] is invalid for this resource type",
            "messageId": "resourcePermissions.invalidPermission",
            "statusCode": 400,
            "traceID": "",
        },
    )
    assert error(versioned.post(f"{path}/users/nobody", json={"permission": "View"})) == (404, {"message": "Not found"})
    assert error(versioned.post(f"{path}/teams/noteam", json={"permission": "View"})) == (404, {"message": "Not found"})
    huge = versioned.post(f"{path}/users/99999999999999999999", json={"permission": "View"})
    assert error(huge) == (
        400,
        {
            "message": "Param [userID] is invalid",
            "messageId": "resourcePermissions.invalidParam",
            "statusCode": 400,
            "traceID": "",
        },
    )
    unexpected = (500, {"message": "Internal Server Error", "traceID": ""})
    assert error(versioned.post(f"{path}/users/999", json={"permission": "View"})) == unexpected
    assert error(versioned.post(f"{path}/teams/999", json={"permission": "View"})) == unexpected
    assert error(versioned.post(f"{path}/builtInRoles/Owner", json={"permission": "View"})) == unexpected
    assert error(versioned.post(f"{path}/users/1", json={"permission": 1})) == (400, {"message": "bad request data"})
    reason = "NotFound" if versioned.major >= 12 else "Not found"
    missing = {"message": reason, "messageId": "folder.notFound", "statusCode": 404, "traceID": ""}
    assert error(versioned.get(f"{ACCESS}/nope")) == (404, missing)
    assert error(versioned.post(f"{ACCESS}/nope/users/1", json={"permission": "View"})) == (404, missing)
    assert error(versioned.post(f"{ACCESS}/nope", json={"permissions": []})) == (404, missing)


def test_access_control_sets_several_without_replacing(versioned) -> None:
    versioned.folder("Ops", "ops")
    before = rbac(versioned, "ops")
    body = {"permissions": [{"userId": 1, "permission": "Edit"}, {"builtInRole": "Editor", "permission": ""}]}
    assert versioned.post(f"{ACCESS}/ops", json=body).json() == {"message": "Permissions updated"}
    after = {(e.get("userLogin") or e.get("builtInRole")): e["permission"] for e in rbac(versioned, "ops")[:-1]}
    assert after == {"sa-1-dashkit": "Admin", "Viewer": "View", "admin": "Edit"}
    for permissions in ([{"userId": 999, "permission": "View"}], [{"permission": "View"}]):
        response = versioned.post(f"{ACCESS}/ops", json={"permissions": permissions})
        assert error(response) == (500, {"message": "Internal Server Error", "traceID": ""})
    response = versioned.post(f"{ACCESS}/ops", json={"permissions": [{"userId": 2, "permission": "Boss"}]})
    assert response.status_code == 400 and response.json()["messageId"] == "resourcePermissions.invalidPermission"
    assert len(rbac(versioned, "ops")) == len(before)


def test_access_control_description(versioned) -> None:
    assert versioned.get(f"{ACCESS}/description").json() == {
        "assignments": {"users": True, "serviceAccounts": True, "teams": True, "builtInRoles": True},
        "permissions": ["View", "Edit", "Admin"],
    }


def test_apis_folders_get_the_same_defaults(platform) -> None:
    create_folder(platform, folder_body("ops", "Ops"))
    create_folder(platform, folder_body("team", "Team", parent="ops"))
    assert summary(legacy(platform, "ops")) == [("sa-1-dashkit", "Admin"), ("Editor", "Edit"), ("Viewer", "View")]
    assert [e["isInherited"] for e in rbac(platform, "team")] == [True, True, True, False, False]
    dry = platform.post(folders(folder_version(platform.major)), params={"dryRun": "All"}, json=folder_body("dry", "D"))
    assert dry.status_code == 201 and platform.get("/api/folders/dry/permissions").status_code == 404
