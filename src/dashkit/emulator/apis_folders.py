"""`folder.grafana.app` folders on the 12/13 profiles: list, get, create, update (moves via the parent annotation),
delete (only when empty), over the store `/api/folders` uses too (grafana-api.md §14.7)."""

from __future__ import annotations

import dataclasses
from typing import Any

from dashkit.emulator import k8s, library_model, managers, permission_model
from dashkit.emulator.app_metadata import FOLDER, check_name, client_metadata, object_metadata
from dashkit.emulator.folders import MAX_NESTED_FOLDER_DEPTH
from dashkit.emulator.hooks import FOLDER_CONTENTS
from dashkit.emulator.model import Folder
from dashkit.emulator.naming import new_object_uid, now_rfc3339
from dashkit.emulator.profile import FOLDER_GROUP
from dashkit.emulator.replies import ApiError, Reply, compact_json
from dashkit.emulator.routing import Request, RouteTable
from dashkit.emulator.store import OrgState

routes = RouteTable()

RESOURCE = "folders"
KIND = "Folder"
COLLECTION = "/apis/folder.grafana.app/{version}/namespaces/{namespace}/folders"
ITEM = COLLECTION + "/{name}"
RESERVED_NAMES = ("general", "sharedwithme")


def _target(req: Request) -> tuple[str, str]:
    return k8s.bind_target(req, FOLDER_GROUP, RESOURCE)


def _find(org: OrgState, name: str) -> Folder:
    return k8s.lookup(org.folders, RESOURCE, FOLDER_GROUP, name)


def folder_object(folder: Folder, version: str, namespace: str) -> dict[str, Any]:
    """The folder as `folder.grafana.app/<version>` shows it: spec `{title, description?}`, parent in the
    `grafana.app/folder` annotation (absent at the root), system annotations as on dashboards (§14.2, §14.7)."""
    spec: dict[str, Any] = {"title": folder.title}
    if folder.description:
        spec["description"] = folder.description
    return {
        "kind": KIND,
        "apiVersion": f"{FOLDER_GROUP}/{version}",
        "metadata": object_metadata(folder, namespace, folder.parent_uid),
        "spec": spec,
        "status": {},
    }


def _reply(folder: Folder, version: str, namespace: str, status: int = 200) -> Reply:
    return k8s.object_reply(compact_json(folder_object(folder, version, namespace)), status)


@routes.route("GET", COLLECTION, needs="folders:read", exists_in=k8s.serves_apis)
def list_folders(req: Request) -> Reply:
    version, namespace = _target(req)
    org = req.org
    list_rv = req.runtime.store.resource_versions.current()
    page = k8s.paginate(org.folder_names(), k8s.list_limit(req), req.arg("continue"), list_rv)
    if k8s.wants_metadata_only(req):
        listed = (org.folders[name] for name in page.names)
        partial = (k8s.partial_metadata_json(compact_json(object_metadata(f, namespace, f.parent_uid))) for f in listed)
        return k8s.metadata_list_reply(list_rv, page.continue_token, partial)
    items = (compact_json(folder_object(org.folders[name], version, namespace)) for name in page.names)
    return k8s.list_reply(f"{KIND}List", f"{FOLDER_GROUP}/{version}", list_rv, page.continue_token, items)


@routes.route("GET", ITEM, needs="folders:read", exists_in=k8s.serves_apis)
def get_folder(req: Request) -> Reply:
    version, namespace = _target(req)
    return _reply(_find(req.org, req.params["name"]), version, namespace)


def _validated_title(spec: dict[str, Any]) -> tuple[str, str]:
    """(title, description) of a folder spec (`[folder-validate]`): title trimmed, not empty, not `General`."""
    title, description = spec.get("title"), spec.get("description", "")
    if not isinstance(title, str | None) or not isinstance(description, str | None):
        raise k8s.bad_request('Folder in version cannot be handled as a Folder: title and description are strings')
    title = (title or "").strip()
    if not title:
        raise k8s.bad_request("folder title cannot be empty")
    if title.lower() == "general":
        raise k8s.bad_request("A folder with that name already exists")
    return title, description or ""


def _circular() -> ApiError:
    return k8s.errutil_status(400, "folder.circular-reference", "Circular reference detected")


def _depth_reached() -> ApiError:
    return k8s.errutil_status(400, "folder.maximum-depth-reached", "Maximum nested folder depth reached")


def _check_parent(org: OrgState, name: str, parent: str, subtree_height: int) -> None:
    """The parent must exist, must not be the folder or below it, and the chain parent's ancestors + parent + the
    folder and its subtree may hold at most 5 entries (`max_nested_folder_depth` 4, §14.7)."""
    if not parent:
        return
    if parent == name:
        raise _circular()
    if parent not in org.folders:
        raise k8s.not_found(RESOURCE, FOLDER_GROUP, parent)
    if name in org.folders and parent in org.subtree(name):
        raise _circular()
    if len(org.ancestors(parent)) + 1 + subtree_height > MAX_NESTED_FOLDER_DEPTH:
        raise _depth_reached()


