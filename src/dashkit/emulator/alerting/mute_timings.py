"""Mute timings of the provisioning API (grafana-api.md §7.9): Alertmanager time intervals, parsed and written
back in Alertmanager's spelling (`monday:friday`, `january:march`), guarded while policies or rules use them."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from dashkit.emulator.alerting import (
    API,
    MUTE_TIMINGS_DEPRECATED,
    READ,
    WRITE,
    alerting_state,
    check_relaxed_provenance,
    empty,
    errutil_reason,
    fnv64,
    forget_object_meta,
    move_object_meta,
    request_provenance,
    rule_settings,
    with_provenance,
)
from dashkit.emulator.alerting.policies import rename_time_interval, uses_time_interval
from dashkit.emulator.binding import text
from dashkit.emulator.replies import ApiError, Reply, bad_request_data, errutil_error, ok
from dashkit.emulator.routing import Request, RouteTable

routes = RouteTable()
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
_CLOCK = re.compile(r"^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$")
_TIME_INTERVAL_KEYS = ("mute_time_intervals", "active_time_intervals")


def _range(value: Any, parse: Any) -> tuple[int, int]:
    """`begin:end` or a single value; every part through `parse`; a bad one is a bind error."""
    parts = str(value).split(":") if isinstance(value, str | int) and not isinstance(value, bool) else []
    if len(parts) not in (1, 2):
        raise bad_request_data()
    begin, end = parse(parts[0]), parse(parts[-1])
    if begin > end:
        raise bad_request_data()
    return begin, end


def _name_index(names: tuple[str, ...], offset: int) -> Any:
    def parse(part: str) -> int:
        lowered = part.strip().lower()
        if lowered in names:
            return names.index(lowered) + offset
        if offset and lowered.isdigit() and 1 <= int(lowered) <= len(names):
            return int(lowered)
        raise bad_request_data()

    return parse


def _day_of_month(part: str) -> int:
    if not re.fullmatch(r"-?\d+", part.strip()) or not 1 <= abs(int(part)) <= 31:
        raise bad_request_data()
    day = int(part)
    return day if day > 0 else day + 64  # counted from the month's end: -1 (last day) sorts after 31


def _year(part: str) -> int:
    if not part.strip().isdigit():
        raise bad_request_data()
    return int(part)


def _minutes(value: Any) -> int:
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise bad_request_data()
    hours, minutes = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return int(hours) * 60 + int(minutes)


def _spell(begin: str, end: str) -> str:
    return begin if begin == end else f"{begin}:{end}"


def _day_name(day: int) -> str:
    return str(day if day <= 31 else day - 64)


def parse_time_interval(raw: Any) -> dict[str, Any]:
    """One Alertmanager `TimeInterval`, normalised the way Alertmanager marshals it back."""
    if not isinstance(raw, dict):
        raise bad_request_data()
    out: dict[str, Any] = {}
    if raw.get("times"):
        out["times"] = []
        for item in _list(raw["times"]):
            if not isinstance(item, dict):
                raise bad_request_data()
            start, end = _minutes(item.get("start_time")), _minutes(item.get("end_time"))
            if start >= end:
                raise bad_request_data()
            out["times"].append({"start_time": f"{start // 60:02d}:{start % 60:02d}",
                                 "end_time": f"{end // 60:02d}:{end % 60:02d}"})  # fmt: skip
    spellings = (
        ("weekdays", _name_index(WEEKDAYS, 0), lambda i: WEEKDAYS[i]),
        ("days_of_month", _day_of_month, _day_name),
        ("months", _name_index(MONTHS, 1), lambda i: MONTHS[i - 1]),
        ("years", _year, str),
    )
    for key, parse, name in spellings:
        if raw.get(key):
            out[key] = [_spell(*(name(i) for i in _range(value, parse))) for value in _list(raw[key])]
    if raw.get("location"):
        out["location"] = text(raw, "location")
    return out


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise bad_request_data()
    return value


def _parse(body: Any, path_name: str = "") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request_data()
    name = text(body, "name") or path_name
    intervals = [parse_time_interval(item) for item in _list(body.get("time_intervals") or [])]
    if not name:
        raise errutil_error(
            400,
            "alerting.notifications.time-intervals.invalidFormat",
            "Time interval is in invalid format. Correct the payload and try again.",
            {"Error": "missing name in mute time interval"},
        )
    return {"name": name, "time_intervals": intervals, "version": text(body, "version")}


def timing_version(timing: dict[str, Any]) -> str:
    canonical = json.dumps([timing["name"], timing["time_intervals"]], sort_keys=True, separators=(",", ":"))
    return fnv64(canonical.encode())


def timing_uid(name: str) -> str:
    """`legacy_storage.NameToUid`: the name, base64url without padding."""
    return base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")


def timing_json(timing: dict[str, Any]) -> dict[str, Any]:
    body = {"name": timing["name"], "time_intervals": timing["time_intervals"], "version": timing_version(timing)}
    return with_provenance(body, timing["provenance"])


def _find(state: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((t for t in state["muteTimings"] if t["name"] == name), None)


def _not_found(req: Request) -> ApiError:
    return errutil_reason(req, 404, "alerting.notifications.time-intervals.notFound")


def timing_name_exists() -> ApiError:
    return errutil_error(
        400,
        "alerting.notifications.time-intervals.nameExists",
        "Time interval with this name already exists. Use a different name or update existing one.",
    )


def _check_version(req: Request, wanted: str, stored: dict[str, Any]) -> None:
    if wanted and wanted != timing_version(stored):
        raise errutil_reason(req, 409, "alerting.notifications.conflict")


def _rules_using(state: dict[str, Any], name: str) -> list[str]:
    return sorted(
        rule["uid"] for rule, s in rule_settings(state) if any(name in s.get(k, ()) for k in _TIME_INTERVAL_KEYS)
    )


def timing_in_use(req: Request, state: dict[str, Any], name: str) -> ApiError | None:
    """409 `time-intervals.used` (extra: `UsedByRoutes`, `UsedByRules`) while a policy or a rule's notification
    settings use the timing; None when nothing does."""
    rules, by_routes = _rules_using(state, name), uses_time_interval(state["policy"], name)
    if not rules and not by_routes:
        return None
    extra: dict[str, Any] = {"UsedByRoutes": True} if by_routes else {}
    if rules:
        extra["UsedByRules"] = rules
    return errutil_reason(req, 409, "alerting.notifications.time-intervals.used", extra)


def rename_timing_references(state: dict[str, Any], old: str, new: str) -> None:
    """A timing renamed: the policy tree, rules' notification settings and the labels and annotations of its
    time interval (`/apis`) follow the new name."""
    rename_time_interval(state["policy"], old, new)
    move_object_meta(state, "timeintervals", old, new)
    for _, settings in rule_settings(state):
        for key in _TIME_INTERVAL_KEYS:
            if old in settings.get(key, ()):
                settings[key] = [new if n == old else n for n in settings[key]]


@routes.route("GET", f"{API}/mute-timings", needs=READ, deprecation=MUTE_TIMINGS_DEPRECATED)
def list_mute_timings(req: Request) -> Reply:
    return ok([timing_json(t) for t in alerting_state(req.org)["muteTimings"]])


@routes.route("GET", f"{API}/mute-timings/{{name}}", needs=READ, deprecation=MUTE_TIMINGS_DEPRECATED)
def get_mute_timing(req: Request) -> Reply:
    timing = _find(alerting_state(req.org), req.params["name"])
    if timing is None:
        raise _not_found(req)
    return ok(timing_json(timing))


@routes.route("POST", f"{API}/mute-timings", needs=WRITE, deprecation=MUTE_TIMINGS_DEPRECATED)
def create_mute_timing(req: Request) -> Reply:
    state = alerting_state(req.org)
    timing = _parse(req.json())
    if _find(state, timing["name"]) is not None:
        raise timing_name_exists()
    stored = {"name": timing["name"], "time_intervals": timing["time_intervals"], "provenance": request_provenance(req)}
    state["muteTimings"].append(stored)
    return ok(timing_json(stored), 201)


@routes.route("PUT", f"{API}/mute-timings/{{name}}", needs=WRITE, deprecation=MUTE_TIMINGS_DEPRECATED)
def update_mute_timing(req: Request) -> Reply:
    """202. A body `name` other than the path's makes the path a uid: the timing is renamed, references too."""
    state = alerting_state(req.org)
    path = req.params["name"]
    timing = _parse(req.json(), path)
    if timing["name"] == path:
        stored = _find(state, path)
    else:
        stored = next((t for t in state["muteTimings"] if timing_uid(t["name"]) == path), None)
    if stored is None:
        raise _not_found(req)
    provenance = request_provenance(req)
    check_relaxed_provenance(stored["provenance"], provenance)
    _check_version(req, timing["version"], stored)
    if timing["name"] != stored["name"]:
        if _find(state, timing["name"]) is not None:
            raise timing_name_exists()
        rename_timing_references(state, stored["name"], timing["name"])
    stored.update(name=timing["name"], time_intervals=timing["time_intervals"], provenance=provenance)
    return ok(timing_json(stored), 202)


@routes.route("DELETE", f"{API}/mute-timings/{{name}}", needs=WRITE, deprecation=MUTE_TIMINGS_DEPRECATED)
def delete_mute_timing(req: Request) -> Reply:
    """204, also when there is no such timing; 409 while a policy or a rule's notification settings use it."""
    state = alerting_state(req.org)
    timing = _find(state, req.params["name"])
    if timing is None:
        return empty(204)
    check_relaxed_provenance(timing["provenance"], request_provenance(req))
    in_use = timing_in_use(req, state, timing["name"])
    if in_use is not None and uses_time_interval(state["policy"], timing["name"]):
        raise in_use
    _check_version(req, req.arg("version"), timing)
    if in_use is not None:
        raise in_use
    state["muteTimings"].remove(timing)
    forget_object_meta(state, "timeintervals", timing["name"])
    return empty(204)
