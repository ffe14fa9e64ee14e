"""Export endpoints of the provisioning API (grafana-api.md §7.5): rules, contact points, policies and mute
timings in the file-provisioning format, YAML by default, JSON on `format=json` or `Accept: application/json`."""

from __future__ import annotations

from typing import Any

import yaml

from dashkit.emulator.alerting import API, READ, alerting_state, empty, errutil_reason, failure, format_prom_duration
from dashkit.emulator.alerting.contact_points import point_json, sorted_points
from dashkit.emulator.alerting.rule_model import DASHBOARD_ANNOTATION, PANEL_ANNOTATION
from dashkit.emulator.alerting.rules import group_rules
from dashkit.emulator.replies import JSON, Reply, message_error
from dashkit.emulator.routing import Request, RouteTable
from dashkit.emulator.store import OrgState

routes = RouteTable()


class _Dumper(yaml.SafeDumper):
    """Indents sequences under their key, as Go's yaml.v3 does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def export_reply(req: Request, body: dict[str, Any]) -> Reply:
    """`format=` (yaml|json) wins over `Accept`; YAML otherwise. `download=true` makes it an attachment."""
    accept = req.headers.get("Accept") or ""
    fmt = "json" if "json" in accept else "yaml"
    if req.arg("format") in ("yaml", "json", "hcl"):
        fmt = req.arg("format")
    if fmt == "hcl":
        raise message_error(501, "HCL export is not implemented by the dashkit emulator")
    headers = {}
    if req.arg("download").lower() in ("1", "t", "true"):
        headers["Content-Disposition"] = f'attachment;filename="export.{fmt}"'
    if fmt == "json":
        return Reply(200, body, content_type=JSON, headers=headers)
    text = yaml.dump(body, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)
    content_type = "application/yaml" if headers else "text/yaml"
    return Reply(200, text.encode(), content_type=content_type, headers=headers)


def _escape(value: str) -> str:
    """Exported strings that file provisioning would expand get `$` doubled."""
    return value.replace("$", "$$")


def folder_path(org: OrgState, folder_uid: str) -> str:
    """The folder's full path of titles, `/` inside a title escaped."""
    folder = org.folders.get(folder_uid)
    if folder is None:
        return folder_uid
    titles = [f.title for f in org.ancestors(folder_uid)] + [folder.title]
    return "/".join(title.replace("/", "\\/") for title in titles)


def rule_export(rule: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"uid": rule["uid"], "title": _escape(rule["title"]), "condition": rule["condition"]}
    out["data"] = [_query_export(query) for query in rule["data"]]
    if rule["annotations"].get(DASHBOARD_ANNOTATION):
        out["dashboardUid"] = rule["annotations"][DASHBOARD_ANNOTATION]
        out["panelId"] = int(rule["annotations"][PANEL_ANNOTATION])
    if rule["record"] is None:
        out["noDataState"], out["execErrState"] = rule["noDataState"], rule["execErrState"]
    out["for"] = format_prom_duration(rule["forMs"])
    if rule["keepFiringForMs"]:
        out["keepFiringFor"] = format_prom_duration(rule["keepFiringForMs"])
    if rule["annotations"]:
        out["annotations"] = dict(sorted(rule["annotations"].items()))
    if rule["labels"]:
        out["labels"] = {key: _escape(value) for key, value in sorted(rule["labels"].items())}
    out["isPaused"] = rule["isPaused"]
    settings = rule["notification_settings"]
    if settings:
        out["notification_settings"] = {
            key: ([_escape(v) for v in value] if isinstance(value, list) else _escape(value))
            if key in ("receiver", "group_by", "mute_time_intervals") else value
            for key, value in settings.items()
        }  # fmt: skip
    if rule["record"]:
        out["record"] = dict(rule["record"])
    if rule["missingSeriesEvalsToResolve"] is not None:
        out["missingSeriesEvalsToResolve"] = rule["missingSeriesEvalsToResolve"]
    return out


def _query_export(query: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"refId": query["refId"]}
    if query["queryType"]:
        out["queryType"] = query["queryType"]
    out["relativeTimeRange"] = dict(query["relativeTimeRange"])
    out["datasourceUid"] = query["datasourceUid"]
    out["model"] = query["model"]
    return out


def _group_export(org: OrgState, members: list[dict[str, Any]]) -> dict[str, Any]:
    first = members[0]
    return {
        "orgId": org.id,
        "name": _escape(first["ruleGroup"]),
        "folder": _escape(folder_path(org, first["folderUID"])),
        "interval": format_prom_duration(first["interval"] * 1000),
        "rules": [rule_export(rule) for rule in members],
    }


