"""Library element endpoints (grafana-api.md §15.2): create, list, get by uid and by name, patch, delete, and the
dashboards connected to an element. Every answer is wrapped in `{"result": ...}`."""

from __future__ import annotations

from typing import Any

from dashkit.emulator import library_model
from dashkit.emulator.auth import grant
from dashkit.emulator.binding import integer, optional_text, text
from dashkit.emulator.library_model import KINDS, PANEL
from dashkit.emulator.model import Folder
from dashkit.emulator.naming import generate_uid, now_rfc3339, uid_is_too_long, uid_is_valid
from dashkit.emulator.replies import ApiError, Reply, message_error, ok
from dashkit.emulator.routing import Request, RouteTable
from dashkit.emulator.store import OrgState

routes = RouteTable()

READ, CREATE, WRITE, DELETE = (f"library.panels:{verb}" for verb in ("read", "create", "write", "delete"))
grant("Viewer", READ)
grant("Editor", CREATE, WRITE, DELETE)  # through folder Edit on every folder, as Editors have by default

API = "/api/library-elements"
GENERAL = "General"
DEFAULT_PER_PAGE = 100
_ALREADY_EXISTS = "library element with that name or UID already exists"

# How an answer names the General folder (source reading, [unverified at runtime], §15.2): POST/PATCH answers fill
# the folder fields only for a real folder; GET by uid / name says `general`; the list says "" with name `General`.
WRITE_VIEW, GET_VIEW, LIST_VIEW = "write", "get", "list"


def _not_found() -> ApiError:
    return message_error(404, "library element could not be found", trace=True)


def _clash() -> ApiError:
    return message_error(400, _ALREADY_EXISTS, trace=True)


def _find(org: OrgState, uid: str) -> dict[str, Any]:
    element = library_model.elements(org).get(uid)
    if element is None:
        raise _not_found()
    return element


def _folder_fields(org: OrgState, element: dict[str, Any], view: str) -> tuple[int, str, str, str]:
    """(folderId, folderUid, meta.folderName, meta.folderUid) of the element as `view` answers show them.
    [unverified]: GET by uid/name reports General's `meta.folderUid` as "" (the SQL's), its `folderUid` as
    `general`."""
    folder = org.folders.get(element["folderUid"]) if element["folderUid"] else None
    if folder is not None:
        return folder.id, folder.uid, folder.title, folder.uid
    if view == GET_VIEW:
        return 0, "general", GENERAL, ""
    if view == LIST_VIEW:
        return 0, "", GENERAL, ""
    return 0, "", "", ""


def element_dto(org: OrgState, element: dict[str, Any], view: str, *, moved: bool = True) -> dict[str, Any]:
    """The element DTO. `moved=False` is a PATCH that sent no `folderUid`: its answer shows `folderId: 0` and
    `folderUid: ""` although the element stays in its folder (the handler's `Default(-1)` is never applied)."""
    folder_id, folder_uid, folder_name, meta_folder_uid = (
        _folder_fields(org, element, view) if moved else (0, "", "", "")
    )
    return {
        "id": element["id"],
        "orgId": org.id,
        "folderId": folder_id,
        "folderUid": folder_uid,
        "uid": element["uid"],
        "name": element["name"],
        "kind": element["kind"],
        "type": element["type"],
        "description": element["description"],
        "model": element["model"],
        "version": element["version"],
        "meta": {
            "folderName": folder_name,
            "folderUid": meta_folder_uid,
            "connectedDashboards": len(library_model.connections(org, element)),
            "created": element["created"],
            "updated": element["updated"],
            "createdBy": element["createdBy"],
            "updatedBy": element["updatedBy"],
        },
    }


def _folder_from_uid(org: OrgState, folder_uid: str | None) -> str | None:
    """The element's folder named by a body's `folderUid` (None when absent, "" = General); an unknown folder is
    400 `failed to get folder` (+trace)."""
    if folder_uid and folder_uid not in org.folders:
        raise message_error(400, "failed to get folder", trace=True)
    return folder_uid


def _folder_from_id(org: OrgState, folder_id: int) -> str:
    """The deprecated `folderId` (used only without `folderUid`); an unknown id is 404 `folder not found` (+trace),
    as the folder-access check answers ([unverified] body)."""
    if not folder_id:
        return ""
    item = org.by_id(folder_id)
    if not isinstance(item, Folder):
        raise message_error(404, "folder not found", trace=True)
    return item.uid


