"""Alerting provisioning API (grafana-api.md §7): per-org state, provenance, durations and error bodies shared
by the modules of this package."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from dashkit.emulator.auth import grant
from dashkit.emulator.naming import uid_is_too_long, uid_is_valid
from dashkit.emulator.replies import ApiError, Reply, bad_request_data, errutil_error, message_error, status_reason
from dashkit.emulator.routing import Deprecation, Request
from dashkit.emulator.store import OrgState

API = "/api/v1/provisioning"
READ = "alert.provisioning:read"
WRITE = "alert.provisioning:write"
DEFAULT_RECEIVER = "grafana-default-email"
REDACTED = "[REDACTED]"
ALL_LABELS = "..."

grant("Editor", READ, WRITE)

_NOTIFICATIONS_V1 = "/apis/notifications.alerting.grafana.app/v1beta1/namespaces/{namespace}"
_DEPRECATION_DATE = "2026-04-07"  # contact points, per Amazon Managed Grafana's v13 API page; the others [unverified]


def _deprecated_for(replacement: str) -> Deprecation:
    return Deprecation(replacement, _DEPRECATION_DATE, lambda profile: profile.legacy_alerting_provisioning_deprecated)


# 13 deprecates the provisioning routes in favour of the app-platform resources (grafana-api.md §14.9); the
# replacement paths of templates, mute timings, policies and rules are [unverified].
CONTACT_POINTS_DEPRECATED = _deprecated_for(f"{_NOTIFICATIONS_V1}/receivers")
POLICIES_DEPRECATED = _deprecated_for(f"{_NOTIFICATIONS_V1}/routingtrees")
TEMPLATES_DEPRECATED = _deprecated_for(f"{_NOTIFICATIONS_V1}/templategroups")
MUTE_TIMINGS_DEPRECATED = _deprecated_for(f"{_NOTIFICATIONS_V1}/timeintervals")
RULES_DEPRECATED = _deprecated_for("/apis/rules.alerting.grafana.app/v0alpha1/namespaces/{namespace}/alertrules")


def alerting_state(org: OrgState) -> dict[str, Any]:
    """The org's alerting state in `org.extras` (persisted and reset with the rest), created on first use."""
    state = org.extras.get("alerting")
    if state is None:
        state = org.extras["alerting"] = {
            "rules": {},
            "nextRuleId": 1,
            "contactPoints": [default_contact_point(org.id)],
            "policy": default_policy(),
            "policyProvenance": "",
            "templates": {},
            "muteTimings": [],
        }
    return state


def object_meta(state: dict[str, Any], resource: str) -> dict[str, dict[str, Any]]:
    """The labels and annotations clients sent with notification resources through `/apis` (grafana-api.md §14.9),
    by resource (`receivers`, ...) and the object's legacy name; created on first use."""
    return state.setdefault("objectMeta", {}).setdefault(resource, {})


def forget_object_meta(state: dict[str, Any], resource: str, name: str) -> None:
    """The object is gone: a later one of the same name starts without the old labels and annotations."""
    state.get("objectMeta", {}).get(resource, {}).pop(name, None)


def move_object_meta(state: dict[str, Any], resource: str, old: str, new: str) -> None:
    """The object was renamed: its labels and annotations follow it."""
    held = state.get("objectMeta", {}).get(resource, {})
    if old in held:
        held[new] = held.pop(old)


def stored_rules(org: OrgState) -> dict[str, dict[str, Any]]:
    """The org's rules by uid, without creating any state (folder DELETE asks this for every org)."""
    return org.extras.get("alerting", {}).get("rules", {})


def default_contact_point(org_id: int) -> dict[str, Any]:
    digest = hashlib.sha1(f"{DEFAULT_RECEIVER}/{org_id}".encode()).hexdigest()
    return {
        "uid": "d" + digest[:13],
        "name": DEFAULT_RECEIVER,
        "type": "email",
        "settings": {"addresses": "<example@email.com>"},
        "secureSettings": {},
        "disableResolveMessage": False,
        "provenance": "",
    }


def default_policy() -> dict[str, Any]:
    return {"receiver": DEFAULT_RECEIVER, "group_by": ["grafana_folder", "alertname"]}


def receiver_names(state: dict[str, Any]) -> set[str]:
    return {point["name"] for point in state["contactPoints"]}


def time_interval_names(state: dict[str, Any]) -> set[str]:
    return {timing["name"] for timing in state["muteTimings"]}


