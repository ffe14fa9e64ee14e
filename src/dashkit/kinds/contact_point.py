"""Contact points: secrets come from env vars at sync time; Grafana hides them, so a salted digest of the
secrets is stored beside them and a rotated secret shows up as a change."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import naming, secrets
from ..builders.notifications import ContactPoint
from ..client import quote_segment
from ..loader import Definition
from ..model import Resource, ResourceRef
from .base import BuildContext, LiveResource, ResourceKind, SyncContext, exported, register

API = "/api/v1/provisioning/contact-points"
DIGEST_KEY = "dashkitSecretDigest"


@register
class ContactPointKind(ResourceKind):
    name = "contact_point"
    area = "alerts"
    exports = ("contact_points",)
    order = 30

    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        if definition.area != self.area:
            return []
        out = []
        for point in exported(definition, "contact_points", ContactPoint,
                              "slack(...), pagerduty(...), email(...) or webhook(...)"):
            uid = naming.owned_uid(ctx.owner, point.name, "contact_point", point.name)
            out.append(Resource(kind=self.name, uid=uid, title=point.name, body={"uid": uid, **point.to_grafana()},
                                source=definition.relpath, path=point.name))
        return out

    def build_path(self, resource: Resource) -> str:
        return f"alerts/contact-points/{naming.file_safe(resource.title)}.json"  # placeholders only, no secrets

    def prepare(self, resource: Resource, ctx: SyncContext) -> Resource:
        digest = secrets.digest(resource.body["settings"], resource.uid, f"contact point '{resource.title}'")
        if digest is None:
            return resource
        body = {**resource.body, "settings": {**resource.body["settings"], DIGEST_KEY: digest}}
        return dataclasses.replace(resource, body=body)

    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        return {"name": body.get("name"), "type": body.get("type"),
                "settings": secrets.redact(body.get("settings") or {}),
                "disableResolveMessage": bool(body.get("disableResolveMessage"))}

    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        wanted = {r.uid for r in desired}
        points = ctx.client.get(API).data or []
        return {live.ref: live for live in (self._live(p, ctx) for p in points)
                if live.ref.uid in wanted or live.managed}

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        points = ctx.client.get(API).data or []
        return next((self._live(p, ctx) for p in points if p.get("uid") == ref.uid), None)

    def _live(self, point: dict[str, Any], ctx: SyncContext) -> LiveResource:
        owned = naming.is_owned_uid(ctx.owner, point.get("uid"))
        return LiveResource(ref=ResourceRef(self.name, point.get("uid", "")), title=str(point.get("name", "")),
                            body=point, comparable=self.comparable(point, ""), path=str(point.get("name", "")),
                            owner=ctx.owner if owned else None, managed=owned)

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        ctx.client.request("POST", API, json=self._payload(resource))

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        ctx.client.request("PUT", f"{API}/{quote_segment(resource.uid)}", json=self._payload(resource))

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        ctx.client.request("DELETE", f"{API}/{quote_segment(live.ref.uid)}", allow=(404,))

    def _payload(self, resource: Resource) -> dict[str, Any]:
        return secrets.reveal(resource.body, f"contact point '{resource.title}'")
