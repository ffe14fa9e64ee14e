"""Folders: derived from the directories dashboards live in; nested, created parents first.

A folder's uid is derived from the project owner and its path, so a live folder is dashkit's exactly when
its uid is the one dashkit would derive for its live path. Prune deletes such a folder only when nothing
it holds would be lost. Read and written through `/api/folders`, or `folder.grafana.app` on Grafana 12+
(kinds/folders_app.py), where dashkit's folders also carry Grafana's manager annotations.
"""

from __future__ import annotations

from typing import Any

from .. import naming
from ..client import quote_segment
from ..errors import AuthError, NotFound
from ..model import Resource, ResourceRef
from .base import ANY_STATUS, BuildContext, KindExample, LiveResource, ResourceKind, SyncContext, register


def _rename_in_the_ui(client, api) -> int:
    folder = next(h for h in client.search([("type", "dash-folder")]) if h["title"] == "team")
    current = client.request("GET", f"/api/folders/{quote_segment(folder['uid'])}").data
    return client.request("PUT", f"/api/folders/{quote_segment(folder['uid'])}", allow=ANY_STATUS,
                          json={"title": "Renamed in the UI", "version": current.get("version", 1)}).status


EXAMPLE = KindExample(
    files={"dashboards/team/x.py": 'dashboard = {"title": "X", "panels": []}\n'},
    change=None,  # a folder is its path: changing it in code is a new folder, not a change of this one
    ui_edit=_rename_in_the_ui, after_ui_edit="restored",
    present=lambda client, api: any(h["title"] == "team" for h in client.search([("type", "dash-folder")])),
)


@register
class FolderKind(ResourceKind):
    name = "folder"
    example = EXAMPLE
    order = 10

    def derive(self, resources: list[Resource], ctx: BuildContext) -> list[Resource]:
        sources: dict[tuple[str, ...], str] = {}
        for resource in resources:
            path = resource.folder_path
            for depth in range(1, len(path) + 1):
                sources.setdefault(path[:depth], resource.source)
        folders = []
        for path in sorted(sources):
            uid = naming.folder_uid(ctx.owner, path)
            parent = naming.folder_uid(ctx.owner, path[:-1]) if len(path) > 1 else ""
            folders.append(
                Resource(
                    kind=self.name,
                    uid=uid,
                    title=path[-1],
                    body={"uid": uid, "title": path[-1]},
                    folder=parent,
                    source=f"folder of {sources[path]}",
                    depends=(ResourceRef(self.name, parent),) if parent else (),
                    path="/".join(path),
                    folder_path=path,
                )
            )
        return folders

    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        return {"title": str(body.get("title", "")).strip(), "parentUid": folder or ""}

    def adoptions(self, desired: list[Resource], ctx: SyncContext) -> dict[str, str]:
        """dashkit's uid -> uid of an existing folder at the same title path, for desired folders that do not exist
        yet: dashkit puts its resources in a team's existing folder rather than beside a same-named copy."""
        hits = _folder_hits(ctx)
        by_path: dict[tuple[str, ...], list[str]] = {}  # by the titles themselves: a title may contain '/'
        for uid in hits:
            path = title_path(uid, hits)
            if path:
                by_path.setdefault(path, []).append(uid)
        moved = {}
        for resource in sorted((r for r in desired if r.kind == self.name), key=lambda r: r.path.count("/")):
            if resource.uid in hits:
                continue
            matches = by_path.get(resource.folder_path, [])
            if len(matches) == 1:  # two folders of that name (Grafana >= 11.3 allows it): ambiguous, keep ours
                moved[resource.uid] = matches[0]
        return moved

    def adopted(self, resource: Resource, moved: dict[str, str]) -> Resource:
        """Resources in an adopted folder are now in the existing one; an adopted folder is that folder."""
        resource = super().adopted(resource, moved)
        if resource.folder in moved:
            resource = resource.copy(folder=moved[resource.folder])
        if resource.kind == self.name and resource.uid in moved:
            uid = moved[resource.uid]
            resource = resource.copy(uid=uid, body={**resource.body, "uid": uid})
        return resource

    # ---- live side ---------------------------------------------------------------------------------------
    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        hits = _folder_hits(ctx)
        wanted = {r.uid for r in desired}
        lives: dict[ResourceRef, LiveResource] = {}
        candidates = []
        for uid, hit in hits.items():
            path = title_path(uid, hits)
            adopted = uid in ctx.adopted.get(self.name, {}).values()
            owned = adopted or (path is not None and any(naming.folder_uid(o, path) == uid for o in ctx.owners))
            if uid not in wanted and not owned:
                continue
            parent = hit.get("folderUid") or ""
            live = LiveResource(
                ref=ResourceRef(self.name, uid),
                title=str(hit.get("title", "")),
                body=hit,
                comparable=self.comparable(hit, parent),
                folder=parent,
                path="/".join(path) if path else str(hit.get("title", "")),
                owner=ctx.owner if owned else None,
                managed=owned,
                depends=(ResourceRef(self.name, parent),) if parent else (),
            )
            lives[live.ref] = live
            if uid not in wanted:
                candidates.append(live)
        rule_groups = _rule_groups_by_folder(ctx) if candidates else {}
        for live, contents in zip(candidates, ctx.map(lambda lv: self._contents(lv, ctx), candidates), strict=True):
            live.contains = contents + rule_groups.get(live.ref.uid, ())
        return lives

    def _contents(self, live: LiveResource, ctx: SyncContext) -> tuple[ResourceRef, ...]:
        hits = ctx.client.search([("folderUIDs", live.ref.uid)])
        return tuple(
            ResourceRef("folder" if h.get("type") == "dash-folder" else "dashboard", h["uid"])
            for h in hits
            if h.get("uid")
        )

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        if ctx.api.app_platform:
            from .folders_app import get_folder

            data = get_folder(ref.uid, ctx)
        else:
            data = ctx.client.get_or_none(f"/api/folders/{quote_segment(ref.uid)}")
        if not isinstance(data, dict):
            return None
        parent = data.get("parentUid") or ""
        return LiveResource(
            ref=ref,
            title=str(data.get("title", "")),
            body=data,
            comparable=self.comparable(data, parent),
            folder=parent,
            version=data.get("version"),
            managed=True,
            extra={"resourceVersion": data.get("resourceVersion")},
        )

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        if ctx.api.app_platform:
            from .folders_app import create_folder

            return create_folder(resource, ctx)
        body = {"uid": resource.uid, "title": resource.title}
        if resource.folder:
            body["parentUid"] = resource.folder
        ctx.client.request("POST", "/api/folders", json=body)
        return None

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        current = self.fetch_one(resource.ref, ctx)
        if current is None:
            return self.create(resource, ctx)
        if ctx.api.app_platform:
            from .folders_app import update_folder

            return update_folder(resource, current, ctx)
        path = f"/api/folders/{quote_segment(resource.uid)}"
        if current.title != resource.title:
            ctx.client.request("PUT", path, json={"title": resource.title, "version": current.version or 0})
        if current.folder != resource.folder:
            ctx.client.request("POST", f"{path}/move", json={"parentUid": resource.folder}, idempotent=True)
        return None

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        if ctx.api.app_platform:
            from .folders_app import delete_folder

            return delete_folder(live.ref.uid, ctx)
        ctx.client.request("DELETE", f"/api/folders/{quote_segment(live.ref.uid)}", allow=(404,))
        return None

    def matches(self, resource: Resource, live: LiveResource | None) -> bool:
        return live is not None and live.comparable == self.comparable(resource.body, resource.folder)

    def from_backup(self, document: Any, uid: str, source: str) -> Resource:
        title = str((document or {}).get("title", "")).strip()
        parent = (document or {}).get("parentUid") or (document or {}).get("folderUid") or ""
        return Resource(kind=self.name, uid=uid, title=title, body={"uid": uid, "title": title}, folder=parent,
                        source=source, path=title, depends=(ResourceRef(self.name, parent),) if parent else ())

    def dry_run(self, action: str, resource: Resource | None, live: LiveResource | None, ctx: SyncContext) -> bool:
        if not ctx.api.app_platform or action != "create" or resource is None:
            return False  # an update re-reads the folder first; a delete would only ever fail for content
        from .folders_app import create_folder

        create_folder(resource, ctx, dry_run=True)
        return True


