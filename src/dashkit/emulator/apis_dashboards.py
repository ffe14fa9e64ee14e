"""`dashboard.grafana.app` dashboards on the 12/13 profiles: list, get, create, update, delete at every served version,
over the store the legacy `/api` uses too (grafana-api.md §14.2-14.6)."""

from __future__ import annotations

from typing import Any

from dashkit.emulator import k8s, library_model, managers
from dashkit.emulator.app_metadata import FOLDER, check_name, client_metadata
from dashkit.emulator.dashboard_objects import KIND, RESOURCE, metadata_json, object_json
from dashkit.emulator.dashboard_save import MESSAGE, Actor, DashboardWrite, commit_dashboard
from dashkit.emulator.model import Dashboard
from dashkit.emulator.profile import DASHBOARD_GROUP, FOLDER_GROUP
from dashkit.emulator.replies import ApiError, Reply, ok
from dashkit.emulator.routing import Request, RouteTable
from dashkit.emulator.store import OrgState
from dashkit.schema_v2 import is_v2

routes = RouteTable()

COLLECTION = "/apis/dashboard.grafana.app/{version}/namespaces/{namespace}/dashboards"
ITEM = COLLECTION + "/{name}"
GRANT_PERMISSIONS = "grafana.app/grant-permissions"  # stripped on create (`[prepare.go]`)
MAX_TITLE_LENGTH = 5000
_V2_LAYOUTS = ("GridLayout", "RowsLayout", "TabsLayout", "AutoGridLayout")


def _target(req: Request) -> tuple[str, str]:
    return k8s.bind_target(req, DASHBOARD_GROUP, RESOURCE)


def _find(org: OrgState, name: str) -> Dashboard:
    return k8s.lookup(org.dashboards, RESOURCE, DASHBOARD_GROUP, name)


def _reply(dash: Dashboard, version: str, namespace: str, req: Request, status: int = 200) -> Reply:
    return k8s.object_reply(object_json(dash, version, namespace, req.runtime.profile), status)


@routes.route("GET", COLLECTION, needs="dashboards:read", exists_in=k8s.serves_apis)
def list_dashboards(req: Request) -> Reply:
    """`DashboardList` in name order, `limit` items a page (default 50, §14.3), `continue` to resume."""
    version, namespace = _target(req)
    org, profile = req.org, req.runtime.profile
    list_rv = req.runtime.store.resource_versions.current()
    page = k8s.paginate(
        org.dashboard_names(),
        k8s.list_limit(req),
        req.arg("continue"),
        list_rv,
        size_of=lambda name: len(object_json(org.dashboards[name], version, namespace, profile)),
        max_page_bytes=req.runtime.config.list_max_page_bytes,
    )
    if k8s.wants_metadata_only(req):
        partial = (k8s.partial_metadata_json(metadata_json(org.dashboards[name], namespace)) for name in page.names)
        return k8s.metadata_list_reply(list_rv, page.continue_token, partial)
    items = (object_json(org.dashboards[name], version, namespace, profile) for name in page.names)
    return k8s.list_reply(f"{KIND}List", f"{DASHBOARD_GROUP}/{version}", list_rv, page.continue_token, items)


@routes.route("GET", ITEM, needs="dashboards:read", exists_in=k8s.serves_apis)
def get_dashboard(req: Request) -> Reply:
    version, namespace = _target(req)
    return _reply(_find(req.org, req.params["name"]), version, namespace, req)


def _cannot_decode(version: str, detail: str) -> ApiError:
    return k8s.bad_request(f'Dashboard in version "{version}" cannot be handled as a Dashboard: json: {detail}')


def _validated_spec(spec: dict[str, Any], version: str, name: str) -> dict[str, Any]:
    """The spec to store. v0alpha1 accepts any object; v1beta1/v1/v2* need a title (422 Invalid); a v2 spec whose
    `elements`/`layout` do not decode is 400 as in issue #106695 (§14.8). Classic specs lose `id`/`uid`/`version`
    (the v0/v1 mutation hook strips them, §14.2)."""
    title = spec.get("title")
    if version != "v0alpha1":
        causes = []
        if not isinstance(title, str) or not title.strip():
            causes.append(k8s.Cause("spec.title", "FieldValueRequired", "Required value: title is required"))
        elif len(title) > MAX_TITLE_LENGTH:
            causes.append(
                k8s.Cause("spec.title", "FieldValueTooLong", f"Too long: may not be more than {MAX_TITLE_LENGTH} bytes")
            )
        if causes:
            raise k8s.invalid(KIND, DASHBOARD_GROUP, name, causes)
    if not is_v2(version):
        return {k: v for k, v in spec.items() if k not in ("id", "uid", "version")}
    elements = spec.get("elements", {})
    if not isinstance(elements, dict):
        raise _cannot_decode(version, "cannot unmarshal into Go struct field Spec.elements of type map[string]Element")
    for element in elements.values():
        if not isinstance(element, dict) or element.get("kind") not in ("Panel", "LibraryPanel"):
            raise _cannot_decode(version, "cannot unmarshal element: kind must be Panel or LibraryPanel")
    layout = spec.get("layout")
    if not isinstance(layout, dict) or layout.get("kind") not in _V2_LAYOUTS:
        raise _cannot_decode(
            version, "cannot unmarshal layout: kind must be one of " + ", ".join(_V2_LAYOUTS)
        )
    return spec


