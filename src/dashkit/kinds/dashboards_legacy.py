"""Dashboards through the legacy `/api/dashboards` (Grafana 10/11, or `api: legacy`): one GET per dashboard, an
ownership marker inside the dashboard JSON (tag `dashkit:<owner>` and a hidden `dashkit` key)."""

from __future__ import annotations

import copy

from ..client import quote_segment
from ..errors import GrafanaError
from ..model import Resource, ResourceRef
from ..normalize import fingerprint
from .base import LiveResource, SyncContext
from .dashboard_marks import ENVELOPE, RESTORED, RESTORED_DRIFT, TAG_PREFIX, DashboardChecksums, marker_tag

V2_STORED = "stored as schema v2 (saved in Grafana's UI); the legacy API cannot read it (api: auto reads it)"


class LegacyDashboards:
    def __init__(self, kind: DashboardChecksums) -> None:
        self.kind = kind

    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        """One search says which dashboards exist and which carry this project's tag; only those are read (a
        dashboard about to be created costs no read). A dashboard whose marker says dashkit wrote exactly what the
        code defines now, and whose version is the one that write gave it, is not compared."""

        tags = {TAG_PREFIX + owner for owner in ctx.owners}
        hits = ctx.client.search([("type", "dash-db")])
        existing = {h.get("uid") for h in hits}
        owned = sorted({h["uid"] for h in hits if h.get("uid") and tags & set(h.get("tags") or [])})
        wanted = {r.uid: r for r in desired}
        orphans = [uid for uid in owned if uid not in wanted]
        uids = [uid for uid in wanted if uid in existing] + (orphans if ctx.prune else [])
        lives = ctx.map(lambda uid: self._read(ResourceRef(self.kind.name, uid), wanted.get(uid), ctx), uids)
        out = {live.ref: live for live in lives if live is not None}
        if not ctx.prune:  # no longer defined, and this run deletes nothing: the search hit is enough to list it
            by_uid = {h.get("uid"): h for h in hits}
            for uid in orphans:
                hit = by_uid[uid]
                folder = hit.get("folderUid") or ""
                path = "/".join(p for p in (hit.get("folderTitle") if folder else "", hit.get("title")) if p)
                live = LiveResource(ref=ResourceRef(self.kind.name, uid), title=str(hit.get("title", "")), body={},
                                    comparable=None, folder=folder, path=path, owner=ctx.owner, managed=True)
                out[live.ref] = live
        return out

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        return self._read(ref, None, ctx)

    def _read(self, ref: ResourceRef, desired: Resource | None, ctx: SyncContext) -> LiveResource | None:

        reply = ctx.client.get(f"/api/dashboards/uid/{quote_segment(ref.uid)}", allow=(404, 406))
        if reply.status == 406:  # Grafana 12: stored as schema v2, served only by /apis (grafana-api.md §4.2)
            return LiveResource(ref=ref, title=ref.uid, body={}, comparable={"schema": "v2"}, path=ref.uid,
                                drift=V2_STORED, headline="stored as schema v2", deletable=False, note=V2_STORED)
        data = reply.data if reply.status != 404 else None
        if not isinstance(data, dict) or not isinstance(data.get("dashboard"), dict):
            return None
        dash, meta = data["dashboard"], data.get("meta") or {}
        folder = meta.get("folderUid") or ""
        envelope = dash.get(ENVELOPE) if isinstance(dash.get(ENVELOPE), dict) else {}
        if (desired is not None and envelope.get("owner") == ctx.owner and envelope.get("uid") == ref.uid
                and envelope.get("source") == self.kind.source_checksum(desired)
                and envelope.get("version") == meta.get("version", dash.get("version"))
                and folder == (desired.folder or "") and not meta.get("provisioned")):
            return LiveResource(ref=ref, title=desired.title, body={}, comparable=None, folder=folder,
                                path=desired.label, owner=ctx.owner, managed=True, unchanged=True)
        comparable = self.kind.comparable(dash, folder)
        owner = envelope.get("owner") if envelope.get("uid") == ref.uid else None
        tags = dash.get("tags") if isinstance(dash.get("tags"), list) else []
        live = LiveResource(
            ref=ref,
            title=str(dash.get("title", "")),
            body={"dashboard": dash, "folderUid": folder},
            comparable=comparable,
            folder=folder,
            path="/".join(p for p in (meta.get("folderTitle") if folder else "", dash.get("title")) if p),
            version=meta.get("version", dash.get("version")),
            owner=owner if isinstance(owner, str) else None,
            depends=(ResourceRef("folder", folder),) if folder else (),
            extra={"updatedBy": meta.get("updatedBy"), "updated": meta.get("updated")},
        )
        live.managed = ctx.mine(live.owner)
        changed = f"changed in Grafana by {meta.get('updatedBy') or 'someone'} at {meta.get('updated') or '?'}"
        if live.owner == ctx.owner and envelope.get("fingerprint") == RESTORED:
            live.drift = RESTORED_DRIFT
        elif live.owner == ctx.owner and envelope.get("fingerprint") != fingerprint(comparable):
            live.drift = changed + ", after dashkit last wrote it"
        elif live.owner is None and marker_tag(ctx.owner) in tags:
            live.drift = changed + " (the save dropped dashkit's marker)"
            live.note = "carries dashkit's tag but not its marker: edited in Grafana, so prune leaves it"
        if str(meta.get("apiVersion") or "").startswith("v2"):  # Grafana 13 answers through a lossy conversion
            live.comparable, live.headline, live.drift = {"schema": "v2"}, "stored as schema v2", V2_STORED
        if meta.get("provisioned"):
            live.deletable = False
            live.note = "provisioned from a file on the Grafana server"
            live.locked = "provisioned from a file on the Grafana server"
        return live

    def save(self, resource: Resource, live: LiveResource | None, ctx: SyncContext) -> None:

        if live is not None and live.headline == "stored as schema v2":
            raise GrafanaError(f"dashboard {resource.label} is {V2_STORED}")
        dashboard = copy.deepcopy(resource.body)
        tags = [t for t in dashboard.get("tags") or [] if not (isinstance(t, str) and t.startswith(TAG_PREFIX))]
        dashboard["tags"] = [*tags, marker_tag(ctx.owner)]
        version = live.version if live is not None and live.version is not None else 0
        dashboard[ENVELOPE] = {"owner": ctx.owner, "uid": resource.uid, "fingerprint": self.kind.checksum(resource),
                               "source": self.kind.source_checksum(resource), "version": version + 1}
        if live is not None and live.version is not None:
            dashboard["version"] = live.version
        payload = {
            "dashboard": dashboard,
            "folderUid": resource.folder,
            "overwrite": bool(live is not None and ctx.force),
            "message": f"dashkit sync from {resource.source}"[:500] if resource.source else "dashkit sync",
        }
        ctx.client.request("POST", "/api/dashboards/db", json=payload)

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        ctx.client.request("DELETE", f"/api/dashboards/uid/{quote_segment(live.ref.uid)}", allow=(404,))
