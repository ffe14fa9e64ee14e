"""Folder endpoints with nested folders on: list, get, create, update, move, delete (grafana-api.md §6)."""

from __future__ import annotations

from typing import Any

from dashkit.emulator import library_model, permission_model
from dashkit.emulator.hooks import FOLDER_CONTENTS
from dashkit.emulator.managers import manager_of
from dashkit.emulator.model import Folder
from dashkit.emulator.naming import (
    folder_url,
    generate_uid,
    new_object_uid,
    now_rfc3339,
    slugify,
    uid_is_too_long,
    uid_is_valid,
)
from dashkit.emulator.replies import Reply, bad_request_data, errutil_error, message_error, ok, status_error
from dashkit.emulator.routing import Request, RouteTable
from dashkit.emulator.store import OrgState

routes = RouteTable()

MAX_NESTED_FOLDER_DEPTH = 4  # a folder may have at most 4 ancestors (its parent at most 3)


def _not_found() -> Exception:
    return status_error(404, "folder not found", "not-found")


def _version_mismatch() -> Exception:
    return status_error(412, "the folder has been changed by someone else", "version-mismatch")


def _depth_reached() -> Exception:
    return errutil_error(400, "folder.maximum-depth-reached", "Maximum nested folder depth reached")


def touch_folder(req: Request, folder: Folder, *, new_generation: bool) -> None:
    """Record a legacy write on `folder`: a new resourceVersion always; with `new_generation` also `version` + 1 and
    the updated time and author (the k8s views follow, §14.7)."""
    folder.resource_version = req.runtime.store.resource_versions.next()
    if new_generation:
        folder.version += 1
        folder.updated, folder.updated_by, folder.updated_by_ref = now_rfc3339(), req.login, req.actor_ref


def find_folder(org: OrgState, uid: str) -> Folder:
    folder = org.folders.get(uid)
    if folder is None:
        raise _not_found()
    return folder


def folder_dto(req: Request, folder: Folder, *, with_parents: bool = True) -> dict[str, Any]:
    role = req.role
    can_edit = role in ("Editor", "Admin")
    dto: dict[str, Any] = {
        "id": folder.id,
        "uid": folder.uid,
        "orgId": req.org_id,
        "title": folder.title,
        "url": folder_url(folder.uid, slugify(folder.title)),
        "hasAcl": False,
        "canSave": can_edit,
        "canEdit": can_edit,
        "canAdmin": role == "Admin",
        "canDelete": can_edit,
        "createdBy": folder.created_by,
        "created": folder.created,
        "updatedBy": folder.updated_by,
        "updated": folder.updated,
        "version": folder.version,
    }
    if folder.parent_uid:
        dto["parentUid"] = folder.parent_uid
        if with_parents:
            dto["parents"] = [folder_dto(req, a, with_parents=False) for a in req.org.ancestors(folder.uid)]
    manager = manager_of(folder.annotations) if req.runtime.profile.serves_apis else None
    if manager is not None:
        dto["managedBy"] = manager.kind
    return dto


def _clean_title(raw: Any) -> str:
    if not isinstance(raw, str | None):
        raise bad_request_data()
    title = (raw or "").strip()
    if not title:
        raise message_error(400, "folder title cannot be empty")
    if title.lower() == "general":
        raise message_error(400, "A folder with that name already exists")
    return title


def _check_unique_title(req: Request, title: str, parent_uid: str, other_than: str = "") -> None:
    """≤ 11.2 only: folder titles are unique among siblings."""
    if not req.runtime.profile.unique_titles:
        return
    for sibling in req.org.child_folders(parent_uid):
        if sibling.uid != other_than and sibling.title.lower() == title.lower():
            raise message_error(409, "a folder or dashboard in the general folder with the same name already exists")


def _page(req: Request, items: list[Any]) -> list[Any]:
    limit = req.int_arg("limit", 0)
    limit = limit if limit > 0 else 1000
    page = max(req.int_arg("page", 1), 1)
    return items[(page - 1) * limit : page * limit]


@routes.route("GET", "/api/folders", needs="folders:read")
def list_folders(req: Request) -> Reply:
    org = req.org
    parent = req.arg("parentUid")
    if parent:
        find_folder(org, parent)
    if req.arg("permission").lower() == "edit" and not req.may("folders:write"):
        return ok([])
    nested = parent or req.runtime.profile.eleven_or_later  # 10.x without parentUid: every folder
    folders = org.child_folders(parent) if nested else list(org.folders.values())
    folders.sort(key=lambda f: (f.title.lower(), f.uid))
    items = []
    for folder in _page(req, folders):
        item: dict[str, Any] = {"id": folder.id, "uid": folder.uid, "title": folder.title}
        if folder.parent_uid:
            item["parentUid"] = folder.parent_uid
        items.append(item)
    return ok(items)


@routes.route("GET", "/api/folders/{uid}", needs="folders:read")
def get_folder(req: Request) -> Reply:
    return ok(folder_dto(req, find_folder(req.org, req.params["uid"])))


@routes.route("GET", "/api/folders/id/{id}", needs="folders:read")
def get_folder_by_id(req: Request) -> Reply:
    try:
        item = req.org.by_id(int(req.params["id"]))
    except ValueError:
        raise message_error(400, "id is invalid") from None
    if not isinstance(item, Folder):
        raise _not_found()
    return ok(folder_dto(req, item))