def _check_new_uid(uid: str) -> None:
    if not uid_is_valid(uid):
        raise message_error(400, "uid contains illegal characters", trace=True)
    if uid_is_too_long(uid):
        raise message_error(400, "uid too long, max 40 characters", trace=True)


def _name_taken(org: OrgState, folder_uid: str, name: str, kind: int, other_than: int = 0) -> bool:
    """The unique index `(org_id, folder_id, name, kind)`, compared as the database does (case-sensitively)."""
    return any(
        e["folderUid"] == folder_uid and e["name"] == name and e["kind"] == kind and e["id"] != other_than
        for e in library_model.elements(org).values()
    )


@routes.route("POST", API, needs=CREATE)
def create_element(req: Request) -> Reply:
    """200 with the new element (`version` 1). `kind` is Required (400), a kind other than 1/2 or a model that is not
    an object is 500 `Failed to create library element`; a taken uid or (folder, name, kind) is 400."""
    org = req.org
    body = req.json_object()
    kind = integer(body, "kind", required=True)
    name, uid = text(body, "name"), text(body, "uid")
    folder_uid = _folder_from_uid(org, optional_text(body, "folderUid"))
    folder_id = integer(body, "folderId")
    if folder_uid is None:
        folder_uid = _folder_from_id(org, folder_id)
    failed = message_error(500, "Failed to create library element", trace=True)
    if kind not in KINDS:
        raise failed
    if uid:
        _check_new_uid(uid)
    else:
        uid = generate_uid(lambda candidate: candidate in library_model.elements(org))
    model = body.get("model")
    if kind == PANEL:
        model = library_model.with_panel_uid(model, uid)
    try:
        model = library_model.synced_model(model, kind, name, "", "")
    except ValueError:
        raise failed from None
    if uid in library_model.elements(org) or _name_taken(org, folder_uid, name, kind):
        raise _clash()
    now, who = now_rfc3339(), library_model.person(req.identity)
    element = {
        "id": req.runtime.store.next_counter("library_element"),
        "uid": uid,
        "folderUid": folder_uid,
        "name": name,
        "kind": kind,
        "type": model["type"],
        "description": model["description"],
        "model": model,
        "version": 1,
        "created": now,
        "updated": now,
        "createdBy": who,
        "updatedBy": who,
    }
    library_model.add_element(org, element)
    return ok({"result": element_dto(org, element, WRITE_VIEW)})


def _folder_filter(req: Request) -> set[str] | None:
    """The folders `folderFilter` (ids, `0` = General) or `folderFilterUIDs` (`general` = General) keep, None for
    all; both at once is an error (500 `Failed to get library elements`)."""
    by_ids, by_uids = req.args("folderFilter"), req.args("folderFilterUIDs")
    if by_ids and by_uids:
        raise message_error(500, "Failed to get library elements", trace=True)
    if by_uids:
        return {"" if uid == "general" else uid for uid in by_uids}
    if not by_ids:
        return None
    folders: set[str] = set()
    for text_id in by_ids:
        item = req.org.by_id(int(text_id)) if text_id.isdigit() and text_id != "0" else None
        if text_id == "0" or isinstance(item, Folder):
            folders.add(item.uid if isinstance(item, Folder) else "")
    return folders


@routes.route("GET", API, needs=READ)
def list_elements(req: Request) -> Reply:
    """`{"result": {"totalCount", "elements", "page", "perPage"}}`: filtered by `searchString` (name or description,
    case-insensitive), `kind`, `typeFilter`, `excludeUid` and folder, ordered by name, `perPage` (100) a `page`."""
    org = req.org
    folders = _folder_filter(req)
    search = req.arg("searchString").lower()
    kind = req.int_arg("kind", 0)
    types = set(req.args("typeFilter"))
    exclude = req.arg("excludeUid")
    found = [
        e
        for e in library_model.elements(org).values()
        if (not search or search in e["name"].lower() or search in e["description"].lower())
        and (not kind or e["kind"] == kind)
        and (not types or e["type"] in types)
        and e["uid"] != exclude
        and (folders is None or e["folderUid"] in folders)
    ]
    found.sort(key=lambda e: (e["name"], e["id"]), reverse=req.arg("sortDirection") == "alpha-desc")
    per_page = req.int_arg("perPage", DEFAULT_PER_PAGE)
    per_page = per_page if per_page > 0 else DEFAULT_PER_PAGE
    page = max(req.int_arg("page", 1), 1)
    shown = found[(page - 1) * per_page : page * per_page]
    result = {
        "totalCount": len(found),
        "elements": [element_dto(org, e, LIST_VIEW) for e in shown],
        "page": page,
        "perPage": per_page,
    }
    return ok({"result": result})


