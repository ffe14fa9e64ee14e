"""Managed folder permissions as the store keeps them in `org.extras` (grafana-api.md §15.3): per folder, entries that
give a user (or service account), a team or a basic role the level View (1), Edit (2) or Admin (4). The routes are
in `folder_permissions` (legacy) and `access_control` (RBAC); folder creation calls `grant_defaults`.

The emulator reports these entries but does not enforce them: requests are authorised by basic role only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dashkit.emulator.naming import now_rfc3339

if TYPE_CHECKING:
    from dashkit.emulator.auth import Identity
    from dashkit.emulator.store import OrgState, Store

STATE_KEY = "folderPermissions"
VIEW, EDIT, ADMIN = 1, 2, 4
LEVEL_NAMES = {VIEW: "View", EDIT: "Edit", ADMIN: "Admin"}
LEVELS_BY_NAME = {name: level for level, name in LEVEL_NAMES.items()}
BASIC_ROLES = ("Viewer", "Editor", "Admin")
USER, TEAM, ROLE = "userId", "teamId", "role"  # the entry key naming its principal

Principal = tuple[str, Any]  # (USER, id) | (TEAM, id) | (ROLE, "Editor")

# `[oss-perm]` folder actions by level; with `annotationPermissionUpdate` on. The exact list and order per minor
# are [unverified]; the API answers them sorted.
_VIEW_ACTIONS = (
    "dashboards:read",
    "annotations:read",
    "folders:read",
    "alert.rules:read",
    "library.panels:read",
    "alert.silences:read",
)
_EDIT_ACTIONS = (
    *_VIEW_ACTIONS,
    "dashboards:write",
    "dashboards:delete",
    "dashboards:create",
    "annotations:write",
    "annotations:delete",
    "annotations:create",
    "folders:write",
    "folders:delete",
    "alert.rules:create",
    "alert.rules:write",
    "alert.rules:delete",
    "alert.silences:create",
    "alert.silences:write",
    "library.panels:create",
    "library.panels:write",
    "library.panels:delete",
)
_ADMIN_ACTIONS = (
    *_EDIT_ACTIONS,
    "dashboards.permissions:read",
    "dashboards.permissions:write",
    "folders.permissions:read",
    "folders.permissions:write",
)
ACTIONS = {VIEW: sorted(_VIEW_ACTIONS), EDIT: sorted(_EDIT_ACTIONS), ADMIN: sorted(_ADMIN_ACTIONS)}


def _by_folder(org: OrgState, *, create: bool = False) -> dict[str, list[dict[str, Any]]]:
    held = org.extras.get(STATE_KEY)
    if held is None:
        held = {}
        if create:
            org.extras[STATE_KEY] = held
    return held


def principal_of(entry: dict[str, Any]) -> Principal:
    for key in (USER, TEAM, ROLE):
        if key in entry:
            return key, entry[key]
    raise ValueError(f"permission entry without a principal: {entry!r}")


def own_entries(org: OrgState, folder_uid: str) -> list[dict[str, Any]]:
    """The entries set on the folder itself, oldest first."""
    return list(_by_folder(org).get(folder_uid, ()))


def entries_with_inherited(org: OrgState, folder_uid: str) -> list[tuple[dict[str, Any], bool]]:
    """(entry, inherited) for the folder's own entries and those of its ancestors, ordered by entry id (the order
    in which they were granted; the order Grafana lists them in is [unverified])."""
    found = [(entry, False) for entry in own_entries(org, folder_uid)]
    for ancestor in org.ancestors(folder_uid):
        found.extend((entry, True) for entry in own_entries(org, ancestor.uid))
    return sorted(found, key=lambda pair: pair[0]["id"])


def set_permission(store: Store, org: OrgState, folder_uid: str, principal: Principal, level: int) -> None:
    """Give `principal` `level` on the folder; a level that is not 1, 2 or 4 removes its entry."""
    entries = _by_folder(org, create=True).setdefault(folder_uid, [])
    current = next((entry for entry in entries if principal_of(entry) == principal), None)
    if level not in LEVEL_NAMES:
        if current is not None:
            entries.remove(current)
        return
    now = now_rfc3339()
    if current is not None:
        if current["permission"] != level:
            current.update(permission=level, updated=now)
        return
    key, value = principal
    entries.append(
        {"id": store.next_counter("permission"), key: value, "permission": level, "created": now, "updated": now}
    )


def grant_defaults(store: Store, org: OrgState, folder_uid: str, parent_uid: str, creator: Identity | None) -> None:
    """A new folder's permissions: its creator (user or service account) Admin; at the root also role Editor Edit
    and role Viewer View (a nested folder inherits those from its ancestors)."""
    if creator is not None:
        set_permission(store, org, folder_uid, (USER, creator.id), ADMIN)
    if not parent_uid:
        set_permission(store, org, folder_uid, (ROLE, "Editor"), EDIT)
        set_permission(store, org, folder_uid, (ROLE, "Viewer"), VIEW)


def forget_folders(org: OrgState, folder_uids: set[str]) -> None:
    held = _by_folder(org)
    for uid in folder_uids:
        held.pop(uid, None)


def forget_team(org: OrgState, team_id: int) -> None:
    """A deleted team's entries go with it."""
    for entries in _by_folder(org).values():
        entries[:] = [entry for entry in entries if entry.get(TEAM) != team_id]
