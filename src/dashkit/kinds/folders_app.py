"""Folders through the app-platform `folder.grafana.app` API (Grafana 12+, grafana-api.md §14.7): the parent is the
`grafana.app/folder` annotation, a move is a PUT that changes it, and an update carries the `resourceVersion` it
read. Folders dashkit creates carry Grafana's manager annotations as its dashboards do."""

from __future__ import annotations

from typing import Any

from ..grafana_api import FOLDERS
from ..model import Resource
from ..normalize import fingerprint
from . import managers
from .base import LiveResource, SyncContext


def _path(ctx: SyncContext, name: str | None = None) -> str:
    return ctx.api.path(FOLDERS, ctx.api.folders or "", "folders", name)


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """A folder object in the shape the rest of dashkit reads (a search hit / legacy folder DTO)."""
    meta = item.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    return {"uid": meta.get("name", ""), "title": (item.get("spec") or {}).get("title", ""),
            "folderUid": annotations.get(managers.FOLDER) or "", "parentUid": annotations.get(managers.FOLDER) or "",
            "resourceVersion": meta.get("resourceVersion"), "annotations": annotations}


def list_folders(ctx: SyncContext) -> list[dict[str, Any]]:
    return [_plain(item) for item in ctx.client.items(_path(ctx)) if (item.get("metadata") or {}).get("name")]


def get_folder(uid: str, ctx: SyncContext) -> dict[str, Any] | None:
    item = ctx.client.get_or_none(_path(ctx, uid))
    return _plain(item) if isinstance(item, dict) else None


def _object(resource: Resource, ctx: SyncContext, annotations: dict[str, Any]) -> dict[str, Any]:
    annotations = {k: v for k, v in annotations.items() if k not in (managers.FOLDER, managers.UPDATED_BY,
                                                                       managers.UPDATED_AT)}
    annotations.update(managers.marks(ctx.owner, ctx.ui_edits, resource.source,
                                      fingerprint({"title": resource.title, "parent": resource.folder})))
    if resource.folder:
        annotations[managers.FOLDER] = resource.folder
    return {"apiVersion": f"{FOLDERS}/{ctx.api.folders}", "kind": "Folder",
            "metadata": {"name": resource.uid, "annotations": annotations}, "spec": {"title": resource.title}}


def create_folder(resource: Resource, ctx: SyncContext, dry_run: bool = False) -> None:
    ctx.client.request("POST", _path(ctx), json=_object(resource, ctx, {}), params=[("dryRun", "All")] if dry_run
                       else None, idempotent=dry_run or None)


def update_folder(resource: Resource, current: LiveResource, ctx: SyncContext) -> None:
    """Rename and move in one write (the parent is an annotation). A folder dashkit adopted from someone else keeps
    their manager annotations: Grafana would refuse a change of manager anyway."""
    annotations = dict(current.body.get("annotations") or {})
    obj = _object(resource, ctx, annotations)
    if managers.owner_of(annotations) not in (None, f"{ctx.owner}") and annotations.get(managers.MANAGER_ID):
        obj["metadata"]["annotations"] = {**managers.without_manager(obj["metadata"]["annotations"]),
                                          **{k: v for k, v in annotations.items() if k in managers.MANAGER_KEYS}}
    obj["metadata"]["resourceVersion"] = current.extra.get("resourceVersion")
    ctx.client.request("PUT", _path(ctx, resource.uid), json=obj)


def delete_folder(uid: str, ctx: SyncContext) -> None:
    ctx.client.request("DELETE", _path(ctx, uid), allow=(404,))
