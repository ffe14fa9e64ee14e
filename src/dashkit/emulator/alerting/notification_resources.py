"""The `notifications.alerting.grafana.app` resources (grafana-api.md §14.9) as views of the provisioning API's
alerting state: one class per resource converts between its spec and the stored contact points, policy tree,
templates, mute timings or inhibition rules, so a write through either API is seen by both."""

from __future__ import annotations

import copy
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from dashkit.emulator import k8s
from dashkit.emulator.alerting import (
    default_policy,
    errutil_reason,
    fnv64,
    format_prom_duration,
    parse_prom_duration,
    receiver_names,
    rule_settings,
    time_interval_names,
    uid_problem,
)
from dashkit.emulator.alerting.contact_points import (
    SECURE_SETTINGS,
    find_point,
    point_problem,
    rename_receiver_references,
    split_secrets,
)
from dashkit.emulator.alerting.mute_timings import (
    parse_time_interval,
    rename_timing_references,
    timing_in_use,
    timing_name_exists,
    timing_uid,
    timing_version,
)
from dashkit.emulator.alerting.policies import (
    DURATIONS,
    MATCH_OPERATORS,
    USER_DEFINED_TREE,
    parse_route,
    tree_problem,
    uses_receiver,
    walk,
)
from dashkit.emulator.alerting.templates import invalid_template, normalize_template, template_problem, template_version
from dashkit.emulator.naming import generate_uid
from dashkit.emulator.profile import NOTIFICATIONS_GROUP as GROUP
from dashkit.emulator.replies import ApiError, Reply, errutil_error
from dashkit.emulator.routing import Request

