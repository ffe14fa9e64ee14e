"""Folder permissions: `folder_permissions = permissions(view=[...], edit=[...], admin=[...])` in a module in the
folder's directory (dashboards/<folder>/ or alerts/<folder>/). One resource per folder, its uid the folder's.

Compared as a set of (role or team, level) entries: the folder's own role and team entries (what it inherits from
its parents is not its own). User entries (the creator's Admin, people given access in the UI) are outside a
declaration: they are neither compared nor changed; because Grafana's POST replaces the whole list, every write
sends them back as they are. A write resolves team names to ids first (an unknown team is an error naming it,
before anything of that folder is written) and POSTs the whole list.

Ownership: only folders this project created (the uid dashkit derives for its path) get permissions; on a folder it
found and uses as it is (adopted) or another project's, a difference is left alone and reported (exit 5), even with
--force. That dashkit wrote a folder's permissions is an owner record (kinds/owner_records.py),
`dashkit.owner.folder_permission.<folder uid>`: prune resets only those folders, to what Grafana gives a new folder
(at the root: Editor Edit, Viewer View; nested: nothing beyond what it inherits). A folder's permission set "exists"
when a record claims it or it differs from those defaults.

A change made in the UI is put back by the next sync ("restored"): the entries have no field for a fingerprint of
what dashkit wrote, and for access control the declaration is what should hold; `diff` shows the difference first."""

from __future__ import annotations

from typing import Any

from .. import naming
from ..builders.permissions import LEVELS, FolderPermissions
from ..client import GrafanaClient, quote_segment
from ..errors import DefinitionError, GrafanaError
from ..loader import Definition
from ..model import Resource, ResourceRef
from . import owner_records
from .base import (
    ANY_STATUS,
    BuildContext,
    KindExample,
    LiveResource,
    ResourceKind,
    SyncContext,
    export,
    get_kind,
    register,
)
from .folder import _folder_hits, title_path
from .team import team_id, teams_by_name

AREAS = ("dashboards", "alerts")
LEVEL_NUMBERS = {name: 2 ** i for i, name in enumerate(LEVELS)}  # View 1, Edit 2, Admin 4
ROOT_DEFAULTS = {"role Editor": "Edit", "role Viewer": "View"}  # what Grafana gives a new root folder's roles


def rbac_entries(client: GrafanaClient, uid: str) -> list[dict[str, Any]] | None:
    """The folder's permission entries, own and inherited (`isInherited`), or None when the folder is gone. Read
    through the access-control API: the legacy list marks nothing as inherited."""
    data = client.get_or_none(f"/api/access-control/folders/{quote_segment(uid)}")
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else None


def own_entries(entries: list[dict[str, Any]]) -> tuple[dict[str, str], list[dict[str, int]]]:
    """(principal -> level of the folder's own role and team entries, its own user entries as POST items)."""
    granted: dict[str, str] = {}
    users: list[dict[str, int]] = []
    for entry in entries:
        level = entry.get("permission")
        if entry.get("isInherited") or not entry.get("isManaged", True) or level not in LEVEL_NUMBERS:
            continue
        if entry.get("builtInRole"):
            granted[f"role {entry['builtInRole']}"] = level
        elif entry.get("teamId"):
            granted[f"team {entry.get('team') or '#' + str(entry['teamId'])}"] = level
        elif entry.get("userId"):
            users.append({"userId": int(entry["userId"]), "permission": LEVEL_NUMBERS[level]})
    return granted, users


def granted_of(body: dict[str, Any]) -> dict[str, str]:
    """principal -> level of a body's items (`{"role": "Viewer", "permission": "View"}`, `{"team": ...}`)."""
    out = {}
    for item in body.get("items") or []:
        principal = "role" if "role" in item else "team"
        out[f"{principal} {item[principal]}"] = str(item["permission"])
    return out


def team_names(body: dict[str, Any]) -> list[str]:
    return sorted({str(item["team"]) for item in body.get("items") or [] if "team" in item})


def defaults(parent: str) -> dict[str, str]:
    """The role entries Grafana gives a new folder: at the root Editor Edit and Viewer View, nested none."""
    return {} if parent else dict(ROOT_DEFAULTS)


def _folder_uid_titled(client: GrafanaClient, title: str) -> str:
    return next(h["uid"] for h in client.search([("type", "dash-folder")]) if h["title"] == title)


def _present(client: GrafanaClient, api: Any) -> bool:
    hits = [h for h in client.search([("type", "dash-folder")]) if h["title"] == "ops"]
    return any("team ops-team" in own_entries(rbac_entries(client, h["uid"]) or [])[0] for h in hits)


