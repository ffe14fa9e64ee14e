"""Notification message templates, keyed by name; dashkit's ownership marker is a template comment."""

from __future__ import annotations

from typing import Any

from .. import naming
from ..builders.notifications import Template
from ..client import quote_segment
from ..loader import Definition
from ..model import Resource, ResourceRef
from .base import BuildContext, LiveResource, ResourceKind, SyncContext, exported, register

API = "/api/v1/provisioning/templates"
MARKER = "{{/* managed by dashkit: %s */}}\n"


@register
class TemplateKind(ResourceKind):
    name = "template"
    area = "alerts"
    exports = ("templates",)
    order = 30

    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        if definition.area != self.area:
            return []
        out = []
        for template in exported(definition, "templates", Template, "template(...)"):
            out.append(Resource(kind=self.name, uid=template.name, title=template.name,
                                body={"name": template.name, "template": template.content},
                                source=definition.relpath, path=template.name))
        return out

    def build_path(self, resource: Resource) -> str:
        return f"alerts/templates/{naming.file_safe(resource.title)}.json"

    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        text = str(body.get("template", ""))
        if text.startswith("{{/* managed by dashkit:"):
            text = text.split("\n", 1)[1] if "\n" in text else ""
        return {"name": body.get("name"), "template": text.strip()}

    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        wanted = {r.uid for r in desired}
        lives = (self._live(t, ctx) for t in ctx.client.get(API).data or [])
        return {live.ref: live for live in lives if live.ref.uid in wanted or live.managed}

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        data = ctx.client.get_or_none(f"{API}/{quote_segment(ref.uid)}")
        return self._live(data, ctx) if isinstance(data, dict) else None

    def _live(self, template: dict[str, Any], ctx: SyncContext) -> LiveResource:
        owned = str(template.get("template", "")).startswith(MARKER % ctx.owner)
        name = str(template.get("name", ""))
        return LiveResource(ref=ResourceRef(self.name, name), title=name, body=template,
                            comparable=self.comparable(template, ""), path=name,
                            owner=ctx.owner if owned else None, managed=owned)

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        self.update(resource, None, ctx)  # type: ignore[arg-type]

    def update(self, resource: Resource, live: LiveResource | None, ctx: SyncContext) -> None:
        text = MARKER % ctx.owner + resource.body["template"]
        ctx.client.request("PUT", f"{API}/{quote_segment(resource.uid)}", json={"template": text})

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        ctx.client.request("DELETE", f"{API}/{quote_segment(live.ref.uid)}", allow=(404,))