INTEGRATION_VERSION = "v1"  # the schema version of every Grafana-managed integration
CAN_USE = "grafana.com/canUse"
# What a role may do with a receiver, as `grafana.com/access/<action>: "true"` annotations on reads. The keys are the
# ones `receiver/conversions.go@01c8a96` maps; which basic role holds which permission is [unverified].
RECEIVER_ACCESS = {
    "Admin": ("canAdmin", "canDelete", "canModifyProtected", "canReadSecrets", "canTest", "canWrite"),
    "Editor": ("canDelete", "canTest", "canWrite"),
}
# An Alertmanager matcher as the provisioning API's `matchers` strings spell it: `label<op>value`, either side quoted
_MATCHER = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[^\s!=~"]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$')


class SpecError(Exception):
    """A body the apiserver cannot decode into the resource's Go type (a wrong JSON type, a missing object)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


@dataclass
class Stored:
    """One resource as the API shows it: `name` is `metadata.name`, `key` the legacy name its labels and annotations
    are kept under, `computed` the annotations the server adds on reads (access, in-use)."""

    name: str
    key: str
    spec: dict[str, Any]
    version: str
    provenance: str
    computed: dict[str, str] = field(default_factory=dict)


class NotificationResource(ABC):
    """One resource of the group: list, find, create, update and delete over the alerting state."""

    resource: str
    kind: str
    records_provenance = True  # a write stores the provenance its annotation asks for

    @abstractmethod
    def all(self, req: Request, state: dict[str, Any]) -> list[Stored]:
        """Every object of this resource in the org."""

    def find(self, req: Request, state: dict[str, Any], name: str) -> Stored | None:
        return next((item for item in self.all(req, state) if item.name == name), None)

    def not_found(self, req: Request, name: str) -> ApiError:
        return k8s.not_found(self.resource, GROUP, name)

    def conflict(self, req: Request, stored: Stored, wanted: str) -> ApiError:
        """A stale `resourceVersion`: the legacy service's optimistic-lock error (`ErrVersionConflict`)."""
        return errutil_reason(req, 409, "alerting.notifications.conflict")

    def check_create(self, name: str) -> None:
        """Before a create: the name comes from the spec, so a `metadata.name` is 400 (`legacy_storage.go`:
        "object's metadata.name should be empty")."""
        if name:
            raise k8s.bad_request("object's metadata.name should be empty")

    @abstractmethod
    def create(self, req: Request, state: dict[str, Any], spec: dict[str, Any], name: str, provenance: str) -> Stored:
        """Store a new object; `name` is the client's `metadata.name` (empty where names come from the spec)."""

    @abstractmethod
    def update(
        self, req: Request, state: dict[str, Any], stored: Stored, spec: dict[str, Any], provenance: str
    ) -> Stored:
        """Replace `stored` by `spec` (a changed title or name renames the object and what refers to it)."""

    @abstractmethod
    def delete(self, req: Request, state: dict[str, Any], stored: Stored) -> None:
        """Remove `stored`, or refuse while something uses it."""


# ---- shared spec readers: a wrong JSON type is a decoding error -------------------------------------------------


def _text(kind: str, raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SpecError(kind, f"spec.{key}: expected a string")
    return value


def _texts(kind: str, value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SpecError(kind, f"{where}: expected a list of strings")
    return list(value)


def _objects(kind: str, value: Any, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise SpecError(kind, f"{where}: expected a list of objects")
    return value


def _invalid_format(message_id: str, message: str, reason: str) -> ApiError:
    """An errutil `invalidFormat` error whose template puts the reason in `extra.Error`."""
    return errutil_error(400, message_id, message, {"Error": reason})


# ---- receivers <-> contact points -------------------------------------------------------------------------------


def _invalid_receiver(reason: str) -> ApiError:
    """`ErrReceiverInvalid`: 400 `Invalid receiver: '<reason>'`."""
    return errutil_error(
        400, "alerting.notifications.receivers.invalid", f"Invalid receiver: '{reason}'", {"Reason": reason}
    )


def _receiver_exists() -> ApiError:
    return errutil_error(
        409,
        "alerting.notifications.receivers.exists",
        "Receiver with this name already exists. Use a different name or update an existing one.",
    )


def _rules_notifying(state: dict[str, Any], title: str) -> list[str]:
    return sorted(rule["uid"] for rule, settings in rule_settings(state) if settings["receiver"] == title)


def _integration_json(point: dict[str, Any]) -> dict[str, Any]:
    """One integration of a receiver: secrets never come back, their keys are listed in `secureFields`."""
    body: dict[str, Any] = {
        "uid": point["uid"],
        "type": point["type"],
        "version": INTEGRATION_VERSION,
        "disableResolveMessage": point["disableResolveMessage"],
        "settings": copy.deepcopy(point["settings"]),
    }
    if point["secureSettings"]:
        body["secureFields"] = {key: True for key in sorted(point["secureSettings"])}
    return body


def _receiver_version(title: str, points: list[dict[str, Any]]) -> str:
    """The receiver's fingerprint (`Receiver.Fingerprint`: name and every integration, secrets included)."""
    parts = [[p["uid"], p["type"], p["disableResolveMessage"], p["settings"], p["secureSettings"]] for p in points]
    return fnv64(json.dumps([title, parts], sort_keys=True, separators=(",", ":")).encode())


class Receivers(NotificationResource):
    """`Receiver {title, integrations}`: all contact-point integrations of one name; `metadata.name` is the title
    base64url-encoded without padding (`legacy_storage.NameToUid`)."""

    resource, kind = "receivers", "Receiver"

    def all(self, req: Request, state: dict[str, Any]) -> list[Stored]:
        by_title: dict[str, list[dict[str, Any]]] = {}
        for point in state["contactPoints"]:
            by_title.setdefault(point["name"], []).append(point)
        return [self._stored(req, state, title, points) for title, points in by_title.items()]

    def _stored(self, req: Request, state: dict[str, Any], title: str, points: list[dict[str, Any]]) -> Stored:
        spec = {"title": title, "integrations": [_integration_json(point) for point in points]}
        # provisioning works per integration; the receiver shows the first provenance that is not none
        provenance = next((point["provenance"] for point in points if point["provenance"]), "")
        routes = sum(1 for route in walk(state["policy"]) if route.get("receiver") == title)
        computed = {f"grafana.com/access/{action}": "true" for action in RECEIVER_ACCESS.get(req.role, ())}
        computed[CAN_USE] = "true"
        computed["grafana.com/inUse/routes"] = str(routes)
        computed["grafana.com/inUse/rules"] = str(len(_rules_notifying(state, title)))
        return Stored(timing_uid(title), title, spec, _receiver_version(title, points), provenance, computed)

    def not_found(self, req: Request, name: str) -> ApiError:
        return errutil_error(404, "alerting.notifications.receivers.notFound", "Receiver not found")

    def conflict(self, req: Request, stored: Stored, wanted: str) -> ApiError:
        message = (
            f"Provided version '{wanted}' of receiver '{stored.key}' does not match current version '{stored.version}'"
        )
        extra = {"CurrentVersion": stored.version, "Name": stored.key, "Version": wanted}
        return errutil_error(409, "alerting.notifications.receivers.conflict", message, extra)

    def create(self, req: Request, state: dict[str, Any], spec: dict[str, Any], name: str, provenance: str) -> Stored:
        title, integrations = self._spec(spec)
        if title in receiver_names(state):
            raise _receiver_exists()
        points = self._points(state, title, integrations, [], provenance)
        state["contactPoints"].extend(points)
        return self._stored(req, state, title, points)

    def update(
        self, req: Request, state: dict[str, Any], stored: Stored, spec: dict[str, Any], provenance: str
    ) -> Stored:
        """All integrations are replaced; one sent with the `uid` of a stored one and `secureFields: {k: true}`
        keeps that integration's stored secret `k` (`receiver/conversions.go@01c8a96`)."""
        title, integrations = self._spec(spec)
        if title != stored.key and title in receiver_names(state):
            raise _receiver_exists()
        own = [point for point in state["contactPoints"] if point["name"] == stored.key]
        points = self._points(state, title, integrations, own, provenance)
        others = [point for point in state["contactPoints"] if point["name"] != stored.key]
        at = state["contactPoints"].index(own[0])  # every point before the first own one belongs to another receiver
        state["contactPoints"] = others[:at] + points + others[at:]
        if title != stored.key:
            rename_receiver_references(state, stored.key, title)
        return self._stored(req, state, title, points)

    def delete(self, req: Request, state: dict[str, Any], stored: Stored) -> None:
        """409 `receivers.used` while a route or a rule's notification settings name the receiver."""
        by_routes, rules = uses_receiver(state["policy"], stored.key), _rules_notifying(state, stored.key)
        if by_routes or rules:
            used_by = ([f"{len(rules)} rule(s)"] if rules else []) + (["one or more routes"] if by_routes else [])
            extra: dict[str, Any] = {"UsedBy": ", ".join(used_by)}
            if rules:
                extra["UsedByRules"] = rules
            if by_routes:
                extra["UsedByRoutes"] = True
            raise errutil_error(
                409, "alerting.notifications.receivers.used", f"Receiver is used by {extra['UsedBy']}", extra
            )
        state["contactPoints"] = [point for point in state["contactPoints"] if point["name"] != stored.key]

    def _spec(self, spec: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        title = _text(self.kind, spec, "title")
        integrations = _objects(self.kind, spec.get("integrations"), "spec.integrations")
        if not title.strip():
            raise _invalid_receiver("receiver name is required")  # wording [unverified]
        if not integrations:
            # Grafana accepts a receiver without integrations; the emulator keeps receivers as contact-point
            # integrations (the provisioning API's shape), so it cannot hold an empty one.
            raise k8s.status_error(
                501, "NotImplemented", "a receiver without integrations is not implemented by the dashkit emulator"
            )
        return title, integrations

    def _points(
        self,
        state: dict[str, Any],
        title: str,
        integrations: list[dict[str, Any]],
        own: list[dict[str, Any]],
        provenance: str,
    ) -> list[dict[str, Any]]:
        """The contact points (one per integration) a receiver spec stands for, validated like the provisioning
        API's, with secrets split off into `secureSettings`."""
        own_by_uid = {point["uid"]: point for point in own}
        points: list[dict[str, Any]] = []
        taken: set[str] = set()
        for raw in integrations:
            point, keep = self._integration(raw, title)
            uid = point["uid"]
            previous = own_by_uid.get(uid) if uid else None
            if uid and (uid in taken or (previous is None and find_point(state, uid) is not None)):
                other = find_point(state, uid) or point
                message = (
                    f"Receiver configuration with UID '{uid}' already exists in contact point '{other['name']}'. "
                    "Please use unique identifiers for receivers across all contact points."
                )
                raise errutil_error(409, "alerting.notifications.contact-points.uidInUse", message)
            if uid and previous is None:
                problem = uid_problem(uid)
                if problem:
                    raise _invalid_receiver(f"integration UID '{uid}': {problem}")  # wording [unverified]
            if previous is not None:
                for key in keep:
                    if point["settings"].get(key) in (None, "") and key in previous["secureSettings"]:
                        point["settings"][key] = previous["secureSettings"][key]
            problem = point_problem(point)
            if problem:
                raise _invalid_receiver(problem)
            if not uid:
                point["uid"] = generate_uid(
                    lambda candidate: candidate in taken or find_point(state, candidate) is not None
                )
            taken.add(point["uid"])
            split_secrets(point)
            point["provenance"] = provenance
            points.append(point)
        return points

    def _integration(self, raw: dict[str, Any], title: str) -> tuple[dict[str, Any], list[str]]:
        """(a contact point without secrets split off, the `secureFields` keys marked true)."""
        kind = _text(self.kind, raw, "type")
        version = _text(self.kind, raw, "version")
        uid = _text(self.kind, raw, "uid")
        settings = raw.get("settings")
        settings = {} if settings is None else settings
        secure_fields = raw.get("secureFields") or {}
        disable = raw.get("disableResolveMessage", False)
        if not isinstance(settings, dict) or not isinstance(secure_fields, dict):
            raise SpecError(self.kind, "spec.integrations: settings and secureFields are objects")
        if not isinstance(disable, bool | None) or not all(isinstance(v, bool) for v in secure_fields.values()):
            raise SpecError(self.kind, "spec.integrations: disableResolveMessage and secureFields hold booleans")
        kind = "LINE" if kind == "line" else kind
        if kind not in SECURE_SETTINGS:
            raise _invalid_receiver(f"unknown type '{kind}'")
        if version not in ("", INTEGRATION_VERSION):
            raise _invalid_receiver(f"invalid version {version} for integration type {kind}")
        point = {
            "uid": uid,
            "name": title,
            "type": kind,
            "settings": copy.deepcopy(settings),
            "disableResolveMessage": bool(disable),
        }
        return point, [key for key, marked in secure_fields.items() if marked and key in SECURE_SETTINGS[kind]]


# ---- the routing tree <-> the policy tree -----------------------------------------------------------------------


def _duration(value: str) -> str:
    """A stored duration as Grafana shows it after parsing (`model.Duration.String()`)."""
    return format_prom_duration(parse_prom_duration(value))


def _legacy_matchers(route: dict[str, Any]) -> list[dict[str, str]]:
    """`match`, `match_re`, `matchers` and `object_matchers` of a provisioning route as `{type, label, value}`, in
    the order `convertRouteToK8sSubRoute` emits them."""
    out = [{"type": "=", "label": key, "value": value} for key, value in sorted(route.get("match", {}).items())]
    out += [{"type": "=~", "label": key, "value": value} for key, value in sorted(route.get("match_re", {}).items())]
    for text in route.get("matchers", ()):
        found = _MATCHER.match(text)
        if found is None:
            raise _unknown_error(f"stored matcher {text!r} cannot be parsed")
        label, operator, value = found.groups()
        out.append({"type": operator, "label": _unquote(label), "value": _unquote(value)})
    out += [{"type": op, "label": label, "value": value} for label, op, value in route.get("object_matchers", ())]
    return out


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return str(json.loads(text))
        except ValueError:
            return text[1:-1]
    return text


def _unknown_error(message: str) -> ApiError:
    """A plain Go error returned by a storage: the apiserver's 500 Status with reason Unknown (left out)."""
    body = k8s.status_body(500, "", message)
    del body["reason"]
    return ApiError(Reply(500, body))


def _route_spec(route: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if route.get("receiver"):
        out["receiver"] = route["receiver"]
    matchers = _legacy_matchers(route)
    if matchers:
        out["matchers"] = matchers
    out["continue"] = bool(route.get("continue"))
    for key in ("group_by", "mute_time_intervals", "active_time_intervals"):
        if route.get(key):
            out[key] = list(route[key])
    if route.get("routes"):
        out["routes"] = [_route_spec(child) for child in route["routes"]]
    for key in DURATIONS:
        if key in route:
            out[key] = _duration(route[key])
    return out


def tree_spec(policy: dict[str, Any]) -> dict[str, Any]:
    """`RoutingTree {defaults, routes}` of the provisioning API's policy tree (`routingtree/conversions.go`)."""
    defaults: dict[str, Any] = {"receiver": policy.get("receiver", "")}
    if policy.get("group_by"):
        defaults["group_by"] = list(policy["group_by"])
    for key in DURATIONS:
        if key in policy:
            defaults[key] = _duration(policy[key])
    return {"defaults": defaults, "routes": [_route_spec(route) for route in policy.get("routes", ())]}


_DURATION_NAMES = {"group_wait": "groupWait", "group_interval": "groupInterval", "repeat_interval": "repeatInterval"}


class _TreeReader:
    """`convertToDomainModel` of the routing tree: matchers become `object_matchers`, durations are parsed; every
    problem is collected and they are returned joined, as Go's `errors.Join`."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def durations(self, raw: dict[str, Any], out: dict[str, Any], what: str) -> None:
        for key in DURATIONS:
            value = _text(RoutingTrees.kind, raw, key)
            if not value:
                continue
            try:
                ms = parse_prom_duration(value)
            except ApiError:
                ms = -1
            if ms < 0:
                self.errors.append(
                    f"{what} has invalid format of '{_DURATION_NAMES[key]}': not a valid duration string: \"{value}\""
                )
            else:
                out[key] = format_prom_duration(ms)

    def route(self, raw: dict[str, Any], path: str) -> dict[str, Any]:
        kind = RoutingTrees.kind
        out: dict[str, Any] = {}
        receiver = _text(kind, raw, "receiver")
        if receiver:
            out["receiver"] = receiver
        for key in ("group_by", "mute_time_intervals", "active_time_intervals"):
            out[key] = _texts(kind, raw.get(key), f"spec.routes{path[1:]}.{key}")
        matchers = []
        for matcher in _objects(kind, raw.get("matchers"), f"spec.routes{path[1:]}.matchers"):
            operator, label, value = (_text(kind, matcher, key) for key in ("type", "label", "value"))
            if operator not in MATCH_OPERATORS:
                self.errors.append(f"route '{path}' has unsupported matcher type: {operator}")
                continue
            if operator in ("=~", "!~") and not _compiles(value):
                self.errors.append(f"route '{path}' has illegal matcher: error parsing regexp: {value}")
                continue
            matchers.append([label, operator, value])
        out["object_matchers"] = matchers
        flag = raw.get("continue", False)
        if not isinstance(flag, bool):
            raise SpecError(kind, f"spec.routes{path[1:]}.continue: expected a boolean")
        out["continue"] = flag
        self.durations(raw, out, f"route '{path}'")
        children = _objects(kind, raw.get("routes"), f"spec.routes{path[1:]}.routes")
        out["routes"] = [self.route(child, f"{path}[{index}]") for index, child in enumerate(children)]
        return out


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def legacy_tree(spec: dict[str, Any]) -> dict[str, Any]:
    """The provisioning `Route` a RoutingTree spec stands for, normalised as the provisioning API stores it."""
    kind = RoutingTrees.kind
    defaults = spec.get("defaults")
    if not isinstance(defaults, dict):
        raise SpecError(kind, "spec.defaults: expected an object")
    reader = _TreeReader()
    tree: dict[str, Any] = {
        "receiver": _text(kind, defaults, "receiver"),
        "group_by": _texts(kind, defaults.get("group_by"), "spec.defaults.group_by"),
    }
    reader.durations(defaults, tree, "obj '.'")
    routes = _objects(kind, spec.get("routes"), "spec.routes")
    tree["routes"] = [reader.route(route, f".[{index}]") for index, route in enumerate(routes)]
    if reader.errors:
        raise _unknown_error("\n".join(reader.errors))
    return parse_route(tree)


class RoutingTrees(NotificationResource):
    """The single tree `user-defined`: the provisioning API's notification policy tree. It cannot be created
    (`MethodNotSupported`); DELETE resets it to the default tree."""

    resource, kind = "routingtrees", "RoutingTree"

    def all(self, req: Request, state: dict[str, Any]) -> list[Stored]:
        policy = state["policy"]
        version = fnv64(json.dumps(policy, sort_keys=True, separators=(",", ":")).encode())
        return [Stored(USER_DEFINED_TREE, USER_DEFINED_TREE, tree_spec(policy), version, state["policyProvenance"])]

    def conflict(self, req: Request, stored: Stored, wanted: str) -> ApiError:
        """13: `ErrRouteVersionConflict`; 12: the service's generic `ErrVersionConflict`."""
        if not req.runtime.profile.at_least(13):
            return super().conflict(req, stored, wanted)
        message = (
            f"Provided version '{wanted}' of route '{stored.key}' does not match current version '{stored.version}'"
        )
        extra = {"CurrentVersion": stored.version, "Name": stored.key, "Version": wanted}
        return errutil_error(409, "alerting.notifications.routes.conflict", message, extra)

    def check_create(self, name: str) -> None:
        raise self._create_not_supported()

    def create(self, req: Request, state: dict[str, Any], spec: dict[str, Any], name: str, provenance: str) -> Stored:
        raise self._create_not_supported()

    def _create_not_supported(self) -> ApiError:
        """k8s `NewMethodNotSupported`: 405, whatever the body."""
        qualified = k8s.qualified(self.resource, GROUP)
        message = f'create is not supported on resources of kind "{qualified}"'
        return k8s.status_error(405, "MethodNotAllowed", message, {"group": GROUP, "kind": self.resource})

    def update(
        self, req: Request, state: dict[str, Any], stored: Stored, spec: dict[str, Any], provenance: str
    ) -> Stored:
        tree = legacy_tree(spec)
        problem = tree_problem(tree, receiver_names(state), time_interval_names(state))
        if problem:
            message = f"Invalid format of the submitted route: {problem}. Correct the payload and try again."
            raise _invalid_format("alerting.notifications.routes.invalidFormat", message, problem)
        state["policy"], state["policyProvenance"] = tree, provenance
        return self.all(req, state)[0]

    def delete(self, req: Request, state: dict[str, Any], stored: Stored) -> None:
        state["policy"], state["policyProvenance"] = default_policy(), ""


# ---- template groups <-> templates ------------------------------------------------------------------------------


class TemplateGroups(NotificationResource):
    """`TemplateGroup {title, content, kind: "grafana"}`: one provisioning-API template; `metadata.name` is the
    title base64url-encoded without padding, like a receiver's [unverified derivation, grafana-api.md §14.9]."""

    resource, kind = "templategroups", "TemplateGroup"

    def all(self, req: Request, state: dict[str, Any]) -> list[Stored]:
        return [self._stored(name, template) for name, template in state["templates"].items()]

    @staticmethod
    def _stored(name: str, template: dict[str, Any]) -> Stored:
        spec = {"title": name, "content": template["template"], "kind": "grafana"}
        return Stored(timing_uid(name), name, spec, template_version(template["template"]), template["provenance"])

    def not_found(self, req: Request, name: str) -> ApiError:
        return errutil_reason(req, 404, "alerting.notifications.templates.notFound")

    def create(self, req: Request, state: dict[str, Any], spec: dict[str, Any], name: str, provenance: str) -> Stored:
        title, content = self._spec(spec)
        if title in state["templates"]:
            raise self._exists()
        state["templates"][title] = {"template": content, "provenance": provenance}
        return self._stored(title, state["templates"][title])

    def update(
        self, req: Request, state: dict[str, Any], stored: Stored, spec: dict[str, Any], provenance: str
    ) -> Stored:
        title, content = self._spec(spec)
        if title != stored.key:
            if title in state["templates"]:
                raise self._exists()
            del state["templates"][stored.key]
        state["templates"][title] = {"template": content, "provenance": provenance}
        return self._stored(title, state["templates"][title])

    def delete(self, req: Request, state: dict[str, Any], stored: Stored) -> None:
        del state["templates"][stored.key]

    def _spec(self, spec: dict[str, Any]) -> tuple[str, str]:
        """(title, content normalised and checked as the provisioning API does)."""
        title, content, kind = (_text(self.kind, spec, key) for key in ("title", "content", "kind"))
        if not title:
            raise invalid_template("template must have a name")  # wording [unverified]
        if kind not in ("", "grafana"):
            # `mimir` templates come from an imported Alertmanager configuration, which the emulator does not hold
            raise invalid_template(f"unsupported template kind '{kind}'")  # wording [unverified]
        if not content.strip():
            raise invalid_template("template must have content")
        content = normalize_template(title, content)
        problem = template_problem(content)
        if problem:
            raise invalid_template(problem)
        return title, content

    @staticmethod
    def _exists() -> ApiError:
        return errutil_error(
            400,
            "alerting.notifications.templates.nameExists",
            "Template file with this name already exists. Use a different name or update existing one.",
        )


# ---- time intervals <-> mute timings ----------------------------------------------------------------------------


class TimeIntervals(NotificationResource):
    """`TimeInterval {name, time_intervals}`: one provisioning-API mute timing; `metadata.name` is the name
    base64url-encoded without padding (`timing_uid`, the uid the mute-timing PUT accepts) [unverified derivation,
    grafana-api.md §14.9]."""

    resource, kind = "timeintervals", "TimeInterval"

    def all(self, req: Request, state: dict[str, Any]) -> list[Stored]:
        return [self._stored(timing) for timing in state["muteTimings"]]

    @staticmethod
    def _stored(timing: dict[str, Any]) -> Stored:
        spec = {"name": timing["name"], "time_intervals": copy.deepcopy(timing["time_intervals"])}
        # `timeinterval/conversions.go@01c8a96`: usable in routes unless converted from Prometheus
        can_use = "false" if timing["provenance"] == "converted_prometheus" else "true"
        return Stored(
            timing_uid(timing["name"]),
            timing["name"],
            spec,
            timing_version(timing),
            timing["provenance"],
            {CAN_USE: can_use},
        )

    def not_found(self, req: Request, name: str) -> ApiError:
        return errutil_reason(req, 404, "alerting.notifications.time-intervals.notFound")

    def create(self, req: Request, state: dict[str, Any], spec: dict[str, Any], name: str, provenance: str) -> Stored:
        title, intervals = self._spec(spec)
        if any(timing["name"] == title for timing in state["muteTimings"]):
            raise timing_name_exists()
        timing = {"name": title, "time_intervals": intervals, "provenance": provenance}
        state["muteTimings"].append(timing)
        return self._stored(timing)

    def update(
        self, req: Request, state: dict[str, Any], stored: Stored, spec: dict[str, Any], provenance: str
    ) -> Stored:
        title, intervals = self._spec(spec)
        timing = next(timing for timing in state["muteTimings"] if timing["name"] == stored.key)
        if title != stored.key:
            if any(other["name"] == title for other in state["muteTimings"]):
                raise timing_name_exists()
            rename_timing_references(state, stored.key, title)
        timing.update(name=title, time_intervals=intervals, provenance=provenance)
        return self._stored(timing)

    def delete(self, req: Request, state: dict[str, Any], stored: Stored) -> None:
        in_use = timing_in_use(req, state, stored.key)
        if in_use is not None:
            raise in_use
        state["muteTimings"] = [timing for timing in state["muteTimings"] if timing["name"] != stored.key]

    def _spec(self, spec: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        title = _text(self.kind, spec, "name")
        raw_intervals = _objects(self.kind, spec.get("time_intervals"), "spec.time_intervals")
        message = "Time interval is in invalid format. Correct the payload and try again."
        if not title:
            raise _invalid_format("alerting.notifications.time-intervals.invalidFormat", message, "missing name")
        intervals = []
        for index, raw in enumerate(raw_intervals):
            try:
                intervals.append(parse_time_interval(raw))
            except ApiError:  # the provisioning parser's bind error: Alertmanager's unmarshalling fails here
                reason = f"time_intervals[{index}] is not a valid time interval"  # wording [unverified]
                raise _invalid_format("alerting.notifications.time-intervals.invalidFormat", message, reason) from None
        return title, intervals


# ---- inhibition rules (13) --------------------------------------------------------------------------------------


class InhibitionRules(NotificationResource):
    """`InhibitionRule {source_matchers?, target_matchers?, equal?}` (13): named by the client's `metadata.name`;
    writes always store provenance none (`inhibitionrule/conversions.go`). Kept in the alerting state; the
    provisioning API has no view of them."""

    resource, kind = "inhibitionrules", "InhibitionRule"
    records_provenance = False

    def check_create(self, name: str) -> None:
        """The client names an inhibition rule; without a name the apiserver's 422."""
        if not name:
            cause = k8s.Cause("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")
            raise k8s.invalid(self.kind, GROUP, "", [cause])

    def all(self, req: Request, state: dict[str, Any]) -> list[Stored]:
        rules = state.setdefault("inhibitionRules", {})
        return [self._stored(name, rule) for name, rule in rules.items()]

    @staticmethod
    def _stored(name: str, rule: dict[str, Any]) -> Stored:
        version = fnv64(json.dumps(rule["spec"], sort_keys=True, separators=(",", ":")).encode())
        return Stored(name, name, copy.deepcopy(rule["spec"]), version, rule["provenance"])

    def create(self, req: Request, state: dict[str, Any], spec: dict[str, Any], name: str, provenance: str) -> Stored:
        rules = state.setdefault("inhibitionRules", {})
        if name in rules:
            raise errutil_error(
                400, "alerting.notifications.inhibition-rules.nameExists", "Inhibition rule already exists."
            )
        rules[name] = {"spec": self._spec(spec), "provenance": ""}
        return self._stored(name, rules[name])

    def update(
        self, req: Request, state: dict[str, Any], stored: Stored, spec: dict[str, Any], provenance: str
    ) -> Stored:
        rules = state.setdefault("inhibitionRules", {})
        rules[stored.key] = {"spec": self._spec(spec), "provenance": ""}
        return self._stored(stored.key, rules[stored.key])

    def delete(self, req: Request, state: dict[str, Any], stored: Stored) -> None:
        state.setdefault("inhibitionRules", {}).pop(stored.key, None)

    def _spec(self, spec: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("source_matchers", "target_matchers"):
            matchers = []
            for matcher in _objects(self.kind, spec.get(key), f"spec.{key}"):
                operator, label, value = (_text(self.kind, matcher, part) for part in ("type", "label", "value"))
                if operator not in MATCH_OPERATORS:
                    raise _invalid_format(
                        "alerting.notifications.inhibition-rules.invalidFormat",
                        "Inhibition rule is in invalid format. Correct the payload and try again.",
                        f"invalid {key.split('_')[0]} matchers: unknown matcher type: {operator}",
                    )
                matchers.append({"type": operator, "label": label, "value": value})
            if matchers:
                out[key] = matchers
        equal = _texts(self.kind, spec.get("equal"), "spec.equal")
        if equal:
            out["equal"] = equal
        return out


RESOURCES: dict[str, NotificationResource] = {
    resource.resource: resource
    for resource in (Receivers(), RoutingTrees(), TemplateGroups(), TimeIntervals(), InhibitionRules())
}
