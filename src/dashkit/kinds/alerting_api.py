"""The notification resources (contact points, templates, mute timings, the policy tree) behind one set of primitives
that take and return the provisioning API's shapes: `ProvisioningApi` speaks `/api/v1/provisioning` (grafana-api.md
§7), `NotificationsApi` the `notifications.alerting.grafana.app` resources Grafana 13 serves instead (§14.9). Both
are views of one Alertmanager configuration, so dashkit's owner markers sit in the same places on either."""

from __future__ import annotations

import base64
import threading
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from ..client import quote_segment
from ..errors import Conflict, GrafanaError, NotFound
from ..grafana_api import NOTIFICATIONS
from ..secrets import REDACTED
from .base import ANY_STATUS, SyncContext

if TYPE_CHECKING:
    from ..client import GrafanaClient

PROVISIONING = "/api/v1/provisioning"
ROOT_KEYS = ("receiver", "group_by", "group_wait", "group_interval", "repeat_interval")  # the tree's defaults
ROUTE_LISTS = ("group_by", "mute_time_intervals", "active_time_intervals")
ROUTE_TIMINGS = ("group_wait", "group_interval", "repeat_interval")
PROVENANCE = "grafana.com/provenance"
NO_PROVENANCE = "none"
USER_DEFINED_TREE = "user-defined"
INTEGRATION_VERSION = "v1"
# annotations Grafana computes or sets itself; every other one a client set is kept when dashkit writes the object
SERVER_ANNOTATIONS = (PROVENANCE, "grafana.com/access/", "grafana.com/inUse/", "grafana.com/canUse",
                      "grafana.app/createdBy", "grafana.app/updatedBy", "grafana.app/updatedTimestamp")


def alerting_api(ctx: SyncContext) -> AlertingApi:
    """The API this environment's notification resources are written through (one per run)."""
    api = ctx.cache.get("alerting_api")
    if api is None:
        api = NotificationsApi(ctx) if ctx.api.notifications else ProvisioningApi(ctx)
        api = ctx.cache.setdefault("alerting_api", api)
    return api


class AlertingApi(ABC):
    """The primitives the notification kinds use. Contact points are integrations `{uid, name, type, settings,
    disableResolveMessage, provenance?}` with stored secrets shown as "[REDACTED]" (sending "[REDACTED]" keeps the
    stored secret, any other value writes it); templates `{name, template, provenance?}`; mute timings
    `{name, time_intervals, provenance?}`; the policy tree a provisioning `Route` with `object_matchers`."""

    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx
        self.client = ctx.client

    @abstractmethod
    def contact_points(self) -> list[dict[str, Any]]:
        """Every integration of every contact point."""

    @abstractmethod
    def create_contact_point(self, payload: dict[str, Any]) -> None:
        """Add the integration `payload` (with its `uid`) to the contact point named `payload["name"]`."""

    @abstractmethod
    def update_contact_point(self, uid: str, payload: dict[str, Any]) -> None:
        """Replace integration `uid` of the contact point `payload["name"]` by `payload`."""

    @abstractmethod
    def delete_contact_point(self, uid: str) -> None:
        """Remove integration `uid` (nothing when it is gone already)."""

    @abstractmethod
    def templates(self) -> list[dict[str, Any]]:
        """Every notification template."""

    @abstractmethod
    def template(self, name: str) -> dict[str, Any] | None:
        """One template, or None."""

    @abstractmethod
    def put_template(self, name: str, content: str) -> None:
        """Create or replace template `name`."""

    @abstractmethod
    def delete_template(self, name: str) -> None:
        """Remove template `name` (nothing when it is gone already)."""

    @abstractmethod
    def mute_timings(self) -> list[dict[str, Any]]:
        """Every mute timing."""

    @abstractmethod
    def mute_timing(self, name: str) -> dict[str, Any] | None:
        """One mute timing, or None."""

    @abstractmethod
    def create_mute_timing(self, body: dict[str, Any]) -> None:
        """Create the mute timing `body` (`{name, time_intervals}`)."""

    @abstractmethod
    def update_mute_timing(self, name: str, body: dict[str, Any]) -> None:
        """Replace mute timing `name` by `body`."""

    @abstractmethod
    def delete_mute_timing(self, name: str) -> None:
        """Remove mute timing `name` (nothing when it is gone already)."""

    @abstractmethod
    def policy_tree(self) -> dict[str, Any] | None:
        """The policy tree (with `provenance` when it has one), or None when Grafana has none."""

    @abstractmethod
    def put_policy_tree(self, tree: dict[str, Any], provenance: str | None) -> None:
        """Replace the policy tree by `tree`. `provenance` None: the environment's (`api`, or none with
        disable_provenance); otherwise the provenance to keep ("" none, "api")."""


