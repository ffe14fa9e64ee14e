"""Mute timings, keyed by name. Grafana keeps no marker on them, so prune never deletes one."""

from __future__ import annotations

from typing import Any

from .. import naming
from ..builders.notifications import MuteTiming
from ..client import quote_segment
from ..loader import Definition
from ..model import Resource, ResourceRef
from .base import BuildContext, LiveResource, ResourceKind, SyncContext, exported, register

API = "/api/v1/provisioning/mute-timings"


@register
class MuteTimingKind(ResourceKind):
    name = "mute_timing"
    area = "alerts"
    exports = ("mute_timings",)
    order = 30

    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        if definition.area != self.area:
            return []
        out = []
        for timing in exported(definition, "mute_timings", MuteTiming, "mute_timing(...)"):
            out.append(Resource(kind=self.name, uid=timing.name, title=timing.name, body=timing.to_grafana(),
                                source=definition.relpath, path=timing.name))
        return out

    def build_path(self, resource: Resource) -> str:
        return f"alerts/mute-timings/{naming.file_safe(resource.title)}.json"

    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        intervals = [{k: v for k, v in i.items() if v not in (None, [], "")} for i in body.get("time_intervals") or []]
        return {"name": body.get("name"), "time_intervals": intervals}

    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        wanted = {r.uid for r in desired}
        out = {}
        for timing in ctx.client.get(API).data or []:
            if timing.get("name") in wanted:
                live = self._live(timing, ctx)
                out[live.ref] = live
        return out

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        data = ctx.client.get_or_none(f"{API}/{quote_segment(ref.uid)}")
        return self._live(data, ctx) if isinstance(data, dict) else None

    def _live(self, timing: dict[str, Any], ctx: SyncContext) -> LiveResource:
        name = str(timing.get("name", ""))
        # Defined in code under this name: the project's to keep in line (but never pruned, see module doc).
        return LiveResource(ref=ResourceRef(self.name, name), title=name, body=timing,
                            comparable=self.comparable(timing, ""), path=name, owner=ctx.owner, managed=True)

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        ctx.client.request("POST", API, json=resource.body)

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        ctx.client.request("PUT", f"{API}/{quote_segment(resource.uid)}", json=resource.body)

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        ctx.client.request("DELETE", f"{API}/{quote_segment(live.ref.uid)}", allow=(404,))