def _rules_body(org: OrgState, groups: list[list[dict[str, Any]]]) -> dict[str, Any]:
    return {"apiVersion": 1, "groups": [_group_export(org, members) for members in groups]}


@routes.route("GET", f"{API}/alert-rules/export", needs=READ)
def export_rules(req: Request) -> Reply:
    """All groups (or those of the `folderUid`s); `group` needs exactly one folder; `ruleUid` stands alone."""
    folders, group, rule_uid = req.query.get("folderUid", []), req.arg("group"), req.arg("ruleUid")
    if rule_uid:
        if group or folders:
            raise failure(400, "group and folder should not be specified when a single rule is requested")
        return _export_rule(req, rule_uid)
    if group:
        if len(folders) != 1 or not folders[0]:
            raise failure(
                400, f"group name must be specified together with a single folder_uid parameter. Got {len(folders)}"
            )
        return _export_group(req, folders[0], group)
    state = alerting_state(req.org)
    keys = {
        (r["folderUID"], r["ruleGroup"]) for r in state["rules"].values() if not folders or r["folderUID"] in folders
    }
    if not keys:
        return empty(404)
    ordered = sorted(keys, key=lambda key: (folder_path(req.org, key[0]), key[1]))
    return export_reply(req, _rules_body(req.org, [group_rules(state, *key) for key in ordered]))


@routes.route("GET", f"{API}/alert-rules/{{uid}}/export", needs=READ)
def export_rule(req: Request) -> Reply:
    return _export_rule(req, req.params["uid"])


def _export_rule(req: Request, uid: str) -> Reply:
    rule = alerting_state(req.org)["rules"].get(uid)
    if rule is None:
        raise failure(404, "could not find alert rule")
    return export_reply(req, _rules_body(req.org, [[rule]]))


@routes.route("GET", f"{API}/folder/{{folderUid}}/rule-groups/{{group}}/export", needs=READ)
def export_group(req: Request) -> Reply:
    return _export_group(req, req.params["folderUid"], req.params["group"])


def _export_group(req: Request, folder_uid: str, group: str) -> Reply:
    members = group_rules(alerting_state(req.org), folder_uid, group)
    if not members:
        raise errutil_reason(req, 404, "alerting.alert-rule.notFound")
    return export_reply(req, _rules_body(req.org, [members]))


@routes.route("GET", f"{API}/contact-points/export", needs=READ)
def export_contact_points(req: Request) -> Reply:
    """Integrations grouped by name; secrets redacted unless an Admin asks for `decrypt=true`."""
    decrypt = req.arg("decrypt").lower() in ("1", "t", "true") and req.role == "Admin"
    grouped: dict[str, list[dict[str, Any]]] = {}
    for point in sorted_points(alerting_state(req.org), req.arg("name")):
        shown = point_json(point, decrypt=decrypt)
        receiver = {key: shown[key] for key in ("uid", "type", "settings", "disableResolveMessage")}
        grouped.setdefault(point["name"], []).append(receiver)
    points = [{"orgId": req.org_id, "name": name, "receivers": receivers} for name, receivers in grouped.items()]
    return export_reply(req, {"apiVersion": 1, "contactPoints": points})


@routes.route("GET", f"{API}/policies/export", needs=READ)
def export_policies(req: Request) -> Reply:
    return export_reply(
        req, {"apiVersion": 1, "policies": [{"orgId": req.org_id, **alerting_state(req.org)["policy"]}]}
    )


def _timing_export(org_id: int, timing: dict[str, Any]) -> dict[str, Any]:
    return {"orgId": org_id, "name": timing["name"], "time_intervals": timing["time_intervals"]}


@routes.route("GET", f"{API}/mute-timings/export", needs=READ)
def export_mute_timings(req: Request) -> Reply:
    timings = [_timing_export(req.org_id, t) for t in alerting_state(req.org)["muteTimings"]]
    return export_reply(req, {"apiVersion": 1, **({"muteTimes": timings} if timings else {})})


@routes.route("GET", f"{API}/mute-timings/{{name}}/export", needs=READ)
def export_mute_timing(req: Request) -> Reply:
    timing = next((t for t in alerting_state(req.org)["muteTimings"] if t["name"] == req.params["name"]), None)
    if timing is None:
        return empty(404)
    return export_reply(req, {"apiVersion": 1, "muteTimes": [_timing_export(req.org_id, timing)]})
