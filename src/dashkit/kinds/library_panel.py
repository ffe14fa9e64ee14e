"""Library panels: collected from dashboards/ modules (`library_panels = [shared_panel(...)]`), synced through
`/api/library-elements` (kind 1, on Grafana 11, 12 and 13 alike) before the dashboards that place them.

Ownership. The model dashkit writes carries a hidden `dashkit` key, {owner, uid, fingerprint of what it wrote}, as a
dashboard's JSON does. A live library panel is
- this project's when that key names its owner: kept in line with the code; when its content no longer matches the
  fingerprint, someone changed it in Grafana: drift, left alone until --force;
- another project's when the key names another owner: never changed or deleted without --force;
- nobody's without the key. Then a uid of the shape dashkit derives from a name (`<slug>-lp<hash>`) means it is a
  dashkit library panel whose key a save in Grafana dropped (Grafana 11+'s library panel editor rebuilds the model):
  drift where the code defines it (until --force), never deleted by prune (whose it was cannot be told). Any other
  uid was made in Grafana: dashkit never changes or deletes it; dashboards may place it by uid. One with the name of a
  library panel of the code, in the same folder, makes Grafana refuse dashkit's (names are unique per folder and
  kind): the write fails saying which one is in the way.
Prune deletes this project's library panels only once no dashboard uses them: dashboards the same run deletes go first
(they depend on the library panels they place); a library panel another dashboard still uses is left alone, and the
plan says which dashboards use it (exit 5)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from .. import naming
from ..builders.library_panels import SharedPanel, is_named_reference, library_panel_uid, looks_derived_uid
from ..client import quote_segment
from ..errors import AuthError, Conflict, DefinitionError, GrafanaError
from ..loader import Definition
from ..model import Resource, ResourceRef
from ..normalize import fingerprint
from .base import (
    ANY_STATUS,
    BuildContext,
    KindExample,
    LiveResource,
    ResourceKind,
    SyncContext,
    exported,
    get_kind,
    register,
)
from .dashboard import DashboardKind, _folder_path, library_panel_uids
from .dashboard_marks import ENVELOPE, RESTORED, RESTORED_DRIFT

API = "/api/library-elements"
PANEL = 1  # library element kind: 1 panel, 2 variable
PER_PAGE = 500
IN_USE = "the library element has connections"
TAKEN = "already exists"
SHOWN_USERS = 5


@dataclass(frozen=True)
class LibraryPanelSpec:
    restored: str | None = None  # the backup it was put back from (`dashkit restore`), if it was


def _spec(resource: Resource) -> LibraryPanelSpec:
    return resource.spec if isinstance(resource.spec, LibraryPanelSpec) else LibraryPanelSpec()


EXAMPLE_UID = library_panel_uid("errors")


def _edit_in_the_ui(client, api) -> int:
    """A person edits the panel in Grafana's library panel editor, which saves a model of its own (without keys it
    does not know)."""
    element = client.request("GET", f"{API}/{EXAMPLE_UID}").data["result"]
    model = {k: v for k, v in element["model"].items() if k != ENVELOPE}
    model["title"] = "Edited in the UI"
    return client.request("PATCH", f"{API}/{EXAMPLE_UID}", allow=ANY_STATUS, json={
        "name": element["name"], "folderUid": _folder(element), "model": model, "kind": PANEL,
        "version": element["version"]}).status


EXAMPLE = KindExample(
    files={"dashboards/team/shared.py": 'from dashkit.builders import shared_panel\n'
                                        'library_panels = [shared_panel("errors", {"type": "timeseries", '
                                        '"title": "Errors", "targets": [{"refId": "A", "expr": "up"}]})]\n'},
    change=('"expr": "up"', '"expr": "up == 1"'),
    ui_edit=_edit_in_the_ui, after_ui_edit="drift",
    present=lambda client, api: client.get_or_none(f"{API}/{EXAMPLE_UID}") is not None,
)


@register
class LibraryPanelKind(ResourceKind):
    name = "library_panel"
    example = EXAMPLE
    depends_on = ("folder",)
    area = "dashboards"
    exports = ("library_panels",)
    order = 15

    def __init__(self) -> None:
        self._checked: tuple[BuildContext | None, set[int]] = (None, set())  # the build, dashboards checked in it
        self._keyed: dict[str, Any] | None = None

    # ---- build side --------------------------------------------------------------------------------------
    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        if definition.area != self.area:
            return []
        out = []
        if isinstance(getattr(definition.module, "library_panels", None), SharedPanel):
            raise DefinitionError(definition.relpath, "`library_panels` must be a list: "
                                                      "library_panels = [shared_panel(...)]")
        shared = exported(definition, "library_panels", SharedPanel, "shared_panel(...)")
        module_folder = getattr(definition.module, "folder", None)
        for index, panel in enumerate(shared):
            where = f"library_panels[{index}]"
            path = _folder_path(panel.folder, module_folder, definition, where)
            body = {"uid": panel.uid, "name": panel.name, "kind": PANEL, "model": panel.model}
            out.append(Resource(kind=self.name, uid=panel.uid, title=panel.name, body=body, source=definition.relpath,
                                path="/".join((*path, panel.name)), folder_path=path))
        return out

    def derive(self, resources: list[Resource], ctx: BuildContext) -> list[Resource]:
        """Nothing to add; checks, once per build, that every library panel a dashboard places by name is defined."""
        if self._checked[0] is not ctx:
            self._checked = (ctx, set())
        checked = self._checked[1]
        defined = {r.uid for r in resources if r.kind == self.name}
        names = sorted(r.title for r in resources if r.kind == self.name)
        for resource in resources:
            if resource.kind != DashboardKind.name or id(resource) in checked:
                continue
            checked.add(id(resource))
            if not _mentions_library_panels(resource):
                continue
            for reference in _references(resource.body):
                if is_named_reference(reference) and reference["uid"] not in defined:
                    raise DefinitionError(resource.source, _undefined(resource.title, reference["name"], names),
                                          hint="define it in a dashboards/ module: library_panels = "
                                               f"[shared_panel({reference['name']!r}, <panel>)]; a library panel "
                                               "that exists only in Grafana is placed by its uid: "
                                               "library_panel(uid=...)")
        return []

    def finalize(self, resource: Resource, resources: dict[ResourceRef, Resource], ctx: BuildContext) -> Resource:
        path = resource.folder_path
        return resource.copy(folder=naming.folder_uid(ctx.owner, path) if path else "")

    def dependencies(self, resource: Resource, resources: dict[ResourceRef, Resource],
                     ctx: BuildContext) -> tuple[ResourceRef, ...]:
        return (ResourceRef("folder", resource.folder),) if resource.folder else ()

    def build_path(self, resource: Resource) -> str:
        folders = [naming.file_safe(p) for p in resource.folder_path]
        return "/".join(["library_panels", *folders, f"{resource.uid}.json"])

    def spec_to_json(self, resource: Resource) -> Any:
        return {"restored": _spec(resource).restored}

    def spec_from_json(self, data: Any) -> Any:
        return LibraryPanelSpec(restored=(data or {}).get("restored") if isinstance(data, dict) else None)

    # ---- compare side ------------------------------------------------------------------------------------
    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        """Name, folder and model; Grafana stores the model with `type` and `description` always present."""
        model = body.get("model") if isinstance(body.get("model"), dict) else {}
        model = {k: v for k, v in model.items() if k not in (ENVELOPE, "libraryPanel")}
        for key in ("type", "description"):
            if model.get(key) is None:
                model[key] = ""
        return {"name": str(body.get("name", "")).strip(), "folderUid": folder or "", "model": model}

    def keyed_lists(self) -> dict[str, Any]:
        """As in a dashboard's panels: targets by refId, overrides by matcher, panel links by title."""
        if self._keyed is None:
            lists = get_kind(DashboardKind.name).keyed_lists()
            self._keyed = {key: lists[key] for key in ("targets", "overrides", "properties", "links")}
        return self._keyed

    def checksum(self, resource: Resource) -> str:
        """The fingerprint of what dashkit writes, stored in the model: a live model that no longer has it was
        changed in Grafana. One put back by `dashkit restore` is not the code's: marked so, reported next sync."""
        if _spec(resource).restored:
            return RESTORED
        return fingerprint(self.comparable(resource.body, resource.folder))

    def matches(self, resource: Resource, live: LiveResource | None) -> bool:
        return (live is not None and live.managed and live.drift is None
                and live.comparable == self.comparable(resource.body, resource.folder))

    # ---- live side ---------------------------------------------------------------------------------------
    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        """Every library panel in one paged list (models included). Returned: the ones the code defines, this
        project's others (with --prune, with the dashboards that still use them), and with --prune anyone's that sits
        in a folder, so that a folder delete, which would take it along, is held back."""
        wanted = {r.uid for r in desired}
        out: dict[ResourceRef, LiveResource] = {}
        orphans = []
        for element in _elements(ctx):
            live = self._live(element, ctx)
            if live.ref.uid in wanted:
                out[live.ref] = live
            elif live.managed:
                out[live.ref] = live
                orphans.append(live)
            elif ctx.prune and live.folder:
                out[live.ref] = live
        if ctx.prune and orphans:
            users = ctx.map(lambda lv: _users(lv.ref.uid, ctx), orphans)
            labels = _dashboard_labels({uid for found in users for uid in found}, ctx)
            for live, found in zip(orphans, users, strict=True):
                live.used_by = {ResourceRef(DashboardKind.name, uid): labels.get(uid, uid) for uid in found}
        return out

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        data = ctx.client.get_or_none(f"{API}/{quote_segment(ref.uid)}")
        element = data.get("result") if isinstance(data, dict) else None
        return self._live(element, ctx) if isinstance(element, dict) else None

    def _live(self, element: dict[str, Any], ctx: SyncContext) -> LiveResource:
        uid = str(element.get("uid", ""))
        meta = element.get("meta") if isinstance(element.get("meta"), dict) else {}
        folder = _folder(element)
        model = element.get("model") if isinstance(element.get("model"), dict) else {}
        envelope = model.get(ENVELOPE) if isinstance(model.get(ENVELOPE), dict) else {}
        owner = envelope.get("owner") if envelope.get("uid") == uid and isinstance(envelope.get("owner"), str) \
            else None
        comparable = self.comparable(element, folder)
        name = str(element.get("name", ""))
        live = LiveResource(
            ref=ResourceRef(self.name, uid), title=name, body=element, comparable=comparable, folder=folder,
            path="/".join(p for p in (meta.get("folderName") if folder else "", name) if p),
            version=element.get("version"), owner=owner, managed=ctx.mine(owner),
            depends=(ResourceRef("folder", folder),) if folder else (),
        )
        who = (f"by {(meta.get('updatedBy') or {}).get('name') or 'someone'} at {meta.get('updated') or '?'}")
        if owner == ctx.owner and envelope.get("fingerprint") == RESTORED:
            live.drift = RESTORED_DRIFT
        elif owner == ctx.owner and envelope.get("fingerprint") != fingerprint(comparable):
            live.drift = f"changed in Grafana {who}, after dashkit last wrote it"
        elif owner is None and looks_derived_uid(uid):
            live.drift = f"changed in Grafana {who} (the save dropped dashkit's marker)"
        return live

    def _payload(self, resource: Resource, ctx: SyncContext) -> dict[str, Any]:
        model = {**resource.body["model"],
                 ENVELOPE: {"owner": ctx.owner, "uid": resource.uid, "fingerprint": self.checksum(resource)}}
        return {"name": resource.title, "folderUid": resource.folder or "", "model": model, "kind": PANEL}

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        try:
            ctx.client.request("POST", API, json={"uid": resource.uid, **self._payload(resource, ctx)})
        except GrafanaError as exc:
            raise _taken(exc, resource, ctx) from None

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        payload = {**self._payload(resource, ctx), "version": live.version}
        try:  # not retried blindly: every PATCH bumps the version, so a lost answer is verified by a re-read
            ctx.client.request("PATCH", f"{API}/{quote_segment(resource.uid)}", json=payload, idempotent=False)
        except Conflict as exc:
            current = self.fetch_one(resource.ref, ctx)
            who = ((current.body.get("meta") or {}).get("updatedBy") or {}).get("name") if current else None
            raise Conflict(f"library panel {resource.label} was changed in Grafana by {who or 'someone'} while "
                           f"dashkit was syncing ({exc.status}); not overwritten",
                           hint="run `dashkit diff` again: it shows the change as drift", status=exc.status,
                           body=exc.body, method=exc.method, path=exc.path) from None
        except GrafanaError as exc:
            raise _taken(exc, resource, ctx) from None

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        try:
            ctx.client.request("DELETE", f"{API}/{quote_segment(live.ref.uid)}", allow=(404,))
        except AuthError as exc:
            message = exc.body.get("message") if isinstance(exc.body, dict) else None
            if exc.status != 403 or IN_USE not in str(message):
                raise
            users = _dashboard_labels(set(_users(live.ref.uid, ctx)), ctx)
            raise GrafanaError(f"library panel {live.label} is still used by {_listed(list(users.values()))}: "
                               "Grafana refuses to delete it (403: the library element has connections)",
                               hint="remove it from those dashboards (or delete them) and run sync --prune again",
                               status=403, method=exc.method, path=exc.path) from None

    def backup_document(self, live: LiveResource) -> Any:
        return live.body

    def from_backup(self, document: Any, uid: str, source: str) -> Resource:
        from ..errors import ConfigError

        if not isinstance(document, dict) or not isinstance(document.get("model"), dict) or not document.get("name"):
            raise ConfigError(f"{source}: not a library panel backup")
        model = {k: v for k, v in document["model"].items() if k != ENVELOPE}
        name, folder = str(document["name"]), _folder(document)
        return Resource(kind=self.name, uid=uid, title=name, body={"uid": uid, "name": name, "kind": PANEL,
                                                                   "model": model},
                        folder=folder, source=source, path=name,
                        depends=(ResourceRef("folder", folder),) if folder else (),
                        spec=LibraryPanelSpec(restored=source))