def rule_settings(state: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(rule, notification_settings) for every rule with simplified routing."""
    for rule in state["rules"].values():
        if rule.get("notification_settings"):
            yield rule, rule["notification_settings"]


# ---- provenance (§7.1) --------------------------------------------------------------------------------------


def request_provenance(req: Request) -> str:
    """`api`, or `""` when the request carries `X-Disable-Provenance` (any value: presence is what matters)."""
    return "" if "X-Disable-Provenance" in req.headers else "api"


def with_provenance(body: dict[str, Any], provenance: str) -> dict[str, Any]:
    """`provenance` is omitted from JSON when empty."""
    if provenance:
        body["provenance"] = provenance
    return body


def check_relaxed_provenance(stored: str, requested: str) -> None:
    """Contact points, policies, templates, mute timings: a provisioned resource cannot become UI-managed."""
    if stored and not requested:
        source, target = stored, "none"
        raise errutil_error(
            403,
            "alerting.notifications.invalidProvenance",
            f"Resource with provenance status '{source}' cannot be managed via API that handles resources with "
            f"provenance status '{target}'. You must use appropriate API to manage this resource",
            {"SourceProvenance": source, "TargetProvenance": target},
        )


def provenance_mismatch(operation: str, requested: str, stored: str) -> ApiError:
    return errutil_error(
        409,
        "alerting.provenanceMismatch",
        f"cannot {operation} with provided provenance '{requested}', needs '{stored}'",
        {"Operation": operation, "ProvidedProvenance": requested, "StoredProvenance": stored},
    )


# ---- errors -------------------------------------------------------------------------------------------------


def reason(req: Request, status: int) -> str:
    return status_reason(status, k8s_style=req.runtime.profile.at_least(12))


def errutil_reason(req: Request, status: int, message_id: str, extra: dict[str, Any] | None = None) -> ApiError:
    """An errutil error configured without a public message: the body carries the status reason."""
    return errutil_error(status, message_id, reason(req, status), extra)


def failure(status: int, message: str) -> ApiError:
    """ngalert's `ErrResp`: the error text as `message`, with the `traceID` of an attached error."""
    return message_error(status, message, trace=True)


def empty(status: int) -> Reply:
    return Reply(status, b"")


def uid_problem(uid: str) -> str | None:
    """`util.ValidateUID` for a uid the client chose, or None when it is fine."""
    if not uid:
        return "UID is empty"
    if uid_is_too_long(uid):
        return "UID is longer than 40 symbols"
    if not uid_is_valid(uid):
        return "invalid format of UID. Only letters, numbers, '-' and '_' are allowed"
    return None


# ---- durations ----------------------------------------------------------------------------------------------

_PROM_UNITS = (("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
               ("m", 60_000), ("s", 1000), ("ms", 1))  # fmt: skip
_PROM_DURATION = re.compile("^" + "".join(rf"(?:(\d+){unit})?" for unit, _ in _PROM_UNITS) + "$")


def parse_prom_duration(value: Any) -> int:
    """Milliseconds in a Prometheus duration (`5m`, `300s`, `1h30m`, `0`); a leading `-` is kept so the caller
    can refuse it as negative. Anything else is a bind error."""
    if not isinstance(value, str):
        raise bad_request_data()
    sign = -1 if value.startswith("-") else 1
    body = value[1:] if sign < 0 else value
    if body == "0":
        return 0
    match = _PROM_DURATION.match(body)
    if not body or match is None:
        raise bad_request_data()
    return sign * sum(int(count) * size for count, (_, size) in zip(match.groups(), _PROM_UNITS, strict=True) if count)


def format_prom_duration(ms: int) -> str:
    """`model.Duration.String()`: `5m`, `1h30m`, `0s`; years and weeks only when they divide exactly."""
    if ms == 0:
        return "0s"
    sign, ms = ("-", -ms) if ms < 0 else ("", ms)
    out = ""
    for unit, size in _PROM_UNITS:
        if unit in ("y", "w") and ms % size:
            continue
        count, ms = divmod(ms, size)
        if count:
            out += f"{count}{unit}"
    return sign + out


def go_duration(seconds: int) -> str:
    """Go's `time.Duration.String()` for whole seconds: `15s`, `1m5s`, `1h0m0s`."""
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{sign}{minutes}m{secs}s"
    return f"{sign}{secs}s"


def fnv64(data: bytes) -> str:
    """Go's `hash/fnv.New64` (FNV-1) as 16 hex digits: the `version` of templates and mute timings."""
    value = 0xCBF29CE484222325
    for byte in data:
        value = (value * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        value ^= byte
    return f"{value:016x}"
