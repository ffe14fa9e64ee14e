"""Mute timings, keyed by name. A mute timing has no field to carry a marker, so its owner is kept in an owner
record (kinds/owner_records.py) claimed when dashkit writes it and released when prune deletes it."""

from __future__ import annotations

from typing import Any

from .. import naming
from ..builders.notifications import MuteTiming
from ..loader import Definition
from ..model import Resource, ResourceRef
from . import owner_records
from .alerting_api import alerting_api, provisioned, ui_put
from .base import BuildContext, KindExample, LiveResource, ResourceKind, SyncContext, exported, register

EXAMPLE = KindExample(
    files={"alerts/timings.py": 'from dashkit.builders import mute_timing\n'
                                'mute_timings = [mute_timing("maint", weekdays=["monday"])]\n'},
    change=('"monday"', '"tuesday"'),
    ui_edit=lambda client, api: ui_put(client, "/mute-timings/maint",
                                       {"name": "maint", "time_intervals": [{"weekdays": ["friday"]}]}),
    after_ui_edit="locked",
    present=lambda client, api: any(t["name"] == "maint" for t in provisioned(client, "/mute-timings")),
)


@register
class MuteTimingKind(ResourceKind):
    name = "mute_timing"
    example = EXAMPLE
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
        owners = owner_records.claimed(ctx, self.name)
        out = {}
        for timing in alerting_api(ctx).mute_timings():
            live = self._live(timing, owners)
            if live.ref.uid in wanted or ctx.mine(live.owner):
                live.managed = ctx.mine(live.owner)
                out[live.ref] = live
        return out

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        data = alerting_api(ctx).mute_timing(ref.uid)
        if data is None:
            return None
        live = self._live(data, {ref.uid: owner_records.owner_of(ctx, self.name, ref.uid) or ""})
        live.managed = ctx.mine(live.owner)
        return live

    def _live(self, timing: dict[str, Any], owners: dict[str, str]) -> LiveResource:
        name = str(timing.get("name", ""))
        return LiveResource(ref=ResourceRef(self.name, name), title=name, body=timing,
                            comparable=self.comparable(timing, ""), path=name, owner=owners.get(name) or None)

    def from_backup(self, document: Any, uid: str, source: str) -> Resource:
        body = {"name": uid, "time_intervals": list((document or {}).get("time_intervals") or [])}
        return Resource(kind=self.name, uid=uid, title=uid, body=body, source=source, path=uid)

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        owner_records.claim(ctx, self.name, resource.uid)
        alerting_api(ctx).create_mute_timing(resource.body)

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        if live.owner != ctx.owner:
            owner_records.claim(ctx, self.name, resource.uid)
            if live.comparable == self.comparable(resource.body, ""):
                return  # only the claim was missing
        alerting_api(ctx).update_mute_timing(resource.uid, resource.body)

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        alerting_api(ctx).delete_mute_timing(live.ref.uid)
        owner_records.release(ctx, self.name, live.ref.uid)