# ---- helpers ---------------------------------------------------------------------------------------------------
def _mentions_library_panels(resource: Resource) -> bool:
    """A cheap test before a dashboard's body is decoded: whether its packed JSON (Resource.pack) mentions a
    `libraryPanel` at all. Decoding every real-size dashboard once more would cost a sixth of a build."""
    packed = getattr(resource, "_packed", None)
    if not isinstance(packed, bytes):
        return True
    return b'"libraryPanel"' in (packed if packed[:1] in (b"{", b"[") else zlib.decompress(packed))


def _references(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The `libraryPanel` references of a dashboard's panels (and of the panels inside its rows)."""
    if not library_panel_uids(body):
        return []
    out = []
    for panel in body.get("panels") or []:
        if isinstance(panel, dict):
            for item in (panel, *(p for p in panel.get("panels") or [] if isinstance(p, dict))):
                if isinstance(item.get("libraryPanel"), dict):
                    out.append(item["libraryPanel"])
    return out


def _undefined(dashboard: str, name: str, defined: list[str]) -> str:
    import difflib

    text = f"dashboard '{dashboard}' places library panel '{name}', which no dashboards/ module defines"
    close = difflib.get_close_matches(name, defined, n=1)
    if close:
        text += f"; did you mean '{close[0]}'?"
    elif defined:
        text += f" (the project defines {_listed([repr(n) for n in defined])})"
    return text


def _listed(items: list[str]) -> str:
    if len(items) <= SHOWN_USERS:
        return ", ".join(items)
    return ", ".join(items[:SHOWN_USERS]) + f" and {len(items) - SHOWN_USERS} more"


def _folder(element: dict[str, Any]) -> str:
    """The element's folder uid, '' for General (which single-element answers call `general`)."""
    folder = element.get("folderUid") or ""
    return "" if folder == "general" else str(folder)


def _elements(ctx: SyncContext) -> list[dict[str, Any]]:
    """Every library panel of the org, page by page."""
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        data = ctx.client.get(API, params=[("kind", PANEL), ("perPage", PER_PAGE), ("page", page)]).data
        result = data.get("result") if isinstance(data, dict) else None
        batch = [e for e in (result or {}).get("elements") or [] if isinstance(e, dict) and e.get("uid")]
        out.extend(batch)
        total = (result or {}).get("totalCount")
        if not batch or len(batch) < PER_PAGE or (isinstance(total, int) and len(out) >= total):
            return out
        page += 1


def _users(uid: str, ctx: SyncContext) -> list[str]:
    """The uids of the dashboards connected to library panel `uid`."""
    data = ctx.client.get_or_none(f"{API}/{quote_segment(uid)}/connections")
    result = data.get("result") if isinstance(data, dict) else None
    return sorted({str(c["connectionUid"]) for c in result or [] if isinstance(c, dict) and c.get("connectionUid")})


def _dashboard_labels(uids: set[str], ctx: SyncContext) -> dict[str, str]:
    """uid -> "'folder/Title' (uid)" for the dashboards named (one search)."""
    if not uids:
        return {}
    hits = ctx.client.search([("type", "dash-db"), *(("dashboardUIDs", uid) for uid in sorted(uids))])
    labels = {}
    for hit in hits:
        path = "/".join(p for p in (hit.get("folderTitle") if hit.get("folderUid") else "", hit.get("title")) if p)
        labels[str(hit.get("uid"))] = f"dashboard '{path}' ({hit.get('uid')})"
    return {uid: labels.get(uid, f"dashboard {uid}") for uid in sorted(uids)}


def _taken(exc: GrafanaError, resource: Resource, ctx: SyncContext) -> GrafanaError:
    """A 400 `library element with that name or UID already exists` said as what is in the way."""
    if exc.status != 400 or TAKEN not in str(exc.message):
        return exc
    data = ctx.client.get_or_none(f"{API}/name/{quote_segment(resource.title)}")
    found = data.get("result") if isinstance(data, dict) else None
    other = next((e for e in found or [] if isinstance(e, dict) and _folder(e) == (resource.folder or "")
                  and e.get("uid") != resource.uid), None)
    where = "/".join(resource.folder_path) or "General"
    if other is None:
        return GrafanaError(f"library panel {resource.label}: Grafana already has a library element with its uid "
                            f"{resource.uid} or its name in folder '{where}' (400: {exc.message})",
                            hint="rename it in code (its uid derives from its name)", status=400)
    model = other.get("model") if isinstance(other.get("model"), dict) else {}
    envelope = model.get(ENVELOPE) if isinstance(model.get(ENVELOPE), dict) else {}
    whose = f"dashkit project '{envelope['owner']}'" if isinstance(envelope.get("owner"), str) else \
        "someone in Grafana"
    return GrafanaError(f"library panel {resource.label}: folder '{where}' already has a library panel named "
                        f"'{resource.title}' (uid {other.get('uid')}, made by {whose}); Grafana keeps library panel "
                        "names unique per folder (400)",
                        hint="rename this one in code, or define it in another folder (folder=...); dashkit never "
                             "changes one it did not make", status=400)