@routes.route("POST", COLLECTION, needs="folders:create", exists_in=k8s.serves_apis)
def create_folder(req: Request) -> Reply:
    """201; reserved or invalid names and titles 400; missing parent 404; too deep 400; taken name 409 (§14.7)."""
    version, namespace = _target(req)
    dry_run = k8s.dry_run(req)
    obj = k8s.read_object(req, KIND, FOLDER_GROUP, version)
    org, store = req.org, req.runtime.store
    name = k8s.name_to_create(obj, KIND, FOLDER_GROUP, org.uid_taken)
    if name.lower() in RESERVED_NAMES:
        raise k8s.bad_request("invalid uid for folder provided")
    check_name(name)
    title, description = _validated_title(obj.spec)
    parent = obj.annotations.get(FOLDER, "")
    _check_parent(org, name, parent, 0)
    if org.uid_taken(name):
        raise k8s.already_exists(RESOURCE, FOLDER_GROUP, name)
    labels, annotations = client_metadata(obj)
    managers.check_write(None, annotations, resource=RESOURCE, group=FOLDER_GROUP, name=name)
    now = now_rfc3339()
    folder = Folder(
        id=0 if dry_run else store.next_id(),
        uid=name,
        title=title,
        description=description,
        parent_uid=parent,
        version=0 if dry_run else 1,
        created=now,
        created_by=req.login,
        updated=now,
        updated_by=req.login,
        k8s_uid=new_object_uid(),
        resource_version="" if dry_run else store.resource_versions.next(),
        labels=labels,
        annotations=annotations,
        created_by_ref=req.actor_ref,
    )
    if not dry_run:
        org.put_folder(folder)
        permission_model.grant_defaults(store, org, name, parent, req.identity)
    return _reply(folder, version, namespace, 201)


@routes.route("PUT", ITEM, needs="folders:write", exists_in=k8s.serves_apis)
def update_folder(req: Request) -> Reply:
    """200; stale resourceVersion 409; a changed `grafana.app/folder` moves the folder (cycle and depth checked);
    the generation moves when the title, description or parent changed (§14.7)."""
    version, namespace = _target(req)
    dry_run = k8s.dry_run(req)
    name = req.params["name"]
    org, store = req.org, req.runtime.store
    existing = _find(org, name)
    obj = k8s.read_object(req, KIND, FOLDER_GROUP, version)
    k8s.check_update(obj, RESOURCE, FOLDER_GROUP, name, existing.resource_version)
    title, description = _validated_title(obj.spec)
    parent = obj.annotations.get(FOLDER, "")
    if parent != existing.parent_uid:
        _check_parent(org, name, parent, org.height(name))
    labels, annotations = client_metadata(obj)
    managers.check_write(existing.annotations, annotations, resource=RESOURCE, group=FOLDER_GROUP, name=name)
    changed = (title, description, parent) != (existing.title, existing.description, existing.parent_uid)
    updated = dataclasses.replace(
        existing, title=title, description=description, parent_uid=parent, labels=labels, annotations=annotations
    )
    if not dry_run:
        updated.resource_version = store.resource_versions.next()
        if changed:
            updated.version += 1
            updated.updated, updated.updated_by, updated.updated_by_ref = now_rfc3339(), req.login, req.actor_ref
        org.put_folder(updated)
    return _reply(updated, version, namespace)


@routes.route("DELETE", ITEM, needs="folders:delete", exists_in=k8s.serves_apis)
def delete_folder(req: Request) -> Reply:
    """200 with the deleted folder; a folder holding dashboards, folders, alert rules, library elements or other
    contents 400 `folder.not-empty` (the legacy `/api/folders` DELETE still cascades; §14.7, §15.2)."""
    version, namespace = _target(req)
    dry_run = k8s.dry_run(req)
    name = req.params["name"]
    org = req.org
    existing = _find(org, name)
    k8s.check_preconditions(req, RESOURCE, FOLDER_GROUP, name, existing.k8s_uid, existing.resource_version)
    managers.check_write(existing.annotations, None, resource=RESOURCE, group=FOLDER_GROUP, name=name)
    holds_items = (
        any(d.folder_uid == name for d in org.dashboards.values())
        or any(f.parent_uid == name for f in org.folders.values())
        or any(contents.count(org, {name}) for contents in FOLDER_CONTENTS)
        or bool(library_model.elements_in(org, {name}))
    )
    if holds_items:
        raise k8s.errutil_status(400, "folder.not-empty", "Folder cannot be deleted: folder is not empty")
    if not dry_run:
        org.drop_folder(name)
        permission_model.forget_folders(org, {name})
    return _reply(existing, version, namespace)
