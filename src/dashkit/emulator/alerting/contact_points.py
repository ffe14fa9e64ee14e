"""Contact points of the provisioning API (grafana-api.md §7.6): integrations validated per type, secure settings
stored apart and shown as `[REDACTED]`, references from policies and rules guarded on delete and rename."""

from __future__ import annotations

from typing import Any

from dashkit.emulator.alerting import (
    API,
    CONTACT_POINTS_DEPRECATED,
    READ,
    REDACTED,
    WRITE,
    alerting_state,
    check_relaxed_provenance,
    failure,
    forget_object_meta,
    move_object_meta,
    request_provenance,
    rule_settings,
    uid_problem,
    with_provenance,
)
from dashkit.emulator.alerting.policies import rename_receiver, uses_receiver
from dashkit.emulator.binding import flag
from dashkit.emulator.naming import generate_uid
from dashkit.emulator.replies import ApiError, Reply, bad_request_data, errutil_error, ok
from dashkit.emulator.routing import Request, RouteTable

routes = RouteTable()
SLACK_API_URL = "https://slack.com/api/chat.postMessage"

# type -> the `Secure: true` options of its integration schema (grafana/alerting receivers/*/schema)
SECURE_SETTINGS: dict[str, tuple[str, ...]] = {
    "email": (),
    "slack": ("url", "token"),
    "pagerduty": ("integrationKey",),
    "webhook": ("password", "authorization_credentials"),
    "teams": (),
    "telegram": ("bottoken",),
    "opsgenie": ("apiKey",),
    "discord": ("url",),
    "googlechat": ("url",),
    "prometheus-alertmanager": ("basicAuthPassword",),
    "pushover": ("userKey", "apiToken"),
    "sensugo": ("apikey",),
    "threema": ("api_secret",),
    "victorops": (),
    "webex": ("bot_token",),
    "wecom": ("url", "secret"),
    "kafka": ("password",),
    "LINE": ("token",),
    "oncall": ("password", "authorization_credentials"),
    "dingding": (),
}
# type -> (setting, the error its integration factory gives when the setting is missing)
REQUIRED_SETTINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "email": (("addresses", "could not find addresses in settings"),),
    "pagerduty": (("integrationKey", "could not find integration key property in settings"),),
    "webhook": (("url", "required field 'url' is not specified"),),
    "teams": (("url", "could not find url property in settings"),),
    "telegram": (("bottoken", "could not find Bot Token in settings"),
                 ("chatid", "could not find Chat Id in settings")),
    "opsgenie": (("apiKey", "could not find api key property in settings"),),
    "discord": (("url", "could not find webhook url property in settings"),),
    "googlechat": (("url", "could not find url property in settings"),),
    "prometheus-alertmanager": (("url", "could not find url property in settings"),),
    "pushover": (("userKey", "user key not found"), ("apiToken", "API token not found")),
    "sensugo": (("url", "could not find URL property in settings"),
                ("apikey", "could not find the API key property in settings")),
    "threema": (("gateway_id", "could not find Threema Gateway ID in settings"),
                ("recipient_id", "could not find Threema Recipient ID in settings"),
                ("api_secret", "could not find Threema API secret in settings")),
    "victorops": (("url", "could not find victorops url property in settings"),),
    "webex": (("room_id", "missing room_id"), ("bot_token", "missing bot_token")),
    "kafka": (("kafkaRestProxy", "could not find kafka rest proxy endpoint property in settings"),
              ("kafkaTopic", "could not find kafka topic property in settings")),
    "LINE": (("token", "could not find token in settings"),),
    "oncall": (("url", "required field 'url' is not specified"),),
    "dingding": (("url", "could not find url property in settings"),),
}  # fmt: skip


def invalid_point(message: str) -> ApiError:
    return failure(400, f"invalid object specification: {message}")


def _settings_problem(kind: str, settings: dict[str, Any]) -> str | None:
    """What the integration factory would refuse in the (secrets included) settings, or None."""
    if kind == "slack":
        url = settings.get("url") or settings.get("endpointUrl") or SLACK_API_URL
        if url == SLACK_API_URL and not str(settings.get("recipient") or "").strip():
            return "recipient must be specified when using the Slack chat API"
        if url == SLACK_API_URL and not settings.get("token"):
            return "token must be specified when using the Slack chat API"
        if settings.get("mentionChannel") not in (None, "", "here", "channel"):
            return f'invalid value for mentionChannel: "{settings["mentionChannel"]}"'
        return None
    if kind == "wecom" and not settings.get("url") and not settings.get("secret"):
        return "either url or secret is required"
    for key, message in REQUIRED_SETTINGS.get(kind, ()):
        if settings.get(key) in (None, ""):
            return message
    return None


def _parse(body: Any) -> dict[str, Any]:
    """An `EmbeddedContactPoint` body: name, type and settings are required by binding."""
    if not isinstance(body, dict):
        raise bad_request_data()
    name, kind, settings, uid = body.get("name"), body.get("type"), body.get("settings"), body.get("uid")
    if not isinstance(name, str) or not name or not isinstance(kind, str) or not kind:
        raise bad_request_data()
    if not isinstance(settings, dict) or not isinstance(uid, str | None):
        raise bad_request_data()
    return {
        "uid": uid or "",
        "name": name,
        "type": "LINE" if kind == "line" else kind,
        "settings": dict(settings),
        "disableResolveMessage": flag(body, "disableResolveMessage"),
    }


def point_problem(point: dict[str, Any]) -> str | None:
    """What Grafana refuses in one integration (type and settings, secrets included), or None."""
    if point["type"] not in SECURE_SETTINGS:
        return f"unknown type '{point['type']}'"
    return _settings_problem(point["type"], point["settings"])