class ProvisioningApi(AlertingApi):
    """`/api/v1/provisioning`: the shapes are the API's own. Provenance is the environment's (the client sends
    `X-Disable-Provenance` on every request when disable_provenance is set), except where a policy tree write
    asks to keep another."""

    CONTACT_POINTS = f"{PROVISIONING}/contact-points"
    TEMPLATES = f"{PROVISIONING}/templates"
    MUTE_TIMINGS = f"{PROVISIONING}/mute-timings"
    POLICIES = f"{PROVISIONING}/policies"

    def contact_points(self) -> list[dict[str, Any]]:
        return [p for p in self.client.get(self.CONTACT_POINTS).data or [] if isinstance(p, dict)]

    def create_contact_point(self, payload: dict[str, Any]) -> None:
        self.client.request("POST", self.CONTACT_POINTS, json=payload)

    def update_contact_point(self, uid: str, payload: dict[str, Any]) -> None:
        self.client.request("PUT", f"{self.CONTACT_POINTS}/{quote_segment(uid)}", json={**payload, "uid": uid})

    def delete_contact_point(self, uid: str) -> None:
        self.client.request("DELETE", f"{self.CONTACT_POINTS}/{quote_segment(uid)}", allow=(404,))

    def templates(self) -> list[dict[str, Any]]:
        return [t for t in self.client.get(self.TEMPLATES).data or [] if isinstance(t, dict)]

    def template(self, name: str) -> dict[str, Any] | None:
        data = self.client.get_or_none(f"{self.TEMPLATES}/{quote_segment(name)}")
        return data if isinstance(data, dict) else None

    def put_template(self, name: str, content: str) -> None:
        self.client.request("PUT", f"{self.TEMPLATES}/{quote_segment(name)}", json={"template": content})

    def delete_template(self, name: str) -> None:
        self.client.request("DELETE", f"{self.TEMPLATES}/{quote_segment(name)}", allow=(404,))

    def mute_timings(self) -> list[dict[str, Any]]:
        return [t for t in self.client.get(self.MUTE_TIMINGS).data or [] if isinstance(t, dict)]

    def mute_timing(self, name: str) -> dict[str, Any] | None:
        data = self.client.get_or_none(f"{self.MUTE_TIMINGS}/{quote_segment(name)}")
        return data if isinstance(data, dict) else None

    def create_mute_timing(self, body: dict[str, Any]) -> None:
        self.client.request("POST", self.MUTE_TIMINGS, json=body)

    def update_mute_timing(self, name: str, body: dict[str, Any]) -> None:
        self.client.request("PUT", f"{self.MUTE_TIMINGS}/{quote_segment(name)}", json=body)

    def delete_mute_timing(self, name: str) -> None:
        self.client.request("DELETE", f"{self.MUTE_TIMINGS}/{quote_segment(name)}", allow=(404,))

    def policy_tree(self) -> dict[str, Any] | None:
        data = self.client.get_or_none(self.POLICIES)
        return data if isinstance(data, dict) else None

    def put_policy_tree(self, tree: dict[str, Any], provenance: str | None) -> None:
        headers = None  # the session's: X-Disable-Provenance when the environment disables provenance
        if provenance is not None:  # None removes the session's header: the write is provenance `api`
            headers = {"X-Disable-Provenance": None if provenance else "true"}
        self.client.request("PUT", self.POLICIES, json=tree, headers=headers)


