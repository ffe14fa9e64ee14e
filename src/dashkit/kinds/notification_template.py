"""Notification message templates, keyed by name; dashkit's owner marker is a comment at the top of the template.
Owner records of other kinds (kinds/owner_records.py) are templates too, and are not this kind's."""

from __future__ import annotations

import re
from typing import Any

from .. import naming
from ..builders.notifications import Template
from ..errors import DefinitionError
from ..loader import Definition
from ..model import Resource, ResourceRef
from . import owner_records
from .alerting_api import alerting_api, provisioned, ui_put
from .base import BuildContext, KindExample, LiveResource, ResourceKind, SyncContext, exported, register

MARKER = "{{/* managed by dashkit: %s */}}\n"
_MARKER_RE = re.compile(r"^\{\{/\* managed by dashkit: (\S+) \*/\}\}")


EXAMPLE = KindExample(
    files={"alerts/templates.py": 'from dashkit.builders import template\n'
                                  'templates = [template("team", \'{{ define "team.title" }}one{{ end }}\')]\n'},
    change=("one", "two"),
    ui_edit=lambda client, api: ui_put(client, "/templates/team", {"template": '{{ define "team.title" }}ui{{ end }}'}),
    after_ui_edit="locked",
    present=lambda client, api: any(t["name"] == "team" for t in provisioned(client, "/templates")),
)


@register
class TemplateKind(ResourceKind):
    name = "template"
    example = EXAMPLE
    area = "alerts"
    exports = ("templates",)
    order = 30

    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        if definition.area != self.area:
            return []
        out = []
        for template in exported(definition, "templates", Template, "template(...)"):
            if owner_records.is_record(template.name):
                raise DefinitionError(definition.relpath, f"template name '{template.name}' starts with "
                                      f"'{owner_records.PREFIX}', which dashkit keeps for its owner records")
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
        lives = (self._live(t, ctx) for t in owner_records.templates(ctx) if not owner_records.is_record(t.get("name")))
        return {live.ref: live for live in lives if live.ref.uid in wanted or live.managed}

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        data = alerting_api(ctx).template(ref.uid)
        return self._live(data, ctx) if data is not None else None

    def _live(self, template: dict[str, Any], ctx: SyncContext) -> LiveResource:
        match = _MARKER_RE.match(str(template.get("template", "")))
        owner = match.group(1) if match else None
        name = str(template.get("name", ""))
        return LiveResource(ref=ResourceRef(self.name, name), title=name, body=template,
                            comparable=self.comparable(template, ""), path=name, owner=owner,
                            managed=ctx.mine(owner))

    def from_backup(self, document: Any, uid: str, source: str) -> Resource:
        text = self.comparable(document or {}, "")["template"]
        return Resource(kind=self.name, uid=uid, title=uid, body={"name": uid, "template": text}, source=source,
                        path=uid)

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        self.update(resource, None, ctx)  # type: ignore[arg-type]

    def update(self, resource: Resource, live: LiveResource | None, ctx: SyncContext) -> None:
        text = MARKER % ctx.owner + resource.body["template"]
        alerting_api(ctx).put_template(resource.uid, text)

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        alerting_api(ctx).delete_template(live.ref.uid)
