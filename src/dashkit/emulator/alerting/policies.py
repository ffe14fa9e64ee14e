"""The notification policy tree of the provisioning API (grafana-api.md §7.7): get, replace, reset; and the
route walks that contact points and mute timings use to find and rename references."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from dashkit.emulator.alerting import (
    ALL_LABELS,
    API,
    POLICIES_DEPRECATED,
    READ,
    WRITE,
    alerting_state,
    check_relaxed_provenance,
    default_policy,
    failure,
    forget_object_meta,
    parse_prom_duration,
    receiver_names,
    request_provenance,
    time_interval_names,
    with_provenance,
)
from dashkit.emulator.binding import flag, string_list, string_map, text
from dashkit.emulator.replies import ApiError, Reply, bad_request_data, ok
from dashkit.emulator.routing import Request, RouteTable

routes = RouteTable()
MATCH_OPERATORS = ("=", "!=", "=~", "!~")
USER_DEFINED_TREE = "user-defined"  # the policy tree's name as a `routingtrees` resource (grafana-api.md §14.9)
DURATIONS = ("group_wait", "group_interval", "repeat_interval")


def invalid_policy(message: str) -> ApiError:
    return failure(400, f"invalid object specification: {message}")


def parse_route(raw: Any) -> dict[str, Any]:
    """A `Route` as Grafana stores it: known fields only, in JSON order, empty ones left out. Durations keep the
    spelling the client sent (they must parse)."""
    if not isinstance(raw, dict):
        raise bad_request_data()
    route: dict[str, Any] = {}
    if text(raw, "receiver"):
        route["receiver"] = raw["receiver"]
    for key in ("group_by", "matchers"):
        if raw.get(key):
            route[key] = string_list(raw[key])
    for key in ("match", "match_re"):
        if raw.get(key):
            route[key] = string_map(raw[key])
    if raw.get("object_matchers"):
        route["object_matchers"] = [_matcher(m) for m in _list(raw["object_matchers"])]
    for key in ("mute_time_intervals", "active_time_intervals"):
        if raw.get(key):
            route[key] = string_list(raw[key])
    if flag(raw, "continue"):
        route["continue"] = True
    if raw.get("routes"):
        route["routes"] = [parse_route(child) for child in _list(raw["routes"])]
    for key in DURATIONS:
        if raw.get(key) is not None:
            if parse_prom_duration(raw[key]) < 0:
                raise bad_request_data()
            route[key] = raw[key]
    return route


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise bad_request_data()
    return value


def _matcher(value: Any) -> list[str]:
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(isinstance(part, str) for part in value)
        or value[1] not in MATCH_OPERATORS
    ):
        raise bad_request_data()
    return list(value)


def validate_tree(tree: dict[str, Any], receivers: set[str], time_intervals: set[str]) -> None:
    problem = tree_problem(tree, receivers, time_intervals)
    if problem:
        raise invalid_policy(problem)


def tree_problem(tree: dict[str, Any], receivers: set[str], time_intervals: set[str]) -> str | None:
    """`Route.Validate`, then every receiver and time interval the tree names must exist: what is wrong, or None."""
    if not tree.get("receiver"):
        return "root route must specify a default receiver"
    if any(tree.get(key) for key in ("match", "match_re", "matchers", "object_matchers")):
        return "root route must not have any matchers"
    for kind in ("mute", "active"):
        if tree.get(f"{kind}_time_intervals"):
            return f"root route must not have any {kind} time intervals"
    for route in walk(tree):
        problem = _route_problem(route)
        if problem:
            return problem
        if route.get("receiver") and route["receiver"] not in receivers:
            return f"receiver '{route['receiver']}' does not exist"
        for kind in ("mute", "active"):
            for name in route.get(f"{kind}_time_intervals", ()):
                if name not in time_intervals:
                    return f"{kind} time interval '{name}' does not exist"
    return None


def _route_problem(route: dict[str, Any]) -> str | None:
    group_by = route.get("group_by", [])
    if ALL_LABELS in group_by and len(group_by) > 1:
        return "cannot have wildcard group_by (`...`) and other other labels at the same time"
    duplicated = next((label for i, label in enumerate(group_by) if label in group_by[:i]), None)
    if duplicated is not None:
        return f'duplicated label "{duplicated}" in group_by'
    for key in ("group_interval", "repeat_interval"):
        if key in route and parse_prom_duration(route[key]) == 0:
            return f"{key} cannot be zero"
    return None


def walk(route: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield route
    for child in route.get("routes", ()):
        yield from walk(child)


def uses_receiver(tree: dict[str, Any], name: str) -> bool:
    return any(route.get("receiver") == name for route in walk(tree))


def uses_time_interval(tree: dict[str, Any], name: str) -> bool:
    keys = ("mute_time_intervals", "active_time_intervals")
    return any(name in route.get(key, ()) for route in walk(tree) for key in keys)


def rename_receiver(tree: dict[str, Any], old: str, new: str) -> None:
    for route in walk(tree):
        if route.get("receiver") == old:
            route["receiver"] = new


def rename_time_interval(tree: dict[str, Any], old: str, new: str) -> None:
    for route in walk(tree):
        for key in ("mute_time_intervals", "active_time_intervals"):
            if old in route.get(key, ()):
                route[key] = [new if name == old else name for name in route[key]]


def policy_json(state: dict[str, Any]) -> dict[str, Any]:
    return with_provenance(copy.deepcopy(state["policy"]), state["policyProvenance"])


@routes.route("GET", f"{API}/policies", needs=READ, deprecation=POLICIES_DEPRECATED)
def get_policies(req: Request) -> Reply:
    return ok(policy_json(alerting_state(req.org)))


@routes.route("PUT", f"{API}/policies", needs=WRITE, deprecation=POLICIES_DEPRECATED)
def put_policies(req: Request) -> Reply:
    """202; the whole tree is replaced. A receiver or time interval it names must exist."""
    state = alerting_state(req.org)
    tree = parse_route(req.json_object())
    validate_tree(tree, receiver_names(state), time_interval_names(state))
    provenance = request_provenance(req)
    check_relaxed_provenance(state["policyProvenance"], provenance)
    state["policy"], state["policyProvenance"] = tree, provenance
    return ok({"message": "policies updated"}, 202)


@routes.route("DELETE", f"{API}/policies", needs=WRITE, deprecation=POLICIES_DEPRECATED)
def reset_policies(req: Request) -> Reply:
    """202 with the default tree; this also drops the provenance, so the UI may edit the tree again."""
    state = alerting_state(req.org)
    state["policy"], state["policyProvenance"] = default_policy(), ""
    forget_object_meta(state, "routingtrees", USER_DEFINED_TREE)
    return ok(policy_json(state), 202)
