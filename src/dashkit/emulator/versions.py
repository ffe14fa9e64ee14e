"""Dashboard version history: list, one version, restore (grafana-api.md §4.5)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from dashkit.emulator.dashboard_save import SaveCommand, save_dashboard, save_reply
from dashkit.emulator.dashboards import find_dashboard
from dashkit.emulator.model import Dashboard, DashboardVersion
from dashkit.emulator.replies import Reply, bad_request_data, message_error, ok
from dashkit.emulator.routing import Request, RouteTable

routes = RouteTable()

DEFAULT_LIMIT = 1000


def version_item(dash: Dashboard, entry: DashboardVersion) -> dict[str, Any]:
    if entry.parent_version == 0:
        message = "Initial save"
    elif entry.restored_from > 0:
        message = f"Restored from version {entry.restored_from}"
    else:
        message = entry.message
    return {
        "id": entry.id,
        "dashboardId": dash.id,
        "uid": dash.uid,
        "parentVersion": entry.parent_version,
        "restoredFrom": entry.restored_from,
        "version": entry.version,
        "created": entry.created,
        "createdBy": entry.created_by,
        "message": message,
    }


def _decode_token(token: str) -> int:
    try:
        return max(int(base64.urlsafe_b64decode(token.encode()).decode()), 0)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise message_error(400, "invalid continue token") from None


@routes.route("GET", "/api/dashboards/uid/{uid}/versions", needs="dashboards:write")
def list_versions(req: Request) -> Reply:
    dash = find_dashboard(req)
    limit = req.int_arg("limit", 0)
    limit = limit if limit > 0 else DEFAULT_LIMIT
    token = req.arg("continueToken")
    start = _decode_token(token) if token else max(req.int_arg("start", 0), 0)
    newest_first = list(reversed(dash.versions))
    page = [version_item(dash, entry) for entry in newest_first[start : start + limit]]
    if not req.runtime.profile.versions_list_is_object:
        return ok(page)
    more = start + limit < len(newest_first)
    next_token = base64.urlsafe_b64encode(str(start + limit).encode()).decode() if more else ""
    return ok({"continueToken": next_token, "versions": page})


def _find_version(dash: Dashboard, number: int) -> DashboardVersion | None:
    return next((entry for entry in dash.versions if entry.version == number), None)


@routes.route("GET", "/api/dashboards/uid/{uid}/versions/{version}", needs="dashboards:write")
def get_version(req: Request) -> Reply:
    dash = find_dashboard(req)
    try:
        number = int(req.params["version"])
    except ValueError:
        raise message_error(400, "id is invalid") from None
    entry = _find_version(dash, number)
    if entry is None:
        raise message_error(500, f"Dashboard version {number} not found for dashboardId {dash.id}", trace=True)
    return ok({**version_item(dash, entry), "data": entry.data})


@routes.route("POST", "/api/dashboards/uid/{uid}/restore", needs="dashboards:write")
def restore_version(req: Request) -> Reply:
    dash = find_dashboard(req)
    number = req.json_object().get("version")
    if not isinstance(number, int) or isinstance(number, bool):
        raise bad_request_data()
    entry = _find_version(dash, number)
    if entry is None:
        raise message_error(404, "Dashboard version not found")
    data = {**entry.data, "id": dash.id, "uid": dash.uid, "version": dash.version}
    cmd = SaveCommand(data, folder_uid=dash.folder_uid, message=f"Restored from version {number}", restored_from=number)
    profile = req.runtime.profile
    saved = save_dashboard(req.runtime.store, req.org, profile, cmd, req.login, req.actor_ref)
    return ok(save_reply(saved, profile))
