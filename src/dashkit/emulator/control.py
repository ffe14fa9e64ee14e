"""`/__emulator/*` control endpoints for tests and benchmarks: stats, faults, latency, provisioning, reset."""

from __future__ import annotations

from typing import Any

from dashkit.emulator.dashboard_save import SaveCommand, save_dashboard, save_reply
from dashkit.emulator.faults import FAULT_KINDS, FaultPlan, parse_fault_spec
from dashkit.emulator.replies import Reply, bad_request_data, message_error, ok
from dashkit.emulator.routing import Request, RouteTable

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


@routes.route("POST", "/__emulator/reset", auth=False)
def reset(req: Request) -> Reply:
    req.runtime.reset()
    return ok({"message": "emulator reset"})
