"""`folder.grafana.app` folders on the 12/13 profiles: list, get, create, update (moves via the parent annotation),
delete (only when empty), over the store `/api/folders` uses too (grafana-api.md §14.7)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from dashkit.emulator import k8s, managers
from dashkit.emulator.apis_dashboards import check_preconditions
from dashkit.emulator.dashboard_objects import CREATED_BY, FOLDER, INTERNAL_ID, SYSTEM_ANNOTATIONS, UPDATED_BY
from dashkit.emulator.dashboard_objects import UPDATED_TIMESTAMP as UPDATED_AT
from dashkit.emulator.folders import MAX_NESTED_FOLDER_DEPTH
from dashkit.emulator.hooks import FOLDER_CONTENTS
from dashkit.emulator.model import Folder
from dashkit.emulator.naming import now_rfc3339, uid_is_too_long, uid_is_valid
from dashkit.emulator.profile import FOLDER_GROUP, GrafanaProfile
from dashkit.emulator.replies import ApiError, Reply
from dashkit.emulator.routing import Request, RouteTable
from dashkit.emulator.store import OrgState

routes = RouteTable()

RESOURCE = "folders"
KIND = "Folder"
COLLECTION = "/apis/folder.grafana.app/{version}/namespaces/{namespace}/folders"
ITEM = COLLECTION + "/{name}"
RESERVED_NAMES = ("general", "sharedwithme")


def _serves_apis(profile: GrafanaProfile) -> bool:
    return profile.serves_apis


def _target(req: Request) -> tuple[str, str]:
    version = k8s.served_version(req, FOLDER_GROUP, RESOURCE)
    return version, k8s.bind_namespace(req)


def _find(org: OrgState, name: str) -> Folder:
    folder = org.folders.get(name)
    if folder is None:
        raise k8s.not_found(RESOURCE, FOLDER_GROUP, name)
    return folder


def folder_object(folder: Folder, version: str, namespace: str) -> dict[str, Any]:
    """The folder as `folder.grafana.app/<version>` shows it: spec `{title, description?}`, parent in the
    `grafana.app/folder` annotation (absent at the root), system annotations as on dashboards (§14.2, §14.7)."""
    annotations = {k: v for k, v in folder.annotations.items() if k not in SYSTEM_ANNOTATIONS}
    if folder.parent_uid:
        annotations[FOLDER] = folder.parent_uid
    if folder.created_by_ref:
        annotations[CREATED_BY] = folder.created_by_ref
    if folder.version > 1 and folder.updated_by_ref:
        annotations[UPDATED_BY] = folder.updated_by_ref
        annotations[UPDATED_AT] = folder.updated
    labels = {k: v for k, v in folder.labels.items() if k != INTERNAL_ID}
    if folder.id:
        labels[INTERNAL_ID] = str(folder.id)
    spec: dict[str, Any] = {"title": folder.title}
    if folder.description:
        spec["description"] = folder.description
    return {
        "kind": KIND,
        "apiVersion": f"{FOLDER_GROUP}/{version}",
        "metadata": k8s.object_metadata(
            folder.uid,
            namespace,
            uid=folder.k8s_uid,
            resource_version=folder.resource_version,
            creation_timestamp=folder.created,
            generation=folder.version or None,
            labels=dict(sorted(labels.items())),
            annotations=dict(sorted(annotations.items())),
        ),
        "spec": spec,
        "status": {},
    }


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@routes.route("GET", COLLECTION, needs="folders:read", exists_in=_serves_apis)
def list_folders(req: Request) -> Reply:
    version, namespace = _target(req)
    org = req.org
    list_rv = req.runtime.store.resource_versions.current()
    page = k8s.paginate(org.folder_names(), k8s.list_limit(req), req.arg("continue"), list_rv)
    if k8s.wants_metadata_only(req):
        partial = (k8s.partial_metadata_json(_dump(folder_object(org.folders[name], version, namespace)["metadata"]))
                   for name in page.names)
        return k8s.metadata_list_reply(list_rv, page.continue_token, partial)
    items = (_dump(folder_object(org.folders[name], version, namespace)) for name in page.names)
    return k8s.list_reply(f"{KIND}List", f"{FOLDER_GROUP}/{version}", list_rv, page.continue_token, items)


@routes.route("GET", ITEM, needs="folders:read", exists_in=_serves_apis)
def get_folder(req: Request) -> Reply:
    version, namespace = _target(req)
    return k8s.object_reply(_dump(folder_object(_find(req.org, req.params["name"]), version, namespace)))


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


def _client_metadata(obj: k8s.IncomingObject) -> tuple[dict[str, str], dict[str, str]]:
    labels = {k: v for k, v in obj.labels.items() if k != INTERNAL_ID}
    annotations = {k: v for k, v in obj.annotations.items() if k not in SYSTEM_ANNOTATIONS}
    return labels, annotations


@routes.route("POST", COLLECTION, needs="folders:create", exists_in=_serves_apis)
def create_folder(req: Request) -> Reply:
    """201; reserved or invalid names and titles 400; missing parent 404; too deep 400; taken name 409 (§14.7)."""
    version, namespace = _target(req)
    dry_run = k8s.dry_run(req)
    obj = k8s.read_object(req, KIND, FOLDER_GROUP, version)
    org, store = req.org, req.runtime.store
    if obj.resource_version:
        raise k8s.status_error(500, "InternalError", "resourceVersion should not be set on objects to be created")
    name = obj.name
    if not name:
        if not obj.generate_name:
            raise k8s.invalid(
                KIND,
                FOLDER_GROUP,
                "",
                [k8s.Cause("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")],
            )
        name = k8s.generate_name(obj.generate_name, org.uid_taken)
    if name.lower() in RESERVED_NAMES:
        raise k8s.bad_request("invalid uid for folder provided")
    if not uid_is_valid(name):
        raise k8s.bad_request("uid contains illegal characters")
    if uid_is_too_long(name):
        raise k8s.bad_request("uid too long, max 40 characters")
    title, description = _validated_title(obj.spec)
    parent = obj.annotations.get(FOLDER, "")
    _check_parent(org, name, parent, 0)
    if org.uid_taken(name):
        raise k8s.already_exists(RESOURCE, FOLDER_GROUP, name)
    labels, annotations = _client_metadata(obj)
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
        k8s_uid=k8s.new_object_uid(),
        resource_version="" if dry_run else store.resource_versions.next(),
        labels=labels,
        annotations=annotations,
        created_by_ref=req.actor_ref,
    )
    if not dry_run:
        org.put_folder(folder)
    return k8s.object_reply(_dump(folder_object(folder, version, namespace)), 201)


@routes.route("PUT", ITEM, needs="folders:write", exists_in=_serves_apis)
def update_folder(req: Request) -> Reply:
    """200; stale resourceVersion 409; a changed `grafana.app/folder` moves the folder (cycle and depth checked);
    the generation moves when the title, description or parent changed (§14.7)."""
    version, namespace = _target(req)
    dry_run = k8s.dry_run(req)
    name = req.params["name"]
    org, store = req.org, req.runtime.store
    existing = _find(org, name)
    obj = k8s.read_object(req, KIND, FOLDER_GROUP, version)
    if obj.name and obj.name != name:
        raise k8s.bad_request(f"the name of the object ({obj.name}) does not match the name on the URL ({name})")
    if obj.resource_version and obj.resource_version != existing.resource_version:
        raise k8s.conflict(RESOURCE, FOLDER_GROUP, name)
    title, description = _validated_title(obj.spec)
    parent = obj.annotations.get(FOLDER, "")
    if parent != existing.parent_uid:
        _check_parent(org, name, parent, org.height(name))
    labels, annotations = _client_metadata(obj)
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
    return k8s.object_reply(_dump(folder_object(updated, version, namespace)))


@routes.route("DELETE", ITEM, needs="folders:delete", exists_in=_serves_apis)
def delete_folder(req: Request) -> Reply:
    """200 with the deleted folder; a folder holding dashboards, folders, alert rules or other contents 400
    `folder.not-empty` (the legacy `/api/folders` DELETE still cascades; §14.7)."""
    version, namespace = _target(req)
    dry_run = k8s.dry_run(req)
    name = req.params["name"]
    org = req.org
    existing = _find(org, name)
    check_preconditions(req, RESOURCE, FOLDER_GROUP, name, existing.k8s_uid, existing.resource_version)
    managers.check_write(existing.annotations, None, resource=RESOURCE, group=FOLDER_GROUP, name=name)
    holds_items = (
        any(d.folder_uid == name for d in org.dashboards.values())
        or any(f.parent_uid == name for f in org.folders.values())
        or any(contents.count(org, {name}) for contents in FOLDER_CONTENTS)
    )
    if holds_items:
        raise k8s.errutil_status(400, "folder.not-empty", "Folder cannot be deleted: folder is not empty")
    if not dry_run:
        org.drop_folder(name)
    return k8s.object_reply(_dump(folder_object(existing, version, namespace)))