def _edit_in_the_ui(client: GrafanaClient, api: Any) -> int:
    """A person gives Editors Edit on the folder and takes Viewers off, through the legacy API as the UI does."""
    uid = _folder_uid_titled(client, "ops")
    items = [{"role": "Editor", "permission": 2}]
    for entry in rbac_entries(client, uid) or []:
        if entry.get("isInherited") or not entry.get("isManaged"):
            continue
        if entry.get("teamId"):
            items.append({"teamId": entry["teamId"], "permission": LEVEL_NUMBERS[entry["permission"]]})
        elif entry.get("userId"):
            items.append({"userId": entry["userId"], "permission": LEVEL_NUMBERS[entry["permission"]]})
    return client.request("POST", f"/api/folders/{quote_segment(uid)}/permissions", json={"items": items},
                          allow=ANY_STATUS).status


EXAMPLE = KindExample(
    files={"dashboards/ops/access.py": 'from dashkit.builders import permissions, team\n'
                                      'teams = [team("ops-team")]\n'
                                      'folder_permissions = permissions(view=["Viewer"], edit=[team("ops-team")])\n'},
    change=('edit=[team("ops-team")]', 'admin=[team("ops-team")]'),
    ui_edit=_edit_in_the_ui, after_ui_edit="restored",  # no place for a fingerprint; the declaration should hold
    present=_present,
)