@routes.route("GET", API + "/{uid}", needs=READ)
def get_element(req: Request) -> Reply:
    return ok({"result": element_dto(req.org, _find(req.org, req.params["uid"]), GET_VIEW)})


@routes.route("GET", API + "/name/{name}", needs=READ)
def get_elements_by_name(req: Request) -> Reply:
    """Every element with that name (one per folder and kind at most), as an array."""
    org = req.org
    found = sorted(
        (e for e in library_model.elements(org).values() if e["name"] == req.params["name"]), key=lambda e: e["id"]
    )
    if not found:
        raise _not_found()
    return ok({"result": [element_dto(org, e, GET_VIEW) for e in found]})


@routes.route("PATCH", API + "/{uid}", needs=WRITE)
def patch_element(req: Request) -> Reply:
    """200 with the element at `version` + 1 (every PATCH bumps it). `kind` and `version` are Required (400); a
    stale `version` 412; empty `name` and absent `model` keep the stored ones; `kind` never changes; a new `uid` is
    validated and must be free; `folderUid` moves the element ("" to General, [unverified])."""
    org = req.org
    body = req.json_object()
    kind = integer(body, "kind", required=True)
    version = integer(body, "version", required=True)
    name, new_uid = text(body, "name"), text(body, "uid")
    folder_uid = _folder_from_uid(org, optional_text(body, "folderUid"))
    if kind not in KINDS:
        raise message_error(500, "Failed to update library element", trace=True)
    uid = req.params["uid"]
    stored = _find(org, uid)
    if stored["version"] != version:
        raise message_error(412, "the library element has been changed by someone else", trace=True)
    if new_uid and new_uid != uid:
        _check_new_uid(new_uid)
        if new_uid in library_model.elements(org):
            raise _clash()
    name = name or stored["name"]
    target_folder = stored["folderUid"] if folder_uid is None else folder_uid
    try:
        model = library_model.synced_model(
            body["model"] if body.get("model") is not None else stored["model"],
            stored["kind"],
            name,
            stored["type"],
            stored["description"],
        )
    except ValueError:
        raise message_error(500, "Failed to update library element", trace=True) from None
    if _name_taken(org, target_folder, name, stored["kind"], other_than=stored["id"]):
        raise _clash()
    element = {
        **stored,
        "uid": new_uid or uid,
        "folderUid": target_folder,
        "name": name,
        "type": model["type"],
        "description": model["description"],
        "model": model,
        "version": stored["version"] + 1,
        "updated": now_rfc3339(),
        "updatedBy": library_model.person(req.identity),
    }
    library_model.replace_element(org, uid, element)
    return ok({"result": element_dto(org, element, WRITE_VIEW, moved=folder_uid is not None)})


@routes.route("DELETE", API + "/{uid}", needs=DELETE)
def delete_element(req: Request) -> Reply:
    """200 `Library element deleted`; connections to dashboards that are gone are dropped first, then any left is
    403 `the library element has connections` (+trace)."""
    org = req.org
    element = _find(org, req.params["uid"])
    library_model.drop_dangling_connections(org)
    if library_model.is_connected(org, element):
        raise message_error(403, "the library element has connections", trace=True)
    library_model.delete_elements(org, [element])
    return ok({"id": element["id"], "message": "Library element deleted"})


@routes.route("GET", API + "/{uid}/connections", needs=READ)
def element_connections(req: Request) -> Reply:
    """`{"result": [{"id", "kind", "elementId", "connectionId", "connectionUid", "created", "createdBy"}]}`, with the
    element's `created`/`createdBy` as 11.6 answers (§15.2)."""
    org = req.org
    element = _find(org, req.params["uid"])
    result = [
        {
            "id": connection["id"],
            "kind": 1,
            "elementId": element["id"],
            "connectionId": connection["dashboardId"],
            "connectionUid": connection["dashboardUid"],
            "created": element["created"],
            "createdBy": element["createdBy"],
        }
        for connection in library_model.connections(org, element)
    ]
    return ok({"result": result})