def _folder_hits(ctx: SyncContext) -> dict[str, dict]:
    """Every folder as {uid, title, folderUid} by uid, read once per run."""
    if "folder_hits" not in ctx.cache:
        if ctx.api.app_platform:
            from .folders_app import list_folders

            hits = list_folders(ctx)
        else:
            hits = [h for h in ctx.client.search([("type", "dash-folder")]) if h.get("uid")]
        ctx.cache["folder_hits"] = {h["uid"]: h for h in hits}
    return ctx.cache["folder_hits"]


def _rule_groups_by_folder(ctx: SyncContext) -> dict[str, tuple[ResourceRef, ...]]:
    """Alert rule groups per folder uid: deleting a folder deletes its rules too, so they count as contents."""
    try:
        rules = ctx.client.get("/api/v1/provisioning/alert-rules").data or []
    except (NotFound, AuthError):
        return {}  # no alerting API (older Grafana) or no permission to read it: nothing known to protect
    groups: dict[str, set[str]] = {}
    for rule in rules:
        groups.setdefault(rule.get("folderUID", ""), set()).add(rule.get("ruleGroup", ""))
    return {folder: tuple(ResourceRef("alert_rule_group", f"{folder}/{g}") for g in sorted(names))
            for folder, names in groups.items()}


def live_folder_paths(ctx: SyncContext) -> dict[str, str]:
    """uid -> 'parent/child' title path of every folder in Grafana (one search), for naming things in output."""
    hits = _folder_hits(ctx)
    paths = {uid: title_path(uid, hits) for uid in hits}
    return {uid: "/".join(path) for uid, path in paths.items() if path}


def title_path(uid: str, hits: dict[str, dict]) -> tuple[str, ...] | None:
    """Titles from the root down to folder `uid`, following folderUid links in the search hits (None when a
    parent is missing from them or the links loop)."""
    path: list[str] = []
    seen: set[str] = set()
    current: str | None = uid
    while current:
        if current in seen or current not in hits:
            return None
        seen.add(current)
        hit = hits[current]
        path.append(str(hit.get("title", "")))
        current = hit.get("folderUid") or None
    return tuple(reversed(path))
