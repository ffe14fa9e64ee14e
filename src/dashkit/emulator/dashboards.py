"""Dashboard endpoints: save, get by uid, delete, tags (grafana-api.md §4.2–4.4, 4.6)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from dashkit.emulator import library_model
from dashkit.emulator.dashboard_objects import legacy_dashboard, stored_version
from dashkit.emulator.dashboard_save import parse_save_command, save_dashboard, save_reply
from dashkit.emulator.k8s import namespace_for_org
from dashkit.emulator.managers import REPO, REPO_MESSAGE, SOURCE_PATH, locks_legacy_edits, manager_of
from dashkit.emulator.model import Dashboard
from dashkit.emulator.naming import dashboard_url, folder_url, slugify
from dashkit.emulator.replies import Reply, message_error, ok
from dashkit.emulator.routing import Request, RouteTable
from dashkit.schema_v2 import is_v2

routes = RouteTable()


def find_dashboard(req: Request) -> Dashboard:
    dash = req.org.dashboards.get(req.params["uid"])
    if dash is None:
        raise message_error(404, "Dashboard not found", trace=True)
    return dash


def dashboard_meta(req: Request, dash: Dashboard) -> dict[str, Any]:
    """`meta` of a legacy GET (§4.2). On 12+ a managed dashboard whose manager does not allow edits reads as
    provisioned (its `sourcePath` as the external id), and `apiVersion` is the version it is stored at."""
    profile = req.runtime.profile
    managed_read_only = profile.serves_apis and locks_legacy_edits(dash.annotations)
    source_path = dash.annotations.get(SOURCE_PATH, "") if managed_read_only else ""
    role = req.role
    can_edit = role in ("Editor", "Admin")
    folder = req.org.folders.get(dash.folder_uid) if dash.folder_uid else None
    perms = {"canAdd": can_edit, "canEdit": can_edit, "canDelete": can_edit}
    meta: dict[str, Any] = {
        "type": "db",
        "canSave": can_edit,
        "canEdit": can_edit,
        "canAdmin": role == "Admin",
        "canStar": True,
        "canDelete": can_edit,
        "slug": dash.slug,
        "url": dashboard_url(dash.uid, dash.slug),
        "expires": "0001-01-01T00:00:00Z",
        "created": dash.created,
        "updated": dash.updated,
        "updatedBy": dash.updated_by,
        "createdBy": dash.created_by,
        "version": dash.version,
        "hasAcl": False,
        "isFolder": False,
        "folderId": folder.id if folder else 0,
        "folderUid": folder.uid if folder else "",
        "folderTitle": folder.title if folder else "General",
        "folderUrl": folder_url(folder.uid, slugify(folder.title)) if folder else "",
        "provisioned": bool(dash.provisioned_external_id) or managed_read_only,
        "provisionedExternalId": dash.provisioned_external_id or source_path,
        "annotationsPermissions": {"dashboard": dict(perms), "organization": dict(perms)},
    }
    if profile.serves_apis:
        meta["apiVersion"] = stored_version(dash, profile)
    return meta


@routes.route("POST", "/api/dashboards/db", needs=("dashboards:create", "dashboards:write"))
def post_dashboard(req: Request) -> Reply:
    profile = req.runtime.profile
    cmd = parse_save_command(req.json_object(), profile)
    saved = save_dashboard(req.runtime.store, req.org, profile, cmd, req.login, req.actor_ref)
    return ok(save_reply(saved, profile))


@routes.route("GET", "/api/dashboards/uid/{uid}", needs="dashboards:read")
def get_dashboard(req: Request) -> Reply:
    """A v2-stored dashboard is 406 on 12 and read down-converted on 13 (§14.5)."""
    dash = find_dashboard(req)
    profile = req.runtime.profile
    if is_v2(dash.api_version) and profile.legacy_get_of_v2_is_406:
        namespace = namespace_for_org(req.org_id, req.runtime.config.stack_id)
        raise message_error(
            406,
            f"dashboard api version not supported, use /apis/dashboard.grafana.app/{dash.api_version}/namespaces/"
            f"{namespace}/dashboards/{dash.uid} instead",
        )
    return ok({"dashboard": legacy_dashboard(dash), "meta": dashboard_meta(req, dash)})


@routes.route("DELETE", "/api/dashboards/uid/{uid}", needs="dashboards:delete")
def delete_dashboard(req: Request) -> Reply:
    uid = req.params["uid"]
    if uid in req.org.folders:
        raise message_error(400, "Use folders endpoint for deleting folders.")
    dash = find_dashboard(req)
    if dash.provisioned_external_id:
        raise message_error(400, "provisioned dashboard cannot be deleted")
    manager = manager_of(dash.annotations) if req.runtime.profile.serves_apis else None
    if manager is not None and manager.kind == REPO:
        raise message_error(403, REPO_MESSAGE)
    req.org.drop_dashboard(uid)
    library_model.disconnect_dashboard(req.org, dash.id)
    body: dict[str, Any] = {"title": dash.title, "message": f"Dashboard {dash.title} deleted"}
    if req.runtime.profile.delete_reply_has_uid:
        body["uid"] = dash.uid
    else:
        body["id"] = dash.id
    return ok(body)


@routes.route("GET", "/api/dashboards/tags")
def dashboard_tags(req: Request) -> Reply:
    counts: Counter[str] = Counter()
    for dash in req.org.dashboards.values():
        counts.update(set(dash.tags))
    return ok([{"term": term, "count": counts[term]} for term in sorted(counts)])