@routes.route("POST", "/api/folders", needs="folders:create")
def create_folder(req: Request) -> Reply:
    org = req.org
    body = req.json_object()
    uid, parent_uid, description = body.get("uid"), body.get("parentUid"), body.get("description")
    if not all(isinstance(v, str | None) for v in (uid, parent_uid, description)):
        raise bad_request_data()
    uid, parent_uid = (uid or "").strip(), parent_uid or ""
    if parent_uid:
        find_folder(org, parent_uid)
    title = _clean_title(body.get("title"))
    if uid.lower() == "general":
        raise message_error(400, "invalid uid for folder provided")
    if uid and not uid_is_valid(uid):
        raise message_error(400, "uid contains illegal characters")
    if uid_is_too_long(uid):
        raise message_error(400, "uid too long, max 40 characters")
    if uid in org.folders:
        raise _version_mismatch()
    if uid in org.dashboards:
        raise message_error(400, "Dashboard cannot be changed to a folder")
    _check_unique_title(req, title, parent_uid)
    if parent_uid and len(org.ancestors(parent_uid)) >= MAX_NESTED_FOLDER_DEPTH:
        raise _depth_reached()
    now = now_rfc3339()
    folder = Folder(
        id=req.runtime.store.next_id(),
        uid=uid or generate_uid(org.uid_taken),
        title=title,
        description=description or "",
        parent_uid=parent_uid,
        version=1,
        created=now,
        created_by=req.login,
        updated=now,
        updated_by=req.login,
        k8s_uid=new_object_uid(),
        resource_version=req.runtime.store.resource_versions.next(),
        created_by_ref=req.actor_ref,
    )
    org.put_folder(folder)
    permission_model.grant_defaults(req.runtime.store, org, folder.uid, parent_uid, req.identity)
    return ok(folder_dto(req, folder))


@routes.route("PUT", "/api/folders/{uid}", needs="folders:write")
def update_folder(req: Request) -> Reply:
    folder = find_folder(req.org, req.params["uid"])
    body = req.json_object()
    version, overwrite = body.get("version", 0), body.get("overwrite", False)
    if not isinstance(version, int | None) or not isinstance(overwrite, bool | None):
        raise bad_request_data()
    if not overwrite and (version or 0) != folder.version:
        raise _version_mismatch()
    title = folder.title
    if body.get("title") is not None:
        title = _clean_title(body["title"])
        _check_unique_title(req, title, folder.parent_uid, other_than=folder.uid)
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise bad_request_data()
    folder.title = title
    folder.description = folder.description if description is None else description
    touch_folder(req, folder, new_generation=True)
    return ok(folder_dto(req, folder))


@routes.route("POST", "/api/folders/{uid}/move", needs="folders:write")
def move_folder(req: Request) -> Reply:
    org = req.org
    folder = find_folder(org, req.params["uid"])
    new_parent = req.json_object().get("parentUid")
    if not isinstance(new_parent, str | None):
        raise bad_request_data()
    new_parent = new_parent or ""
    if new_parent:
        if new_parent in org.subtree(folder.uid):
            raise errutil_error(400, "folder.circular-reference", "Circular reference detected")
        find_folder(org, new_parent)
        ancestors_after_move = len(org.ancestors(new_parent)) + 1
        if ancestors_after_move + org.height(folder.uid) > MAX_NESTED_FOLDER_DEPTH:
            raise _depth_reached()
    moved = folder.parent_uid != new_parent
    folder.parent_uid = new_parent
    folder.updated, folder.updated_by = now_rfc3339(), req.login
    # 12+: a move changes the folder annotation, which moves the generation (§14.2, §14.7)
    touch_folder(req, folder, new_generation=moved and req.runtime.profile.serves_apis)
    return ok(folder_dto(req, folder))


@routes.route("DELETE", "/api/folders/{uid}", needs="folders:delete")
def delete_folder(req: Request) -> Reply:
    """Cascades to subfolders, dashboards and library elements (§6). The folder's own library elements go first:
    403 if any is connected, else they are deleted even when the alert-rule check then refuses (400); a connected
    element in a subfolder fails the rest of the delete with 500 `Folder API error` ([unverified], §15.2)."""
    org = req.org
    folder = find_folder(org, req.params["uid"])
    own_elements = library_model.elements_in(org, {folder.uid})
    if any(library_model.is_connected(org, element) for element in own_elements):
        raise message_error(403, "Folder could not be deleted because it contains library elements in use", trace=True)
    if own_elements:
        library_model.delete_elements(org, own_elements)
        req.runtime.store.mark_dirty()  # kept even if a check below refuses the rest
    doomed = set(org.subtree(folder.uid))
    force = req.arg("forceDeleteRules").lower() == "true"
    if not force and any(contents.count(org, doomed) for contents in FOLDER_CONTENTS):
        if req.runtime.profile.eleven_or_later:
            raise errutil_error(400, "folder.not-empty", "Folder cannot be deleted: folder is not empty")
        raise message_error(400, "folder cannot be deleted: folder contains alert rules")
    nested_elements = library_model.elements_in(org, doomed)
    if any(library_model.is_connected(org, element) for element in nested_elements):
        raise message_error(500, "Folder API error", trace=True)
    if force:
        for contents in FOLDER_CONTENTS:
            contents.delete(org, doomed)
    library_model.delete_elements(org, nested_elements)
    for dash in [d for d in org.dashboards.values() if d.folder_uid in doomed]:
        org.drop_dashboard(dash.uid)
        library_model.disconnect_dashboard(org, dash.id)
    for uid in doomed:
        org.drop_folder(uid)
    permission_model.forget_folders(org, doomed)
    if req.runtime.profile.eleven_or_later:
        return ok({"message": "Folder deleted"})
    return ok({"title": folder.title, "message": f"Folder {folder.title} deleted", "id": folder.id})
