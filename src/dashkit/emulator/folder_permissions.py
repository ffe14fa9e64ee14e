"""Legacy folder permission endpoints (grafana-api.md §15.3): `GET /api/folders/:uid/permissions` lists the managed
entries of the folder and its ancestors; `POST` replaces the folder's own list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashkit.emulator import permission_model, team_model
from dashkit.emulator.auth import Identity
from dashkit.emulator.binding import integer, object_list, optional_text
from dashkit.emulator.folders import find_folder
from dashkit.emulator.model import Folder
from dashkit.emulator.naming import avatar_url, avatar_url_with_default, folder_url, slugify
from dashkit.emulator.permission_model import BASIC_ROLES, LEVEL_NAMES, ROLE, TEAM, USER, Principal
from dashkit.emulator.replies import Reply, message_error, ok
from dashkit.emulator.routing import Request, RouteTable

routes = RouteTable()

READ, WRITE = "folders.permissions:read", "folders.permissions:write"  # Admin only: not granted to other roles


@dataclass(frozen=True)
class Grantee:
    """Who an entry names: a user (or service account), a team, or a basic role."""

    user: Identity | None = None
    team: dict[str, Any] | None = None
    role: str = ""


def grantee(req: Request, entry: dict[str, Any]) -> Grantee:
    key, value = permission_model.principal_of(entry)
    if key == USER:
        return Grantee(user=req.runtime.credentials.by_id(value))
    if key == TEAM:
        return Grantee(team=team_model.team_by_id(req.org, value))
    return Grantee(role=value)


def team_avatar(team: dict[str, Any]) -> str:
    return avatar_url_with_default(team["email"], team["name"])


def legacy_entry(req: Request, folder: Folder, entry: dict[str, Any]) -> dict[str, Any]:
    """One item of the legacy list: the asked folder's id, parent, uid, title and URL on every entry, `role` only on
    role entries, `inherited: false` even on an ancestor's entry."""
    who = grantee(req, entry)
    user, team = who.user, who.team
    key, value = permission_model.principal_of(entry)
    item: dict[str, Any] = {"folderId": folder.id}
    if folder.parent_uid:
        item["folderUid"] = folder.parent_uid
    item.update(
        created=entry["created"],
        updated=entry["updated"],
        userId=value if key == USER else 0,
        userUid=user.uid if user else "",
        userLogin=user.login if user else "",
        userEmail=user.email if user else "",
        userAvatarUrl=avatar_url(user.email) if user else "",
        teamId=value if key == TEAM else 0,
        teamUid=team["uid"] if team else "",
        teamEmail=team["email"] if team else "",
        teamAvatarUrl=team_avatar(team) if team else "",
        team=team["name"] if team else "",
    )
    if key == ROLE:
        item["role"] = value
    item.update(
        permission=entry["permission"],
        permissionName=LEVEL_NAMES[entry["permission"]],
        uid=folder.uid,
        title=folder.title,
        slug="",
        isFolder=True,
        url=folder_url(folder.uid, slugify(folder.title)),
        inherited=False,
    )
    return item


@routes.route("GET", "/api/folders/{uid}/permissions", needs=READ)
def get_folder_permissions(req: Request) -> Reply:
    folder = find_folder(req.org, req.params["uid"])
    entries = permission_model.entries_with_inherited(req.org, folder.uid)
    return ok([legacy_entry(req, folder, entry) for entry, _ in entries])


def _requested(req: Request) -> list[tuple[int, int, str | None, int]]:
    """(userId, teamId, role, permission) of each item, after `validatePermissionsUpdate` (400, +trace)."""
    items = []
    for item in object_list(req.json_object(), "items"):
        user_id, team_id = integer(item, "userId"), integer(item, "teamId")
        role, level = optional_text(item, "role"), integer(item, "permission")
        items.append((user_id, team_id, role, level))
    for user_id, team_id, role, _ in items:
        if user_id > 0 and team_id > 0:
            raise message_error(400, "permissions cannot have both a user and team", trace=True)
        if (user_id > 0 or team_id > 0) and role is not None:
            raise message_error(400, "team and user permissions cannot have an associated role", trace=True)
    return items


@routes.route("POST", "/api/folders/{uid}/permissions", needs=WRITE)
def update_folder_permissions(req: Request) -> Reply:
    """Replace the folder's own entries with `items`: listed principals get their level (one that is not 1, 2 or 4
    removes them), unlisted ones are removed. An unknown user or team, a role that is not a basic role, or an item
    naming none of them is 500 `Failed to create permission` (+trace) and changes nothing."""
    items = _requested(req)
    org = req.org
    folder = find_folder(org, req.params["uid"])
    failed = message_error(500, "Failed to create permission", trace=True)
    wanted: dict[Principal, int] = {}
    for user_id, team_id, role, level in items:
        if user_id > 0:
            if req.runtime.credentials.by_id(user_id) is None:
                raise failed
            wanted[(USER, user_id)] = level
        elif team_id > 0:
            if team_model.team_by_id(org, team_id) is None:
                raise failed
            wanted[(TEAM, team_id)] = level
        elif role in BASIC_ROLES:
            wanted[(ROLE, role)] = level
        else:
            raise failed
    store = req.runtime.store
    for entry in permission_model.own_entries(org, folder.uid):
        principal = permission_model.principal_of(entry)
        if principal not in wanted:
            permission_model.set_permission(store, org, folder.uid, principal, 0)
    for principal, level in wanted.items():
        permission_model.set_permission(store, org, folder.uid, principal, level)
    return ok({"message": "Folder permissions updated"})
