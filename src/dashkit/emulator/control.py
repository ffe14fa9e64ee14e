"""`/__emulator/*` control endpoints for tests and benchmarks: stats, faults, latency, provisioning, UI edits, reset.

`POST /__emulator/ui-edit` saves a dashboard as a person in Grafana's UI would:
`{"uid": "<uid>", "orgId": 1, "as_v2": true, "change": {<classic JSON fields to merge>}, "user": "<login>",
"message": "<commit message>", "force": false}` (only `uid` required). The stored dashboard is read as classic JSON
(down-converted if it is stored as v2), `change` is merged over its top-level fields, and the result is saved:
with `as_v2` (the default on 12/13, where the UI saves schema v2) as `v2beta1` on 12 / `v2` on 13, otherwise as
classic JSON (at the preferred dashboard version on 12/13). Like the UI's k8s PUT it keeps the labels and
annotations (manager ones included), moves the generation when the spec changed (converting to v2 always does),
and sets `updatedBy` to the user (`user` or the first Admin/Editor basic-auth user, default `admin`). A dashboard whose
manager does not allow edits is refused with 400 `Cannot save provisioned dashboard` unless `force` (the UI would not
let the person save), a repo-managed one always with 403. Answers `{"uid", "apiVersion", "version",
"resourceVersion"}`; `as_v2` on 11 is 400 (Grafana 11 has no schema v2)."""

from __future__ import annotations

from typing import Any

from dashkit.emulator.dashboard_objects import legacy_dashboard
from dashkit.emulator.dashboard_save import (
    MESSAGE,
    Actor,
    DashboardWrite,
    SaveCommand,
    commit_dashboard,
    save_dashboard,
    save_reply,
)
from dashkit.emulator.faults import FAULT_KINDS, FaultPlan, parse_fault_spec
from dashkit.emulator.managers import REPO, REPO_MESSAGE, locks_legacy_edits, manager_of
from dashkit.emulator.profile import DASHBOARD_GROUP
from dashkit.emulator.replies import Reply, bad_request_data, message_error, ok
from dashkit.emulator.routing import Request, RouteTable
from dashkit.schema_v2 import classic_to_v2

routes = RouteTable()


def _body(req: Request) -> dict[str, Any]:
    return req.json_object() if req.body.strip() else {}


@routes.route("GET", "/__emulator/stats", auth=False)
def get_stats(req: Request) -> Reply:
    return ok(req.runtime.stats.snapshot())


@routes.route("POST", "/__emulator/stats/reset", auth=False)
def reset_stats(req: Request) -> Reply:
    req.runtime.stats.reset()
    return ok(req.runtime.stats.snapshot())


@routes.route("GET", "/__emulator/faults", auth=False)
def get_faults(req: Request) -> Reply:
    return ok(req.runtime.faults.plan.describe())


@routes.route("POST", "/__emulator/faults", auth=False)
def set_faults(req: Request) -> Reply:
    body = _body(req)
    try:
        methods = body.get("methods") or ()
        seed = body.get("seed")
        plan = FaultPlan(
            rate=float(body.get("rate", 0.0)),
            kinds=parse_fault_spec(body.get("kinds") or FAULT_KINDS),
            retry_after=int(body.get("retry_after", body.get("retryAfter", 1))),
            seed=None if seed is None else int(seed),
            methods=tuple(str(m).upper() for m in methods),
            path_regex=body.get("path_regex") or body.get("pathRegex") or None,
            count=int(body["count"]) if body.get("count") is not None else None,
        )
    except (TypeError, ValueError) as exc:  # re.error is a ValueError
        raise message_error(400, f"invalid fault plan: {exc}") from None
    req.runtime.faults.configure(plan)
    return ok(plan.describe())


@routes.route("DELETE", "/__emulator/faults", auth=False)
def clear_faults(req: Request) -> Reply:
    req.runtime.faults.configure(FaultPlan())
    return ok(req.runtime.faults.plan.describe())


@routes.route("GET", "/__emulator/latency", auth=False)
def get_latency(req: Request) -> Reply:
    return ok({"ms": req.runtime.latency_ms})


@routes.route("POST", "/__emulator/latency", auth=False)
def set_latency(req: Request) -> Reply:
    ms = _body(req).get("ms", 0)
    if not isinstance(ms, int | float) or isinstance(ms, bool) or ms < 0:
        raise message_error(400, "latency 'ms' must be a non-negative number")
    req.runtime.latency_ms = float(ms)
    return ok({"ms": req.runtime.latency_ms})