def _validate(point: dict[str, Any]) -> None:
    problem = point_problem(point)
    if problem:
        raise invalid_point(problem)


def split_secrets(point: dict[str, Any]) -> None:
    """Move the non-empty secure settings out of `settings`, as Grafana encrypts them into `secureSettings`."""
    settings, secure = point["settings"], {}
    for key in SECURE_SETTINGS[point["type"]]:
        value = settings.pop(key, None)
        if isinstance(value, str) and value:
            secure[key] = value
    point["secureSettings"] = secure


def point_json(point: dict[str, Any], *, decrypt: bool = False) -> dict[str, Any]:
    settings = dict(point["settings"])
    for key, value in point["secureSettings"].items():
        settings[key] = value if decrypt else REDACTED
    body = {
        "uid": point["uid"],
        "name": point["name"],
        "type": point["type"],
        "settings": settings,
        "disableResolveMessage": point["disableResolveMessage"],
    }
    return with_provenance(body, point["provenance"])


def sorted_points(state: dict[str, Any], name: str = "") -> list[dict[str, Any]]:
    points = [p for p in state["contactPoints"] if not name or p["name"] == name]
    return sorted(points, key=lambda p: (p["name"], p["uid"]))


def find_point(state: dict[str, Any], uid: str) -> dict[str, Any] | None:
    return next((p for p in state["contactPoints"] if p["uid"] == uid), None)


def rename_receiver_references(state: dict[str, Any], old: str, new: str) -> None:
    """A contact point renamed: the policy tree, rules' notification settings and the labels and annotations of
    its receiver (`/apis`) follow the new name."""
    rename_receiver(state["policy"], old, new)
    move_object_meta(state, "receivers", old, new)
    for _, settings in rule_settings(state):
        if settings["receiver"] == old:
            settings["receiver"] = new


def _last_of_its_name(state: dict[str, Any], point: dict[str, Any]) -> bool:
    return not any(p is not point and p["name"] == point["name"] for p in state["contactPoints"])


@routes.route("GET", f"{API}/contact-points", needs=READ, deprecation=CONTACT_POINTS_DEPRECATED)
def list_contact_points(req: Request) -> Reply:
    return ok([point_json(p) for p in sorted_points(alerting_state(req.org), req.arg("name"))])


@routes.route("POST", f"{API}/contact-points", needs=WRITE, deprecation=CONTACT_POINTS_DEPRECATED)
def create_contact_point(req: Request) -> Reply:
    """202 with the created integration (secrets redacted); a contact point of the same name gains an integration."""
    state = alerting_state(req.org)
    point = _parse(req.json())
    _validate(point)
    if point["uid"]:
        problem = uid_problem(point["uid"])
        if problem:
            raise invalid_point(f"cannot create contact point with UID '{point['uid']}': {problem}")
        other = find_point(state, point["uid"])
        if other is not None:
            message = (
                f"Receiver configuration with UID '{other['uid']}' already exists in contact point "
                f"'{other['name']}'. Please use unique identifiers for receivers across all contact points."
            )
            raise errutil_error(409, "alerting.notifications.contact-points.uidInUse", message)
    else:
        point["uid"] = generate_uid(lambda uid: find_point(state, uid) is not None)
    split_secrets(point)
    point["provenance"] = request_provenance(req)
    state["contactPoints"].append(point)
    return ok(point_json(point), 202)


@routes.route("PUT", f"{API}/contact-points/{{uid}}", needs=WRITE, deprecation=CONTACT_POINTS_DEPRECATED)
def update_contact_point(req: Request) -> Reply:
    """202. A secure setting sent as `[REDACTED]` keeps the stored secret; renaming the last integration of a
    contact point renames it in the policy tree and in rules' notification settings too."""
    state = alerting_state(req.org)
    point = _parse(req.json())
    point["uid"] = req.params["uid"]
    stored = find_point(state, point["uid"])
    if stored is None:
        raise failure(404, f"object not found: contact point with uid '{point['uid']}' not found")
    for key in SECURE_SETTINGS.get(point["type"], ()):
        if point["settings"].get(key) == REDACTED:
            point["settings"][key] = stored["secureSettings"].get(key, "")
    _validate(point)
    provenance = request_provenance(req)
    check_relaxed_provenance(stored["provenance"], provenance)
    if point["name"] != stored["name"] and _last_of_its_name(state, stored):
        rename_receiver_references(state, stored["name"], point["name"])
    split_secrets(point)
    point["provenance"] = provenance
    state["contactPoints"][state["contactPoints"].index(stored)] = point
    return ok({"message": "contactpoint updated"}, 202)


@routes.route("DELETE", f"{API}/contact-points/{{uid}}", needs=WRITE, deprecation=CONTACT_POINTS_DEPRECATED)
def delete_contact_point(req: Request) -> Reply:
    """202 (also for an unknown uid); 409 when the last integration of a name that is still referenced."""
    state = alerting_state(req.org)
    point = find_point(state, req.params["uid"])
    if point is not None:
        last = _last_of_its_name(state, point)
        if last:
            if uses_receiver(state["policy"], point["name"]):
                raise errutil_error(
                    409,
                    "alerting.notifications.contact-points.referenced",
                    "Contact point is currently referenced by a notification policy.",
                )
            if any(settings["receiver"] == point["name"] for _, settings in rule_settings(state)):
                raise errutil_error(
                    409,
                    "alerting.notifications.contact-points.used-by-rule",
                    "Contact point is currently used in the notification settings of one or many alert rules.",
                )
        state["contactPoints"].remove(point)
        if last:
            forget_object_meta(state, "receivers", point["name"])
    return ok({"message": "contactpoint deleted"}, 202)
