"""The notification policy tree: one per org, replaced whole; never deleted by dashkit (a DELETE would reset
routing for everyone). `dashkit build` also renders the routing as an Alertmanager configuration."""

from __future__ import annotations

from typing import Any

from ..builders.notifications import DEFAULT_RECEIVER, Route
from ..diff import KeyedList
from ..durations import canonical_duration
from ..errors import DefinitionError
from ..loader import Definition
from ..model import Resource, ResourceRef
from .alerting_files import alertmanager_config
from .base import BuildContext, LiveResource, ResourceKind, SyncContext, export, register

API = "/api/v1/provisioning/policies"
UID = "notification-policy-tree"


@register
class NotificationPolicyKind(ResourceKind):
    name = "notification_policy"
    depends_on = ("contact_point", "mute_timing")
    area = "alerts"
    exports = ("notification_policy",)
    order = 50

    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        tree = export(definition, "notification_policy") if definition.area == self.area else None
        if tree is None:
            return []
        if not isinstance(tree, Route) or not tree.receiver:
            raise DefinitionError(definition.relpath, "notification_policy must be notification_policy(...) "
                                                      "with a default receiver")
        return [Resource(kind=self.name, uid=UID, title="notification policy tree", body=tree.to_grafana(),
                         source=definition.relpath, path="notification policy tree", extra={"tree": tree})]

    def finalize(self, resource: Resource, resources: dict[ResourceRef, Resource], ctx: BuildContext) -> None:
        tree: Route = resource.extra["tree"]
        points = {r.title: r.ref for r in resources.values() if r.kind == "contact_point"}
        timings = {r.title: r.ref for r in resources.values() if r.kind == "mute_timing"}
        for receiver in sorted(tree.receivers()):
            if receiver not in points and receiver != DEFAULT_RECEIVER:
                raise DefinitionError(resource.source, f"the notification policy routes to contact point "
                                                       f"'{receiver}', which no module defines",
                                      hint="define it in contact_points, or fix the receiver name")
        for timing in sorted(tree.all_mute_timings()):
            if timing not in timings:
                raise DefinitionError(resource.source, f"the notification policy uses mute timing '{timing}', "
                                                       "which no module defines")
        resource.depends = tuple(points[r] for r in sorted(tree.receivers()) if r in points) + tuple(
            timings[t] for t in sorted(tree.all_mute_timings()))

    def build_files(self, resources: list[Resource], everything: list[Resource]) -> dict[str, str]:
        points = [r for r in everything if r.kind == "contact_point"]
        templates = [r for r in everything if r.kind == "template"]
        timings = [r for r in everything if r.kind == "mute_timing"]
        if not (resources or points):
            return {}
        files = {"alertmanager/alertmanager.yml": alertmanager_config(resources[0] if resources else None, points,
                                                                      templates, timings)}
        for template in templates:
            files[f"alertmanager/templates/{template.title}.tmpl"] = template.body["template"].rstrip() + "\n"
        return files

    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        return normalize_route(body)

    def keyed_lists(self) -> dict[str, KeyedList]:
        return {"routes": KeyedList("route", key=lambda r: _route_key(r), title=lambda r: _route_key(r))}

    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        if not desired:
            return {}
        live = self.fetch_one(desired[0].ref, ctx)
        return {live.ref: live} if live else {}

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        tree = ctx.client.get_or_none(API)
        if not isinstance(tree, dict):
            return None
        # The tree is a singleton the project declares: it is dashkit's to keep in line with the code.
        return LiveResource(ref=ref, title="notification policy tree", body=tree, comparable=normalize_route(tree),
                            path="notification policy tree", owner=ctx.owner, managed=True)

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        ctx.client.request("PUT", API, json=resource.body)

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        ctx.client.request("PUT", API, json=resource.body)

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        raise NotImplementedError("dashkit never deletes the notification policy tree")


def normalize_route(route: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in route.items():
        if key in ("provenance",) or value in (None, [], "", False):
            continue
        if key in ("group_wait", "group_interval", "repeat_interval"):
            try:
                value = canonical_duration(value)
            except ValueError:
                pass
        elif key == "object_matchers":
            value = [list(m) for m in value]
        elif key == "routes":
            value = [normalize_route(r) for r in value]
        out[key] = value
    return out


def _route_key(route: dict[str, Any]) -> str:
    matchers = ", ".join(f"{label}{op}{value}" for label, op, value in route.get("object_matchers") or [])
    return f"{{{matchers}}} -> {route.get('receiver', '(inherited)')}"
