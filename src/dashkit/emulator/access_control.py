"""The RBAC resource-permission endpoints for folders (grafana-api.md §15.3, `[rp-api]`): list with inherited entries,
set one user's, team's or basic role's level, set several, and the description of what can be assigned."""

from __future__ import annotations

from typing import Any

from dashkit.emulator import permission_model, team_model
from dashkit.emulator.binding import integer, object_list, text
from dashkit.emulator.folder_permissions import READ, WRITE, grantee, team_avatar
from dashkit.emulator.model import Folder
from dashkit.emulator.naming import avatar_url
from dashkit.emulator.permission_model import (
    ACTIONS,
    ADMIN,
    BASIC_ROLES,
    LEVEL_NAMES,
    LEVELS_BY_NAME,
    ROLE,
    TEAM,
    USER,
    Principal,
)
from dashkit.emulator.replies import ApiError, Reply, errutil_error, message_error, ok, status_reason
from dashkit.emulator.routing import Request, RouteTable

routes = RouteTable()

API = "/api/access-control/folders"
_MAX_INT64 = 2**63 - 1


def _role_name(principal: Principal) -> str:
    key, value = principal
    if key == USER:
        return f"managed:users:{value}:permissions"
    if key == TEAM:
        return f"managed:teams:{value}:permissions"
    return f"managed:builtins:{str(value).lower()}:permissions"


_OMIT_EMPTY = frozenset(
    ("userId", "userUid", "userLogin", "userAvatarUrl", "team", "teamId", "teamUid", "teamAvatarUrl", "builtInRole")
)


def _dto(req: Request, entry: dict[str, Any], inherited: bool) -> dict[str, Any]:
    """`resourcePermissionDTO`: the principal's fields only where set (omitempty)."""
    principal = permission_model.principal_of(entry)
    who = grantee(req, entry)
    user, team = who.user, who.team
    key, value = principal
    item: dict[str, Any] = {
        "id": entry["id"],
        "roleName": _role_name(principal),
        "isManaged": True,
        "isInherited": inherited,
        "isServiceAccount": user is not None and user.kind == "service-account",
        "userId": value if key == USER else 0,
        "userUid": user.uid if user else "",
        "userLogin": user.login if user else "",
        "userAvatarUrl": avatar_url(user.email) if user else "",
        "team": team["name"] if team else "",
        "teamId": value if key == TEAM else 0,
        "teamUid": team["uid"] if team else "",
        "teamAvatarUrl": team_avatar(team) if team else "",
        "builtInRole": value if key == ROLE else "",
        "actions": ACTIONS[entry["permission"]],
        "permission": LEVEL_NAMES[entry["permission"]],
    }
    return {k: v for k, v in item.items() if v or k not in _OMIT_EMPTY}


def _admin_entry() -> dict[str, Any]:
    """What OSS appends: Admin always has everything, as an unmanaged entry."""
    return {
        "id": 0,
        "roleName": "",
        "isManaged": False,
        "isInherited": False,
        "isServiceAccount": False,
        "builtInRole": "Admin",
        "actions": ACTIONS[ADMIN],
        "permission": "Admin",
    }


def _folder(req: Request) -> Folder:
    """The folder of the path; missing is the folder service's errutil 404 `folder.notFound` (with no public
    message, so the status reason; [unverified] for these routes)."""
    folder = req.org.folders.get(req.params["uid"])
    if folder is None:
        raise errutil_error(404, "folder.notFound", status_reason(404, k8s_style=req.runtime.profile.at_least(12)))
    return folder


def _unexpected() -> ApiError:
    """`response.Err` of an error that is not an errutil one (an unknown user, team or basic role; [unverified])."""
    return message_error(500, "Internal Server Error", trace=True)


def _level(permission: str) -> int:
    """`View`/`Edit`/`Admin`, or "" (0: remove); anything else 400 `resourcePermissions.invalidPermission`."""
    if permission == "":
        return 0
    level = LEVELS_BY_NAME.get(permission)
    if level is None:
        raise errutil_error(
            400, "resourcePermissions.invalidPermission", f"Permission [{permission}] is invalid for this resource type"
        )
    return level