class NotificationsApi(AlertingApi):
    """`notifications.alerting.grafana.app`: receivers (a contact point's integrations under one title), template
    groups, time intervals and the routing tree `user-defined`. Every write carries the `resourceVersion` of the
    object it was made from, so a write by someone in between is refused (409) and reported, never overwritten;
    annotations other tools set are kept; provenance is written as the provisioning API would."""

    def __init__(self, ctx: SyncContext) -> None:
        super().__init__(ctx)
        self.version = ctx.api.notifications or ""
        self.provenance = "" if ctx.disable_provenance else "api"
        self._read = threading.local()  # the routing tree as this thread last read it, for the PUT that follows

    # ---- contact points <-> receivers ------------------------------------------------------------------------
    def contact_points(self) -> list[dict[str, Any]]:
        return [point for receiver in self.client.items(self._path("receivers")) for point in _integrations(receiver)]

    def create_contact_point(self, payload: dict[str, Any]) -> None:
        title = str(payload["name"])
        integration = _integration(payload, None)
        current = self._get("receivers", receiver_name(title))
        if current is None:
            spec = {"title": title, "integrations": [integration]}
            self._create("receivers", "Receiver", spec, f"contact point '{title}'")
        else:
            spec = {**current["spec"], "integrations": [*_spec_integrations(current), integration]}
            self._replace("receivers", "Receiver", current, spec, self.provenance, f"contact point '{title}'")

    def update_contact_point(self, uid: str, payload: dict[str, Any]) -> None:
        title = str(payload["name"])
        current = self._get("receivers", receiver_name(title))
        integrations = _spec_integrations(current) if current is not None else []
        at = next((i for i, integration in enumerate(integrations) if integration.get("uid") == uid), None)
        if current is None or at is None:
            raise NotFound(f"contact point '{title}' has no integration '{uid}' in Grafana any more",
                           hint="it was deleted or renamed while dashkit was syncing; run `dashkit diff` again",
                           status=404)
        integrations[at] = _integration({**payload, "uid": uid}, integrations[at])
        spec = {**current["spec"], "integrations": integrations}
        self._replace("receivers", "Receiver", current, spec, self.provenance, f"contact point '{title}'")

    def delete_contact_point(self, uid: str) -> None:
        for receiver in self.client.items(self._path("receivers")):
            integrations = _spec_integrations(receiver)
            if not any(integration.get("uid") == uid for integration in integrations):
                continue
            rest = [integration for integration in integrations if integration.get("uid") != uid]
            title = str(receiver["spec"].get("title", ""))
            if rest:  # the contact point keeps its other integrations, and their provenance
                self._replace("receivers", "Receiver", receiver, {**receiver["spec"], "integrations": rest},
                              provenance_of(receiver), f"contact point '{title}'")
            else:
                self.client.request("DELETE", self._path("receivers", _name(receiver)), allow=(404,))
            return

    # ---- templates <-> template groups -----------------------------------------------------------------------
    def templates(self) -> list[dict[str, Any]]:
        return [_template(group) for group in self.client.items(self._path("templategroups"))
                if (group.get("spec") or {}).get("kind") in (None, "", "grafana")]

    def template(self, name: str) -> dict[str, Any] | None:
        group = self._get("templategroups", template_group_name(name))
        return _template(group) if group is not None else None

    def put_template(self, name: str, content: str) -> None:
        spec = {"title": name, "content": content, "kind": "grafana"}
        current = self._get("templategroups", template_group_name(name))
        if current is None:
            self._create("templategroups", "TemplateGroup", spec, f"notification template '{name}'")
        else:
            self._replace("templategroups", "TemplateGroup", current, spec, self.provenance,
                          f"notification template '{name}'")

    def delete_template(self, name: str) -> None:
        self.client.request("DELETE", self._path("templategroups", template_group_name(name)), allow=(404,))

    # ---- mute timings <-> time intervals ---------------------------------------------------------------------
    def mute_timings(self) -> list[dict[str, Any]]:
        return [_mute_timing(interval) for interval in self.client.items(self._path("timeintervals"))]

    def mute_timing(self, name: str) -> dict[str, Any] | None:
        interval = self._get("timeintervals", time_interval_name(name))
        return _mute_timing(interval) if interval is not None else None

    def create_mute_timing(self, body: dict[str, Any]) -> None:
        self._create("timeintervals", "TimeInterval", _interval_spec(body), f"mute timing '{body['name']}'")

    def update_mute_timing(self, name: str, body: dict[str, Any]) -> None:
        current = self._get("timeintervals", time_interval_name(name))
        if current is None:
            raise NotFound(f"mute timing '{name}' is not in Grafana any more",
                           hint="it was deleted while dashkit was syncing; run `dashkit diff` again", status=404)
        self._replace("timeintervals", "TimeInterval", current, _interval_spec(body), self.provenance,
                      f"mute timing '{name}'")

    def delete_mute_timing(self, name: str) -> None:
        self.client.request("DELETE", self._path("timeintervals", time_interval_name(name)), allow=(404,))

    # ---- the policy tree <-> the routing tree ----------------------------------------------------------------
    def policy_tree(self) -> dict[str, Any] | None:
        tree = self._get("routingtrees", USER_DEFINED_TREE)
        self._read.tree = tree
        return legacy_tree(tree) if tree is not None else None

    def put_policy_tree(self, tree: dict[str, Any], provenance: str | None) -> None:
        current = getattr(self._read, "tree", None)  # the read this write was made from (the splice re-reads)
        if current is None:
            current = self._get("routingtrees", USER_DEFINED_TREE)
        self._read.tree = None
        kept = self.provenance if provenance is None else provenance
        spec = routing_tree_spec(tree)
        if current is None:  # Grafana always has the tree; without one there is no version to lock on
            current = {"metadata": {"name": USER_DEFINED_TREE}}
        self._replace("routingtrees", "RoutingTree", current, spec, kept, "the notification policy tree")

    # ---- requests --------------------------------------------------------------------------------------------
    def _path(self, resource: str, name: str | None = None) -> str:
        return self.ctx.api.path(NOTIFICATIONS, self.version, resource, name)

    def _get(self, resource: str, name: str) -> dict[str, Any] | None:
        data = self.client.get_or_none(self._path(resource, name))
        return data if isinstance(data, dict) else None

    def _create(self, resource: str, kind: str, spec: dict[str, Any], what: str) -> None:
        """POST a new object; its name comes from the spec (Grafana refuses a `metadata.name` here)."""
        obj = self._object(kind, {"annotations": {PROVENANCE: self.provenance or NO_PROVENANCE}}, spec)
        try:
            self.client.request("POST", self._path(resource), json=obj)
        except Conflict as exc:
            raise GrafanaError(f"{what} was created in Grafana while dashkit was syncing; not overwritten",
                               hint="run `dashkit diff` again to see it", status=exc.status, body=exc.body,
                               method=exc.method, path=exc.path) from None

    def _replace(self, resource: str, kind: str, current: dict[str, Any], spec: dict[str, Any], provenance: str,
                 what: str) -> None:
        """PUT `spec` over `current`, at the resourceVersion it was read at, keeping its labels and the annotations
        clients set."""
        meta = current.get("metadata") or {}
        annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if not k.startswith(SERVER_ANNOTATIONS)}
        metadata: dict[str, Any] = {"name": meta.get("name"), "annotations": {
            **annotations, PROVENANCE: provenance or NO_PROVENANCE}}
        if meta.get("resourceVersion"):
            metadata["resourceVersion"] = meta["resourceVersion"]
        if meta.get("labels"):
            metadata["labels"] = meta["labels"]
        try:
            self.client.request("PUT", self._path(resource, str(meta.get("name"))),
                                json=self._object(kind, metadata, spec))
        except Conflict as exc:
            raise GrafanaError(f"{what} was changed in Grafana while dashkit was syncing; not overwritten",
                               hint="run `dashkit diff` again to see the change", status=exc.status, body=exc.body,
                               method=exc.method, path=exc.path) from None

    def _object(self, kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
        return {"apiVersion": f"{NOTIFICATIONS}/{self.version}", "kind": kind, "metadata": metadata, "spec": spec}


# ---- names (grafana-api.md §14.9) ----------------------------------------------------------------------------------
def receiver_name(title: str) -> str:
    """A receiver's `metadata.name`: its title, base64url without padding (`NameToUid`)."""
    return base64.urlsafe_b64encode(title.encode()).decode().rstrip("=")


template_group_name = receiver_name  # derived the same way [unverified in grafana-api.md]
time_interval_name = receiver_name


def _name(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def provenance_of(obj: dict[str, Any]) -> str:
    """The provenance an app-platform object carries, "" for none (`""` or `none`)."""
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(PROVENANCE)
    return "" if value in (None, "", NO_PROVENANCE) else str(value)


def _with_provenance(body: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
    provenance = provenance_of(obj)
    if provenance:  # the provisioning API omits an empty provenance
        body["provenance"] = provenance
    return body


def _versioned(body: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
    """A template's or mute timing's `version`: the resourceVersion, which is the provisioning API's version."""
    version = (obj.get("metadata") or {}).get("resourceVersion")
    if version:
        body["version"] = version
    return _with_provenance(body, obj)


# ---- receivers <-> contact points ----------------------------------------------------------------------------------
def _spec_integrations(receiver: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(i) for i in (receiver.get("spec") or {}).get("integrations") or [] if isinstance(i, dict)]


def _integrations(receiver: dict[str, Any]) -> list[dict[str, Any]]:
    """A receiver's integrations as contact points: each stored secret (a `secureFields` key) as "[REDACTED]"."""
    title = str((receiver.get("spec") or {}).get("title", ""))
    out = []
    for integration in _spec_integrations(receiver):
        settings = dict(integration.get("settings") or {})
        settings.update({key: REDACTED for key, stored in (integration.get("secureFields") or {}).items() if stored})
        point = {"uid": integration.get("uid", ""), "name": title, "type": integration.get("type", ""),
                 "settings": settings, "disableResolveMessage": bool(integration.get("disableResolveMessage"))}
        out.append(_with_provenance(point, receiver))
    return out


def _integration(point: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any]:
    """A contact point as a receiver integration: a "[REDACTED]" setting keeps the stored secret (`secureFields`),
    any other value is sent, and Grafana stores it (encrypted when it is a secret)."""
    settings = point.get("settings") or {}
    out: dict[str, Any] = {
        "type": point.get("type"),
        "version": (stored or {}).get("version") or INTEGRATION_VERSION,
        "disableResolveMessage": bool(point.get("disableResolveMessage")),
        "settings": {k: v for k, v in settings.items() if v != REDACTED},
    }
    if point.get("uid"):
        out["uid"] = point["uid"]
    kept = {k: True for k, v in settings.items() if v == REDACTED}
    if kept:
        out["secureFields"] = kept
    return out


# ---- template groups, time intervals -------------------------------------------------------------------------------
def _template(group: dict[str, Any]) -> dict[str, Any]:
    spec = group.get("spec") or {}
    return _versioned({"name": spec.get("title", ""), "template": spec.get("content", "")}, group)


def _mute_timing(interval: dict[str, Any]) -> dict[str, Any]:
    spec = interval.get("spec") or {}
    return _versioned({"name": spec.get("name", ""), "time_intervals": spec.get("time_intervals") or []}, interval)


def _interval_spec(body: dict[str, Any]) -> dict[str, Any]:
    return {"name": body["name"], "time_intervals": body.get("time_intervals") or []}


# ---- routing tree <-> policy tree ----------------------------------------------------------------------------------
def legacy_tree(obj: dict[str, Any]) -> dict[str, Any]:
    """The routing tree as a provisioning `Route`: `defaults` become the root's fields, matchers `object_matchers`."""
    spec = obj.get("spec") or {}
    defaults = spec.get("defaults") or {}
    tree = {key: defaults[key] for key in ROOT_KEYS if defaults.get(key) not in (None, "", [])}
    routes = [_legacy_route(route) for route in spec.get("routes") or [] if isinstance(route, dict)]
    if routes:
        tree["routes"] = routes
    return _with_provenance(tree, obj)


def _legacy_route(route: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if route.get("receiver"):
        out["receiver"] = route["receiver"]
    matchers = [[m.get("label", ""), m.get("type", "="), m.get("value", "")]
                for m in route.get("matchers") or [] if isinstance(m, dict)]
    if matchers:
        out["object_matchers"] = matchers
    if route.get("continue"):
        out["continue"] = True
    for key in (*ROUTE_LISTS, *ROUTE_TIMINGS):
        if route.get(key):
            out[key] = route[key]
    children = [_legacy_route(child) for child in route.get("routes") or [] if isinstance(child, dict)]
    if children:
        out["routes"] = children
    return out


def routing_tree_spec(tree: dict[str, Any]) -> dict[str, Any]:
    """A provisioning `Route` as the routing tree's spec."""
    defaults: dict[str, Any] = {"receiver": tree.get("receiver") or ""}
    defaults.update({key: tree[key] for key in ROOT_KEYS[1:] if tree.get(key)})
    return {"defaults": defaults, "routes": [_route_spec(r) for r in tree.get("routes") or [] if isinstance(r, dict)]}


def _route_spec(route: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"continue": bool(route.get("continue"))}
    if route.get("receiver"):
        out["receiver"] = route["receiver"]
    matchers = [{"type": op, "label": label, "value": value} for label, op, value in route.get("object_matchers") or []]
    if matchers:
        out["matchers"] = matchers
    for key in (*ROUTE_LISTS, *ROUTE_TIMINGS):
        if route.get(key):
            out[key] = route[key]
    children = [_route_spec(child) for child in route.get("routes") or [] if isinstance(child, dict)]
    if children:
        out["routes"] = children
    return out


# ---- what a person does in Grafana's alerting UI (for the kinds' examples, see KindExample) -----------------------
UI_HEADERS = {"X-Disable-Provenance": "true"}  # the UI's own writes carry no provenance


def provisioned(client: GrafanaClient, path: str) -> Any:
    """A provisioning API read, as the UI makes it."""
    return client.request("GET", PROVISIONING + path).data


def ui_put(client: GrafanaClient, path: str, body: Any) -> int:
    """A provisioning API write as the UI makes it; its status (Grafana refuses to let the UI change what was
    provisioned with provenance)."""
    return client.request("PUT", PROVISIONING + path, json=body, headers=UI_HEADERS, allow=ANY_STATUS).status