@register
class FolderPermissionKind(ResourceKind):
    name = "folder_permission"
    example = EXAMPLE
    depends_on = ("folder", "team")
    area = "dashboards"  # and alerts/: the folders of rule groups are the same folders
    exports = ("folder_permissions",)
    order = 20

    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        declared = export(definition, "folder_permissions") if definition.area in AREAS else None
        if declared is None:
            return []
        if not isinstance(declared, FolderPermissions):
            raise DefinitionError(definition.relpath, f"folder_permissions must be permissions(...), not {declared!r}")
        path = definition.folder_path
        if not path:
            raise DefinitionError(definition.relpath, "declares folder_permissions at the top of "
                                                      f"{definition.area}/, which is no folder dashkit makes",
                                  hint=f"move it into the folder's directory ({definition.area}/<folder>/)")
        uid = naming.folder_uid(ctx.owner, path)
        return [Resource(kind=self.name, uid=uid, title=path[-1], body=declared.to_grafana(),
                         source=definition.relpath, path="/".join(path), folder_path=path, spec=declared)]

    def merge(self, first: Resource, second: Resource) -> Resource | None:
        """Two modules of one folder may declare its permissions only alike."""
        if granted_of(first.body) == granted_of(second.body):
            return first
        raise DefinitionError(second.source, f"declares permissions for folder '{second.path}' that differ from "
                                             f"those {first.source} declares",
                              hint="declare a folder's permissions in one of its modules")

    def dependencies(self, resource: Resource, resources: dict[ResourceRef, Resource],
                     ctx: BuildContext) -> tuple[ResourceRef, ...]:
        """Its folder, and the teams it names that the project defines (others must exist in Grafana)."""
        teams = [ResourceRef("team", name) for name in team_names(resource.body)]
        return (ResourceRef("folder", resource.uid), *(ref for ref in teams if ref in resources))

    def relocate(self, resource: Resource, kind: str, moved: dict[str, str]) -> Resource:
        """The permissions of a folder dashkit adopted are that folder's (and left alone there)."""
        if kind == "folder" and resource.uid in moved:
            return resource.copy(uid=moved[resource.uid])
        return resource

    def build_path(self, resource: Resource) -> str:
        return "folder-permissions/" + "/".join(naming.file_safe(p) for p in resource.folder_path) + ".json"

    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        return granted_of(body)

    def prepare(self, resource: Resource, ctx: SyncContext) -> Resource:
        """Every team it names is defined by the project or exists in Grafana: checked before anything is written."""
        defined = {ref.uid for ref in resource.depends if ref.kind == "team"}
        for name in team_names(resource.body):
            if name not in defined and name not in teams_by_name(ctx):
                raise _unknown_team(resource, name, ctx)
        return resource

    # ---- live side ---------------------------------------------------------------------------------------
    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        hits = _folder_hits(ctx)
        records = owner_records.claimed(ctx, self.name)
        wanted = {r.uid: r for r in desired}
        uids = sorted(uid for uid in {*wanted, *(u for u, owner in records.items() if ctx.mine(owner))} if uid in hits)

        def read(uid: str) -> LiveResource | None:
            entries = rbac_entries(ctx.client, uid)
            if entries is None:
                return None
            path = title_path(uid, hits)
            hit = hits[uid]
            live = self._live(uid, str(hit.get("title", "")), entries, hit.get("folderUid") or "", records.get(uid),
                              ctx)
            live.path = "/".join(path) if path else live.title
            # this project's folder: the uid it derives for the path the code gives (a folder renamed in the UI is
            # still its own) or, for a resource without one (restored from a backup), for the live path
            paths = [p for p in (wanted[uid].folder_path if uid in wanted else (), path) if p]
            if uid in wanted and not any(naming.folder_uid(o, p) == uid for o in ctx.owners for p in paths):
                live.note = (f"folder '{live.path}' was not made by this project (dashkit uses it as it found it): "
                             "dashkit sets permissions only on folders it created")
                live.locked = live.note  # left alone even with --force
                return live
            return live if live.owner is not None or live.comparable != defaults(live.extra["parent"]) else None

        return {live.ref: live for live in ctx.map(read, uids) if live is not None}

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        folder = get_kind("folder").fetch_one(ResourceRef("folder", ref.uid), ctx)
        entries = rbac_entries(ctx.client, ref.uid) if folder is not None else None
        if folder is None or entries is None:
            return None
        live = self._live(ref.uid, folder.title, entries, folder.folder,
                          owner_records.owner_of(ctx, self.name, ref.uid), ctx)
        return live if live.owner is not None or live.comparable != defaults(folder.folder) else None

    def _live(self, uid: str, title: str, entries: list[dict[str, Any]], parent: str, owner: str | None,
              ctx: SyncContext) -> LiveResource:
        """Not `folder=parent`: the permissions are not something the parent folder holds."""
        granted, _ = own_entries(entries)
        return LiveResource(ref=ResourceRef(self.name, uid), title=title, path=title,
                            body={"uid": uid, "title": title, "permissions": entries}, comparable=granted,
                            owner=owner, managed=ctx.mine(owner), depends=(ResourceRef("folder", uid),),
                            extra={"parent": parent})

    def from_backup(self, document: Any, uid: str, source: str) -> Resource:
        granted, _ = own_entries(list((document or {}).get("permissions") or []))
        items = [{principal: name, "permission": level}
                 for (principal, name), level in sorted((tuple(k.split(" ", 1)), v) for k, v in granted.items())]
        title = str((document or {}).get("title") or uid)
        return Resource(kind=self.name, uid=uid, title=title, body={"items": items}, source=source, path=title,
                        depends=(ResourceRef("folder", uid),))

    # ---- writes --------------------------------------------------------------------------------------------
    def create(self, resource: Resource, ctx: SyncContext) -> None:
        items = self._items(resource, ctx)
        owner_records.claim(ctx, self.name, resource.uid)
        self._replace(resource.uid, items, ctx)

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        items = self._items(resource, ctx)
        if live.owner != ctx.owner:
            owner_records.claim(ctx, self.name, resource.uid)
        if live.comparable != self.comparable(resource.body, resource.folder):
            self._replace(resource.uid, items, ctx)

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        """Put back what Grafana gives a new folder (the users' entries stay), and give up the record."""
        items = [{"role": principal.split(" ", 1)[1], "permission": LEVEL_NUMBERS[level]}
                 for principal, level in sorted(defaults(live.extra.get("parent", "")).items())]
        entries = rbac_entries(ctx.client, live.ref.uid)
        if entries is not None:  # a folder already gone took its permissions with it
            self._replace(live.ref.uid, items, ctx, entries)
        owner_records.release(ctx, self.name, live.ref.uid)

    def _items(self, resource: Resource, ctx: SyncContext) -> list[dict[str, Any]]:
        """The POST items of the declaration, team names resolved to ids (an unknown team: an error naming it)."""
        items: list[dict[str, Any]] = []
        for item in resource.body.get("items") or []:
            level = LEVEL_NUMBERS[str(item["permission"])]
            if "role" in item:
                items.append({"role": item["role"], "permission": level})
                continue
            found = team_id(ctx, str(item["team"]))
            if found is None:
                raise _unknown_team(resource, str(item["team"]), ctx)
            items.append({"teamId": found, "permission": level})
        return items

    def _replace(self, uid: str, items: list[dict[str, Any]], ctx: SyncContext,
                 entries: list[dict[str, Any]] | None = None) -> None:
        """POST the whole list: `items` and the folder's own user entries as they are now (`entries`, read here
        unless given)."""
        entries = entries if entries is not None else rbac_entries(ctx.client, uid)
        if entries is None:
            raise GrafanaError(f"folder {uid} is not in Grafana any more; its permissions cannot be set",
                               hint="it was deleted while dashkit was syncing; run `dashkit diff` again", status=404)
        _, users = own_entries(entries)
        ctx.client.request("POST", f"/api/folders/{quote_segment(uid)}/permissions", json={"items": items + users},
                           idempotent=True)  # it replaces the whole list: sending it twice is the same


def _unknown_team(resource: Resource, name: str, ctx: SyncContext) -> DefinitionError:
    return DefinitionError(resource.source, f"folder '{resource.path}' gives permissions to team '{name}', which no "
                                            f"module defines and Grafana (environment '{ctx.env}') does not have",
                           hint=f"define it (teams = [team({name!r})]) or create it in Grafana, or fix the name")
