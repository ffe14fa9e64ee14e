"""Dashboards through the app-platform `dashboard.grafana.app` API (Grafana 12+, grafana-api.md §14.2-14.6).

One list request reads 500 dashboards; ownership is Grafana's own manager annotations (kinds/managers.py), with
dashkit's fingerprint as `sourceChecksum`; an update carries the `resourceVersion` it was planned from, so a write
by someone in between is a 409, reported, never overwritten. A dashboard stored as schema v2 (the UI's default
format) is read at its stored version: one of dashkit's is drift ("converted to schema v2 in the UI"), restored
from the code only with --force (backed up in its stored form); anyone else's is left alone."""

from __future__ import annotations

from typing import Any

from ..errors import Conflict, GrafanaError
from ..grafana_api import DASHBOARDS
from ..model import Resource, ResourceRef
from ..normalize import fingerprint
from . import managers
from .base import LiveResource, SyncContext
from .dashboard_marks import ENVELOPE, RESTORED, RESTORED_DRIFT, TAG_PREFIX, DashboardChecksums, marker_tag

V2 = "converted to schema v2"
GENERATION = "dashkit/generation"  # the generation dashkit's own write gave the dashboard (see `_predict`)
SPEC_SERVER_FIELDS = ("id", "version")


class AppPlatformDashboards:
    def __init__(self, kind: DashboardChecksums) -> None:
        self.kind = kind

    def _path(self, ctx: SyncContext, name: str | None = None, version: str | None = None) -> str:
        return ctx.api.path(DASHBOARDS, version or ctx.api.dashboards or "", "dashboards", name)

    # ---- read ------------------------------------------------------------------------------------------------
    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        """One metadata-only list (500 a page) tells, for each dashboard, whether it is exactly what dashkit last
        wrote for the code as it is now: its manager annotations name this project, its `sourceChecksum` is the
        checksum of the definition, and its generation is the one dashkit's own write produced (a save by anyone
        else moves it). Those need nothing more; the others are read whole and compared."""

        wanted = {r.uid: r for r in desired}
        searches = [ctx.pool.submit(ctx.client.search, [("type", "dash-db"), ("tag", marker_tag(owner))])
                    for owner in ctx.owners]  # while the list pages come in
        items = list(ctx.client.items(self._path(ctx), limit=1000, metadata_only=True))  # about 1 KB each
        tagged = {h.get("uid") for search in searches for h in search.result()}
        out: dict[ResourceRef, LiveResource] = {}
        to_read: list[str] = []
        for item in items:
            meta = item.get("metadata") or {}
            name = meta.get("name")
            resource = wanted.get(name)
            ours = ctx.mine(managers.owner_of(meta.get("annotations") or {})) or name in tagged
            if resource is None and not ours:
                continue  # someone else's: never read, never shown
            if resource is not None and self._unchanged(meta, resource, ctx):
                live = LiveResource(ref=resource.ref, title=resource.title, body={}, comparable=None,
                                    folder=resource.folder, path=resource.label, owner=ctx.owner, managed=True,
                                    unchanged=True)
                out[live.ref] = live
            elif "spec" in item:  # a server that does not offer metadata-only lists sent whole objects
                live = self._live(item, ctx, resource)
                if resource is not None or live.managed:
                    out[live.ref] = live
            elif resource is None and not ctx.prune and ctx.mine(managers.owner_of(meta.get("annotations") or {})):
                # no longer defined, and this run deletes nothing: what the metadata says is enough to list it
                owner = managers.owner_of(meta.get("annotations") or {})
                folder = (meta.get("annotations") or {}).get(managers.FOLDER) or ""
                live = LiveResource(ref=ResourceRef(self.kind.name, name), title=name, body={}, comparable=None,
                                    folder=folder, path=name, owner=owner, managed=True)
                out[live.ref] = live
            else:
                to_read.append(name)
        for item in ctx.map(lambda uid: ctx.client.get_or_none(self._path(ctx, uid)), to_read):
            if isinstance(item, dict):
                name = (item.get("metadata") or {}).get("name")
                live = self._live(item, ctx, wanted.get(name))
                if name in wanted or live.managed:
                    out[live.ref] = live
        stored_v2 = [lv for lv in out.values() if lv.extra.get("stored_v2")]
        for live, stored in zip(stored_v2, ctx.map(lambda lv: self._stored_form(lv, ctx), stored_v2), strict=True):
            if stored is not None:
                live.body = stored
        return out

    def _unchanged(self, meta: dict[str, Any], resource: Resource, ctx: SyncContext) -> bool:
        annotations = meta.get("annotations") or {}
        return (annotations.get(managers.MANAGER_ID) == managers.IDENTITY_PREFIX + ctx.owner
                and annotations.get(GENERATION) == str(meta.get("generation"))
                and not managers.differs(annotations, self._marks(resource, ctx))
                and (annotations.get(managers.FOLDER) or "") == (resource.folder or ""))

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        item = ctx.client.get_or_none(self._path(ctx, ref.uid))
        return self._live(item, ctx, None) if isinstance(item, dict) else None

    def _stored_form(self, live: LiveResource, ctx: SyncContext) -> dict[str, Any] | None:
        """The dashboard as Grafana stores it (schema v2), for the backup taken before --force restores it."""
        data = ctx.client.get_or_none(self._path(ctx, live.ref.uid, live.extra["stored_version"]))
        return data if isinstance(data, dict) else None

    def _may_be_ours(self, item: dict[str, Any], ctx: SyncContext) -> bool:
        """Cheap test before building a live view: a manager or legacy marker naming one of this project's owners."""

        annotations = (item.get("metadata") or {}).get("annotations") or {}
        if ctx.mine(managers.owner_of(annotations)):
            return True
        envelope = (item.get("spec") or {}).get(ENVELOPE)
        return isinstance(envelope, dict) and ctx.mine(envelope.get("owner"))

    def _live(self, item: dict[str, Any], ctx: SyncContext, desired: Resource | None) -> LiveResource:

        meta = item.get("metadata") or {}
        annotations = meta.get("annotations") or {}
        name = str(meta.get("name", ""))
        spec = {k: v for k, v in (item.get("spec") or {}).items() if k not in SPEC_SERVER_FIELDS}
        spec["uid"] = name
        folder = str(annotations.get(managers.FOLDER) or "")
        conversion = (item.get("status") or {}).get("conversion") or {}
        stored = str(conversion.get("storedVersion") or str(item.get("apiVersion", "")).rsplit("/", 1)[-1])
        comparable = self.kind.comparable(spec, folder)
        who = f"by {annotations.get(managers.UPDATED_BY) or 'someone'} at {annotations.get(managers.UPDATED_AT) or '?'}"
        owner = managers.owner_of(annotations)
        envelope = spec.get(ENVELOPE) if isinstance(spec.get(ENVELOPE), dict) else {}
        legacy_marked = owner is None and envelope.get("uid") == name and isinstance(envelope.get("owner"), str)
        if legacy_marked:  # synced through the legacy API (before an upgrade), or a legacy save dropped the annotations
            owner = envelope["owner"]
        live = LiveResource(
            ref=ResourceRef(self.kind.name, name),
            title=str(spec.get("title", "")),
            body=item,
            comparable=comparable,
            folder=folder,
            path=str(spec.get("title", "")),
            owner=owner,
            managed=ctx.mine(owner),
            depends=(ResourceRef("folder", folder),) if folder else (),
            extra={"resourceVersion": meta.get("resourceVersion"), "annotations": annotations,
                   "labels": meta.get("labels") or {}, "stored_version": stored,
                   "generation": meta.get("generation")},
        )
        if stored.startswith("v2"):
            live.extra["stored_v2"] = True
            live.comparable, live.headline = {"schema": stored}, f"{V2} ({stored}) in Grafana's UI"
            if live.managed:
                live.drift = f"{V2} in the UI {who}"
            elif owner is None:
                live.drift = f"stored as schema v2 ({stored}), made or converted in Grafana's UI {who}"
        elif owner == ctx.owner and envelope.get("fingerprint") == RESTORED:
            live.drift = RESTORED_DRIFT
        elif owner == ctx.owner and envelope.get("fingerprint") != fingerprint(comparable):
            # the hidden key holds the fingerprint of the content dashkit wrote; a save in the UI drops the key
            live.drift = f"changed in Grafana {who}, after dashkit last wrote it"
        elif owner is None and marker_tag(ctx.owner) in (spec.get("tags") or []):
            live.drift = f"changed in Grafana {who} (the save dropped dashkit's marker)"
            live.note = "carries dashkit's tag but not its marker: edited in Grafana, so prune leaves it"
        if managers.is_repo(owner) or str(annotations.get(managers.MANAGED_BY, "")).startswith("classic-file"):
            live.deletable = False
            live.note = f"managed by {managers.describe_other(owner or '')}: change it there"
            live.locked = live.note
        if live.managed and live.drift is None:
            if legacy_marked:
                live.remark = "adds Grafana's manager annotations (content unchanged)"
            elif desired is not None and managers.differs(annotations, self._marks(desired, ctx)):
                live.remark = "updates Grafana's manager annotations (content unchanged)"
        return live

    # ---- write -----------------------------------------------------------------------------------------------
    def _marks(self, resource: Resource, ctx: SyncContext) -> dict[str, str]:
        return managers.marks(ctx.owner, ctx.ui_edits, resource.source, self.kind.source_checksum(resource))

    def _object(self, resource: Resource, ctx: SyncContext, live: LiveResource | None,
                annotations: dict[str, Any] | None = None) -> dict[str, Any]:

        # The spec carries dashkit's classic marker too (tag and hidden key), so a save through the legacy API,
        # which drops the annotations (grafana-api.md §14.5), is still recognised, as drift when it changed content.
        spec = {k: v for k, v in resource.body.items() if k not in SPEC_SERVER_FIELDS}
        tags = [t for t in spec.get("tags") or [] if not (isinstance(t, str) and t.startswith(TAG_PREFIX))]
        spec["tags"] = [*tags, marker_tag(ctx.owner)]
        spec[ENVELOPE] = {"owner": ctx.owner, "uid": resource.uid, "fingerprint": self.kind.checksum(resource)}
        kept = managers.without_manager(live.extra["annotations"]) if live is not None else {}
        for key in (managers.UPDATED_BY, managers.UPDATED_AT, managers.FOLDER, managers.MESSAGE):
            kept.pop(key, None)
        if annotations is None:
            annotations = {**kept, **self._marks(resource, ctx)}
            annotations[managers.MESSAGE] = f"dashkit sync from {resource.source}"[:500] if resource.source \
                else "dashkit sync"
        if resource.folder:
            annotations[managers.FOLDER] = resource.folder
        annotations[GENERATION] = str(self._predict(spec, resource, live))
        metadata: dict[str, Any] = {"name": resource.uid, "annotations": annotations}
        if live is not None:
            metadata["resourceVersion"] = live.extra["resourceVersion"]
            if live.extra["labels"]:
                metadata["labels"] = live.extra["labels"]
        return {"apiVersion": f"{DASHBOARDS}/{ctx.api.dashboards}", "kind": "Dashboard", "metadata": metadata,
                "spec": spec}

    @staticmethod
    def _predict(spec: dict[str, Any], resource: Resource, live: LiveResource | None) -> int:
        """The generation this write will give the dashboard: 1 for a new one; Grafana moves it only when the spec or
        the folder changes (grafana-api.md §14.2), so an update of the annotations alone keeps it."""
        if live is None:
            return 1
        generation = live.extra.get("generation") or 0
        stored = {k: v for k, v in (live.body.get("spec") or {}).items() if k not in (*SPEC_SERVER_FIELDS, "uid")}
        wanted = {k: v for k, v in spec.items() if k not in (*SPEC_SERVER_FIELDS, "uid")}
        moved = (resource.folder or "") != (live.folder or "")
        return generation + 1 if (stored != wanted or moved or live.extra.get("stored_v2")) else generation

    def _settle(self, resource: Resource, reply: Any, ctx: SyncContext) -> None:
        """When Grafana gave the write another generation than predicted, record the real one (a metadata-only
        update, which keeps the generation), so the next run recognises the dashboard without reading it."""
        meta = (reply or {}).get("metadata") if isinstance(reply, dict) else None
        if not isinstance(meta, dict) or meta.get("generation") is None:
            return
        annotations = dict(meta.get("annotations") or {})
        if annotations.get(GENERATION) == str(meta["generation"]):
            return
        annotations[GENERATION] = str(meta["generation"])
        fixed = {**reply, "metadata": {**meta, "annotations": annotations}}
        fixed.pop("status", None)
        self._put(resource, fixed, ctx)

    def save(self, resource: Resource, live: LiveResource | None, ctx: SyncContext) -> None:
        if live is None:
            try:
                reply = ctx.client.request("POST", self._path(ctx), json=self._object(resource, ctx, None)).data
            except Conflict:
                raise GrafanaError(f"dashboard {resource.label} was created in Grafana while dashkit was syncing; "
                                   "not overwritten", hint="run `dashkit diff` again to see it") from None
            self._settle(resource, reply, ctx)
            return
        if managers.is_repo(live.owner):
            raise GrafanaError(f"dashboard {resource.label} is managed by "
                               f"{managers.describe_other(live.owner or '')}; change it there")
        if live.owner is not None and live.owner != ctx.owner and not live.extra.get("stored_v2") \
                and managers.owner_of(live.extra["annotations"]) is not None:
            # Grafana refuses to hand a managed resource to another manager identity: the old one is removed first
            # (--adopt-owner, or --force over another manager), then dashkit's is written.
            released = self._object(resource, ctx, live, annotations=managers.without_manager(
                {k: v for k, v in live.extra["annotations"].items() if k not in (managers.UPDATED_BY,
                                                                                   managers.UPDATED_AT)}))
            released["spec"] = {k: v for k, v in (live.body.get("spec") or {}).items()}
            reply = self._put(resource, released, ctx)
            live.extra["resourceVersion"] = ((reply or {}).get("metadata") or {}).get("resourceVersion")
            live.extra["annotations"] = ((reply or {}).get("metadata") or {}).get("annotations") or {}
        self._settle(resource, self._put(resource, self._object(resource, ctx, live), ctx), ctx)

    def _put(self, resource: Resource, obj: dict[str, Any], ctx: SyncContext) -> Any:
        try:
            return ctx.client.request("PUT", self._path(ctx, resource.uid), json=obj).data
        except Conflict:
            current = self.fetch_one(resource.ref, ctx)
            who = (current.extra["annotations"].get(managers.UPDATED_BY) if current else None) or "someone"
            raise GrafanaError(f"dashboard {resource.label} was changed in Grafana by {who} while dashkit was "
                               "syncing (409); not overwritten",
                               hint="run `dashkit diff` again: it shows the change as drift") from None

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        ctx.client.request("DELETE", self._path(ctx, live.ref.uid), allow=(404,))

    def dry_run(self, action: str, resource: Resource | None, live: LiveResource | None, ctx: SyncContext) -> bool:
        dry = [("dryRun", "All")]
        if action == "create" and resource is not None:
            ctx.client.request("POST", self._path(ctx), params=dry, json=self._object(resource, ctx, None),
                               idempotent=True)
        elif action == "update" and resource is not None and live is not None:
            if live.owner is not None and live.owner != ctx.owner:
                return False  # a change of manager is two writes; the first would make the dry run of the second moot
            ctx.client.request("PUT", self._path(ctx, resource.uid), params=dry,
                               json=self._object(resource, ctx, live))
        elif action == "delete" and live is not None:
            ctx.client.request("DELETE", self._path(ctx, live.ref.uid), params=dry)
        else:
            return False
        return True