@routes.route("POST", "/__emulator/health", auth=False)
def set_health(req: Request) -> Reply:
    """`{"database": "failing"}` makes /api/health answer 503, as when Grafana's DB probe fails."""
    database = _body(req).get("database", "ok")
    if database not in ("ok", "failing"):
        raise message_error(400, "'database' must be 'ok' or 'failing'")
    req.runtime.database_ok = database == "ok"
    return ok({"database": database})


@routes.route("POST", "/__emulator/provisioned", auth=False)
def provision_dashboard(req: Request) -> Reply:
    """Store a dashboard as if file-provisioned (`allowUiUpdates: false`): the API may not save or delete it."""
    body = _body(req)
    dashboard, folder_uid = body.get("dashboard"), body.get("folderUid")
    if not isinstance(dashboard, dict) or not isinstance(folder_uid, str | None):
        raise bad_request_data()
    req.org_id = int(body.get("orgId", 1))
    if req.runtime.store.org(req.org_id) is None:
        raise message_error(404, f"org {req.org_id} not found")
    external_id = body.get("externalId") or f"{dashboard.get('uid') or 'dashboard'}.json"
    cmd = SaveCommand(dashboard, folder_uid=folder_uid or "", overwrite=True, provisioned_external_id=external_id)
    profile = req.runtime.profile
    saved = save_dashboard(req.runtime.store, req.org, profile, cmd, "Anonymous")
    req.runtime.store.mark_dirty()
    return ok(save_reply(saved, profile))


def _ui_user(req: Request, login: str | None) -> Actor:
    """The person saving in the UI: the named basic-auth user, else the first Admin/Editor one, else `admin`."""
    users = req.runtime.credentials.users
    if login:
        identity = users.get(login)
        return Actor(login, f"user:{identity.uid if identity else login}")
    for identity in users.values():
        if identity.role in ("Admin", "Editor") and req.org_id in identity.orgs:
            return Actor(identity.login, f"user:{identity.uid}")
    return Actor("admin", "user:admin")


@routes.route("POST", "/__emulator/ui-edit", auth=False)
def ui_edit(req: Request) -> Reply:
    """Save a dashboard as the Grafana UI would on this profile (see the module docstring)."""
    body = _body(req)
    profile = req.runtime.profile
    uid, change, user, message = body.get("uid"), body.get("change") or {}, body.get("user"), body.get("message")
    as_v2, force = body.get("as_v2", profile.serves_apis), body.get("force", False)
    org_id = body.get("orgId", 1)
    if (
        not isinstance(uid, str)
        or not isinstance(change, dict)
        or not isinstance(user, str | None)
        or not isinstance(message, str | None)
        or not isinstance(as_v2, bool)
        or not isinstance(force, bool)
        or not isinstance(org_id, int)
    ):
        raise bad_request_data()
    if as_v2 and not profile.serves_apis:
        raise message_error(400, f"Grafana {profile.version} has no schema v2 dashboards (use the 12 or 13 profile)")
    req.org_id = org_id
    if req.runtime.store.org(org_id) is None:
        raise message_error(404, f"org {org_id} not found")
    dash = req.org.dashboards.get(uid)
    if dash is None:
        raise message_error(404, "Dashboard not found")
    manager = manager_of(dash.annotations)
    if manager is not None and manager.kind == REPO:
        raise message_error(403, REPO_MESSAGE)
    if locks_legacy_edits(dash.annotations) and not force:
        raise message_error(400, "Cannot save provisioned dashboard")
    classic = {k: v for k, v in legacy_dashboard(dash).items() if k not in ("id", "uid", "version")}
    merged = {**classic, **change}
    if as_v2:
        data, api_version = classic_to_v2(merged, profile.ui_dashboard_version), profile.ui_dashboard_version
    else:
        data, api_version = merged, profile.preferred_version(DASHBOARD_GROUP)
    annotations = {k: v for k, v in dash.annotations.items() if k != MESSAGE}
    if message:
        annotations[MESSAGE] = message
    write = DashboardWrite(uid, dash.folder_uid, data, api_version, dict(dash.labels), annotations, message or "")
    record = commit_dashboard(
        req.runtime.store, req.org, dash, write, _ui_user(req, user), always_new_version=not profile.serves_apis
    )
    req.runtime.store.mark_dirty()
    return ok(
        {
            "uid": record.uid,
            "apiVersion": record.api_version,
            "version": record.version,
            "resourceVersion": record.resource_version,
        }
    )


@routes.route("POST", "/__emulator/reset", auth=False)
def reset(req: Request) -> Reply:
    req.runtime.reset()
    return ok({"message": "emulator reset"})