def _folder_of(org: OrgState, annotations: dict[str, str]) -> str:
    """The folder named by `grafana.app/folder`; a folder that does not exist is 404 (the exact answer for a
    dashboard is [unverified]; 404 as for a missing parent folder, §14.7)."""
    folder_uid = annotations.get(FOLDER, "")
    if folder_uid and folder_uid not in org.folders:
        raise k8s.not_found("folders", FOLDER_GROUP, folder_uid)
    return folder_uid


@routes.route("POST", COLLECTION, needs="dashboards:create", exists_in=k8s.serves_apis)
def create_dashboard(req: Request) -> Reply:
    """201 with the stored object; a taken name 409 AlreadyExists; `generateName` picks one (§14.3)."""
    version, namespace = _target(req)
    dry_run = k8s.dry_run(req)
    obj = k8s.read_object(req, KIND, DASHBOARD_GROUP, version)
    org = req.org
    name = k8s.name_to_create(obj, KIND, DASHBOARD_GROUP, org.uid_taken)
    check_name(name)
    if org.uid_taken(name):
        raise k8s.already_exists(RESOURCE, DASHBOARD_GROUP, name)
    data = _validated_spec(obj.spec, version, name)
    folder_uid = _folder_of(org, obj.annotations)
    labels, annotations = client_metadata(obj, (GRANT_PERMISSIONS,))
    managers.check_write(None, annotations, resource=RESOURCE, group=DASHBOARD_GROUP, name=name)
    write = DashboardWrite(name, folder_uid, data, version, labels, annotations, annotations.get(MESSAGE, ""))
    record = commit_dashboard(
        req.runtime.store, org, None, write, Actor(req.login, req.actor_ref), dry_run=dry_run
    )
    return _reply(record, version, namespace, req, 201)


@routes.route("PUT", ITEM, needs="dashboards:write", exists_in=k8s.serves_apis)
def update_dashboard(req: Request) -> Reply:
    """200 with the updated object; a stale `metadata.resourceVersion` 409 Conflict, an empty one is unconditional;
    the generation moves only when the spec or folder changed (§14.2, §14.3)."""
    version, namespace = _target(req)
    dry_run = k8s.dry_run(req)
    name = req.params["name"]
    org = req.org
    existing = _find(org, name)
    obj = k8s.read_object(req, KIND, DASHBOARD_GROUP, version)
    k8s.check_update(obj, RESOURCE, DASHBOARD_GROUP, name, existing.resource_version)
    data = _validated_spec(obj.spec, version, name)
    folder_uid = _folder_of(org, obj.annotations)
    labels, annotations = client_metadata(obj, (GRANT_PERMISSIONS,))
    managers.check_write(existing.annotations, annotations, resource=RESOURCE, group=DASHBOARD_GROUP, name=name)
    write = DashboardWrite(name, folder_uid, data, version, labels, annotations, annotations.get(MESSAGE, ""))
    record = commit_dashboard(
        req.runtime.store, org, existing, write, Actor(req.login, req.actor_ref), dry_run=dry_run
    )
    return _reply(record, version, namespace, req)


@routes.route("DELETE", ITEM, needs="dashboards:delete", exists_in=k8s.serves_apis)
def delete_dashboard(req: Request) -> Reply:
    """200 Status Success with `details {name, group, kind, uid}` (§14.3)."""
    _target(req)
    dry_run = k8s.dry_run(req)
    name = req.params["name"]
    existing = _find(req.org, name)
    k8s.check_preconditions(req, RESOURCE, DASHBOARD_GROUP, name, existing.k8s_uid, existing.resource_version)
    managers.check_write(existing.annotations, None, resource=RESOURCE, group=DASHBOARD_GROUP, name=name)
    if not dry_run:
        req.org.drop_dashboard(name)
        library_model.disconnect_dashboard(req.org, existing.id)
    return ok(k8s.success_status(DASHBOARD_GROUP, RESOURCE, name, existing.k8s_uid))