def _check_principal(req: Request, principal: Principal) -> None:
    key, value = principal
    if key == USER and req.runtime.credentials.by_id(value) is None:
        raise _unexpected()
    if key == TEAM and team_model.team_by_id(req.org, value) is None:
        raise _unexpected()
    if key == ROLE and value not in BASIC_ROLES:
        raise _unexpected()


def _path_id(req: Request, param: str, label: str, *, team: bool) -> int:
    """A user or team id from the path; a uid is resolved to its id first (unknown: 404 `Not found`); a number the
    handler cannot parse is 400 `resourcePermissions.invalidParam`."""
    raw = req.params[param]
    digits = raw[1:] if raw.startswith("-") else raw
    if digits.isdigit():
        value = int(raw)
        if abs(value) > _MAX_INT64:
            raise errutil_error(400, "resourcePermissions.invalidParam", f"Param [{label}] is invalid")
        return value
    if team:
        found = team_model.team_by_uid(req.org, raw)
        resolved = found["id"] if found else None
    else:
        identity = req.runtime.credentials.by_uid(raw)
        resolved = identity.id if identity else None
    if resolved is None:
        raise message_error(404, "Not found")
    return int(resolved)


def _set_one(req: Request, principal_key: str, principal_value: Any) -> Reply:
    """Set one principal's level: permission checked first, then the folder, then the principal."""
    body = req.json_object()
    level = _level(text(body, "permission"))
    folder = _folder(req)
    principal = (principal_key, principal_value)
    _check_principal(req, principal)
    permission_model.set_permission(req.runtime.store, req.org, folder.uid, principal, level)
    return ok({"message": "Permission updated" if level else "Permission removed"})


@routes.route("GET", API + "/description", needs=READ)
def describe(req: Request) -> Reply:
    return ok(
        {
            "assignments": {"users": True, "serviceAccounts": True, "teams": True, "builtInRoles": True},
            "permissions": ["View", "Edit", "Admin"],
        }
    )


@routes.route("GET", API + "/{uid}", needs=READ)
def list_permissions(req: Request) -> Reply:
    """The managed entries of the folder and its ancestors (`isInherited`), then the synthetic Admin entry."""
    folder = _folder(req)
    entries = permission_model.entries_with_inherited(req.org, folder.uid)
    return ok([*(_dto(req, entry, inherited) for entry, inherited in entries), _admin_entry()])


@routes.route("POST", API + "/{uid}/users/{userId}", needs=WRITE)
def set_user_permission(req: Request) -> Reply:
    return _set_one(req, USER, _path_id(req, "userId", "userID", team=False))


@routes.route("POST", API + "/{uid}/teams/{teamId}", needs=WRITE)
def set_team_permission(req: Request) -> Reply:
    return _set_one(req, TEAM, _path_id(req, "teamId", "teamID", team=True))


@routes.route("POST", API + "/{uid}/builtInRoles/{role}", needs=WRITE)
def set_role_permission(req: Request) -> Reply:
    return _set_one(req, ROLE, req.params["role"])


@routes.route("POST", API + "/{uid}", needs=WRITE)
def set_permissions(req: Request) -> Reply:
    """Set several principals' levels (others are kept): the folder first, then each item's principal (an item with
    no `userId` or `teamId` names `builtInRole`) and level; all are checked before any is set."""
    body = req.json_object()
    items = []
    for item in object_list(body, "permissions"):
        user_id, team_id = integer(item, "userId"), integer(item, "teamId")
        items.append((user_id, team_id, text(item, "builtInRole"), text(item, "permission")))
    folder = _folder(req)
    changes: list[tuple[Principal, int]] = []
    for user_id, team_id, role, permission in items:
        principal: Principal = (USER, user_id) if user_id else (TEAM, team_id) if team_id else (ROLE, role)
        _check_principal(req, principal)
        changes.append((principal, _level(permission)))
    for principal, level in changes:
        permission_model.set_permission(req.runtime.store, req.org, folder.uid, principal, level)
    return ok({"message": "Permissions updated"})
