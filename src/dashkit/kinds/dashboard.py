"""Dashboards: collected from dashboards/ modules, synced through /api/dashboards with an ownership marker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import datasource_refs, naming
from ..diff import KeyedList
from ..errors import DefinitionError
from ..loader import Definition
from ..model import Resource, ResourceRef
from ..normalize import canonical_json, digest, encode_default, fingerprint, plain_json
from .base import ANY_STATUS, BuildContext, KindExample, LiveResource, ResourceKind, SyncContext, export, register
from .dashboard_marks import ENVELOPE, RESTORED, SERVER_MANAGED, TAG_PREFIX, marker_tag
from .dashboards_app import AppPlatformDashboards
from .dashboards_legacy import LegacyDashboards

if TYPE_CHECKING:
    from ..lint.model import Document

__all__ = ["ENVELOPE", "RESTORED", "SERVER_MANAGED", "TAG_PREFIX", "DashboardKind", "DashboardSpec", "marker_tag"]


@dataclass(frozen=True)
class DashboardSpec:
    """What the dashboard kind keeps with a dashboard besides its body."""

    datasources: frozenset[str] = frozenset()  # the logical datasource names it uses
    built: str | None = None  # digest of the body as built (with logical names)
    resolved: tuple[tuple[str, str], ...] = ()  # (logical name, uid) in the environment it is planned for
    restored: str | None = None  # the backup it was put back from (`dashkit restore`), if it was


def spec_of(resource: Resource) -> DashboardSpec:
    return resource.spec if isinstance(resource.spec, DashboardSpec) else DashboardSpec()


def _matcher_key(override: dict) -> str | None:
    matcher = override.get("matcher")
    if not isinstance(matcher, dict):
        return None
    return f"{matcher.get('id')}:{json.dumps(matcher.get('options'), sort_keys=True)}"


def _matcher_title(override: dict) -> str | None:
    matcher = override.get("matcher")
    options = matcher.get("options") if isinstance(matcher, dict) else None
    return options if isinstance(options, str) else None


def _variable_or_annotation(item: dict) -> str:
    return "annotation" if "iconColor" in item or "builtIn" in item else "variable"


# Panels are matched by what a reader knows them by, not by id: builders number ids in reading order, so one panel
# inserted renumbers every panel after it. A library panel by its uid; else by type and title within its row, by
# title within its row (its type changed), by type and title anywhere (moved to another row); last by type and id.
def _panel_noun(panel: dict) -> str:
    return "row" if panel.get("type") == "row" else "panel"


def _panel_title(panel: dict) -> str | None:
    title = panel.get("title")
    return title.strip() if isinstance(title, str) and title.strip() else None


def _library_panel(panel: dict) -> Any:
    library = panel.get("libraryPanel")
    return library.get("uid") if isinstance(library, dict) else None


def _type_and_title(panel: dict) -> tuple[Any, str] | None:
    title = _panel_title(panel)
    return (panel.get("type"), title) if title else None


def _type_and_id(panel: dict) -> tuple[Any, Any] | None:
    return (panel.get("type"), panel["id"]) if panel.get("id") is not None else None


def _panel_id(panel: dict) -> str | None:
    return f"id {panel['id']}" if panel.get("id") is not None else None


def _rows(panels: list[dict]) -> list[str | None]:
    """The row each panel sits in: a row panel heads the panels after it, up to the next row (a collapsed row holds
    its panels inside it instead)."""
    out: list[str | None] = []
    row = None
    for panel in panels:
        if panel.get("type") == "row":
            title = _panel_title(panel)
            row = f"row '{title}'" if title else f"row {_panel_id(panel) or '(untitled)'}"
            out.append(None)
        else:
            out.append(row)
    return out


def _edit_in_the_ui(client, api) -> int:
    """A person renames a panel and saves: through /api on 11, the app-platform API the UI uses on 12+."""
    if api.app_platform:
        from ..grafana_api import DASHBOARDS

        path = api.path(DASHBOARDS, api.dashboards, "dashboards", "team-x")
        obj = client.request("GET", path).data
        obj["spec"]["panels"][0]["title"] = "Edited in the UI"
        return client.request("PUT", path, json=obj, allow=ANY_STATUS).status
    live = client.request("GET", "/api/dashboards/uid/team-x").data
    live["dashboard"]["panels"][0]["title"] = "Edited in the UI"
    return client.request("POST", "/api/dashboards/db", allow=ANY_STATUS, json={
        "dashboard": live["dashboard"], "folderUid": live["meta"].get("folderUid", "")}).status


EXAMPLE = KindExample(
    files={"dashboards/team/x.py": 'dashboard = {"title": "X", "panels": [{"id": 1, "type": "timeseries", '
                                   '"title": "P", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, '
                                   '"targets": [{"refId": "A", "expr": "up"}]}]}\n'},
    change=('"expr": "up"', '"expr": "up == 1"'),
    ui_edit=_edit_in_the_ui, after_ui_edit="drift",
    present=lambda client, api: client.get_or_none("/api/dashboards/uid/team-x") is not None,
)


@register
class DashboardKind(ResourceKind):
    name = "dashboard"
    example = EXAMPLE
    depends_on = ("folder", "library_panel")
    area = "dashboards"
    exports = ("dashboard", "dashboards")
    order = 20

    # ---- build side --------------------------------------------------------------------------------------
    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        if definition.area != self.area:
            return []
        module = definition.module
        items: list[tuple[str, Any]] = []
        if export(definition, "dashboard") is not None:
            items.append(("dashboard", module.dashboard))
        if export(definition, "dashboards") is not None:
            many = module.dashboards
            if isinstance(many, (dict, str, bytes)) or not hasattr(many, "__iter__"):
                raise DefinitionError(
                    definition.relpath,
                    f"`dashboards` must be a list or other iterable of dashboards, not {type(many).__name__}",
                )
            items.extend((f"dashboards[{i}]", item) for i, item in enumerate(many))
        module_folder = getattr(module, "folder", None)
        return [dashboard_resource(item, _folder_path(getattr(item, "folder", None), module_folder, definition,
                                                      where), definition.relpath, where) for where, item in items]

    def finalize(self, resource: Resource, resources: dict[ResourceRef, Resource], ctx: BuildContext) -> Resource:
        path = resource.folder_path
        return resource.copy(folder=naming.folder_uid(ctx.owner, path) if path else "")

    def dependencies(self, resource: Resource, resources: dict[ResourceRef, Resource],
                     ctx: BuildContext) -> tuple[ResourceRef, ...]:
        """Its folder, and the library panels of the project it uses (by uid; one the project does not define is
        Grafana's business: it must exist there)."""
        depends = [ResourceRef("folder", resource.folder)] if resource.folder else []
        for uid in library_panel_uids(resource.body):
            ref = ResourceRef("library_panel", uid)
            if ref in resources:
                depends.append(ref)
        return tuple(dict.fromkeys(depends))

    def build_path(self, resource: Resource) -> str:
        folders = [naming.file_safe(p) for p in resource.folder_path]
        return "/".join(["dashboards", *folders, f"{resource.uid}.json"])

    def lint_documents(self, resource: Resource) -> list[Document]:
        from ..lint import v2_dashboards
        from ..lint.model import DocKind, Document

        if v2_dashboards.is_schema_v2(resource.body):
            return [v2_dashboards.document(resource.body, resource.source, prefix="", label_suffix="", locate=None)]
        return [Document(DocKind.DASHBOARD, resource.body, resource.source, label=resource.label)]

    def datasource_names(self, resource: Resource) -> frozenset[str]:
        spec = spec_of(resource)
        return spec.datasources if spec.built is not None else super().datasource_names(resource)

    def with_datasources(self, resource: Resource, resolved: dict[str, Any]) -> Resource:
        """Also remembers what the names resolved to: part of the source checksum."""
        names = self.datasource_names(resource)
        if not names:
            return resource
        mapping = tuple((name, resolved[name].uid) for name in sorted(names) if name in resolved)
        import dataclasses

        resource = resource.copy(spec=dataclasses.replace(spec_of(resource), resolved=mapping))
        return super().with_datasources(resource, resolved)

    def spec_to_json(self, resource: Resource) -> Any:
        spec = spec_of(resource)
        return {"built": spec.built, "resolved": [list(pair) for pair in spec.resolved], "restored": spec.restored}

    def spec_from_json(self, data: Any) -> Any:
        data = data if isinstance(data, dict) else {}
        return DashboardSpec(built=data.get("built"), restored=data.get("restored"),
                             resolved=tuple(tuple(pair) for pair in data.get("resolved") or ()))

    # ---- compare side ------------------------------------------------------------------------------------
    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        # A shallow copy: nested values are shared with `body` and never mutated.
        out = {k: v for k, v in body.items() if k not in SERVER_MANAGED and k != ENVELOPE}
        tags = out.get("tags") if isinstance(out.get("tags"), list) else []
        out["tags"] = [t for t in tags if not (isinstance(t, str) and t.startswith(TAG_PREFIX))]
        if isinstance(out.get("title"), str):
            out["title"] = out["title"].strip()
        out["folderUid"] = folder or ""
        return out

    def keyed_lists(self) -> dict[str, KeyedList]:
        return {
            "panels": KeyedList(_panel_noun, key=_library_panel, title=_panel_title, name=_panel_id, sections=_rows,
                                fallbacks=(_type_and_title, _panel_title, _type_and_id), placement=("gridPos", "id")),
            "rows": KeyedList("row", key=_panel_title),  # the legacy layout: rows holding their panels
            "targets": KeyedList("target", key=lambda t: t.get("refId")),
            "list": KeyedList(_variable_or_annotation, key=lambda v: v.get("name"), ordered=True),
            "links": KeyedList("link", key=lambda link: link.get("title") or link.get("url")),
            "overrides": KeyedList("override", key=_matcher_key, title=_matcher_title, ordered=True),
            "properties": KeyedList("property", key=lambda p: p.get("id")),
        }

    # ---- live side: the legacy /api or the app-platform /apis, chosen per environment ----------------------
    def _backend(self, ctx: SyncContext) -> AppPlatformDashboards | LegacyDashboards:
        return AppPlatformDashboards(self) if ctx.api.app_platform else LegacyDashboards(self)

    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        return self._backend(ctx).fetch(desired, ctx)

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        return self._backend(ctx).fetch_one(ref, ctx)

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        self._backend(ctx).save(resource, None, ctx)

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        self._backend(ctx).save(resource, live, ctx)

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        self._backend(ctx).delete(live, ctx)

    def backup_document(self, live: LiveResource) -> Any:
        return live.body

    def from_backup(self, document: Any, uid: str, source: str) -> Resource:
        """A dashboard backup: `/api`'s {dashboard, folderUid} or an app-platform object (classic JSON only)."""
        from ..errors import ConfigError

        if not isinstance(document, dict):
            raise ConfigError(f"{source}: not a dashboard backup")
        if isinstance(document.get("spec"), dict):
            if str(document.get("apiVersion", "")).startswith("dashboard.grafana.app/v2"):
                raise ConfigError(f"{source}: a schema v2 dashboard; dashkit restores classic JSON dashboards",
                                  hint="import the file in Grafana's UI (Dashboards > New > Import)")
            body = {**document["spec"], "uid": uid}
            folder = ((document.get("metadata") or {}).get("annotations") or {}).get("grafana.app/folder") or ""
        elif isinstance(document.get("dashboard"), dict):
            body, folder = document["dashboard"], document.get("folderUid") or ""
        else:
            raise ConfigError(f"{source}: not a dashboard backup")
        body = {k: v for k, v in body.items() if k not in SERVER_MANAGED and k != ENVELOPE}
        body["tags"] = [t for t in body.get("tags") or [] if not (isinstance(t, str) and t.startswith(TAG_PREFIX))]
        title = str(body.get("title") or uid).strip()
        return Resource(kind=self.name, uid=uid, title=title, body=body, folder=folder, source=source, path=title,
                        depends=(ResourceRef("folder", folder),) if folder else (),
                        spec=DashboardSpec(restored=source))

    def dry_run(self, action: str, resource: Resource | None, live: LiveResource | None, ctx: SyncContext) -> bool:
        if not ctx.api.app_platform:
            return False
        return self._backend(ctx).dry_run(action, resource, live, ctx)

    def matches(self, resource: Resource, live: LiveResource | None) -> bool:
        return (
            live is not None
            and live.managed
            and live.drift is None
            and live.comparable == self.comparable(resource.body, resource.folder)
        )

    def checksum(self, resource: Resource) -> str:
        """The fingerprint of what dashkit writes for `resource`: stored with it, compared with the live content to
        tell a UI edit (drift) from a code change. A version put back by `dashkit restore` is not the code's: it is
        marked so, and the next sync reports it rather than overwriting it."""
        if spec_of(resource).restored:
            return RESTORED
        return fingerprint(self.comparable(resource.body, resource.folder))

    def source_checksum(self, resource: Resource) -> str:
        """The checksum of the definition as built for this environment: the built body (with logical datasource
        names), its folder and what those names resolve to. Equal checksums mean dashkit would write the same
        thing, so a dashboard that still carries it (and was not saved by anyone since) needs no comparison."""
        spec = spec_of(resource)
        if spec.restored:
            return RESTORED
        built = spec.built or fingerprint(resource.body)
        return digest(f"{built}|{resource.folder}|{canonical_json(dict(spec.resolved))}")


def dashboard_resource(item: Any, folder_path: tuple[str, ...], source: str, where: str = "dashboard") -> Resource:
    """The Resource for one dashboard item (dict, grafanalib Dashboard, builder result) defined in `source`.

    The item is serialised once, to the JSON that is both its checksum and its packed form (see
    Resource.pack): never deep-copied or round-tripped through JSON, and walked for logical datasource names only
    when that JSON spells one. Only what dashkit sets (uid, title, missing panel ids) is copied first."""
    raw = to_dashboard_json(item, f"{source} ({where})")
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise DefinitionError(source, f"{where} has no title", hint="every dashboard needs a title")
    title = title.strip()
    uid = raw.get("uid")
    if uid in (None, ""):
        uid = naming.dashboard_uid(folder_path, title)
    elif not naming.is_valid_uid(uid):
        raise DefinitionError(
            source,
            f"{where} '{title}' has uid {uid!r}; a uid is 1-40 letters, digits, '-' or '_'",
        )
    body = {k: v for k, v in raw.items() if k not in SERVER_MANAGED and k != ENVELOPE}
    body["uid"] = uid
    body["title"] = title
    body = with_panel_ids(body)
    text = _serialised(body, f"{source} ({where})")
    names = datasource_refs.used_names(json.loads(text)) if f'"{datasource_refs.PREFIX}' in text else set()
    resource = Resource(
        kind=DashboardKind.name,
        uid=uid,
        title=title,
        body=body,
        source=source,
        path="/".join((*folder_path, title)),
        folder_path=folder_path,
        spec=DashboardSpec(datasources=frozenset(names), built=digest(text)),
    )
    resource.pack(text)
    return resource


def library_panel_uids(body: dict[str, Any]) -> list[str]:
    """The uids of the library panels a dashboard uses: panels, and panels inside rows, with a `libraryPanel`."""
    uids = []
    for panel in body.get("panels") or []:
        if not isinstance(panel, dict):
            continue
        for item in (panel, *(p for p in panel.get("panels") or [] if isinstance(p, dict))):
            library = item.get("libraryPanel")
            if isinstance(library, dict) and isinstance(library.get("uid"), str) and library["uid"]:
                uids.append(library["uid"])
    return uids


def to_dashboard_json(item: Any, where: str) -> dict[str, Any]:
    """A definition item (dict, grafanalib Dashboard, builder result, anything with to_json_data) as a dict (its
    values may still be tuples or objects with to_json_data(): `_serialised` makes them JSON)."""
    if isinstance(item, dict):
        panels = item.get("panels")
        if isinstance(panels, list) and not all(isinstance(p, dict) for p in panels):  # grafanalib panels in a dict
            return to_dashboard_json(_AsJson(item), where)
        return item
    if callable(getattr(item, "to_json_data", None)):
        try:
            data = item.to_json_data()
        except Exception as exc:
            raise DefinitionError(where, f"to_json_data() failed: {type(exc).__name__}: {exc}") from None
        try:  # grafanalib: objects all the way down; panel ids are assigned on their JSON
            data = plain_json(data)
        except (TypeError, ValueError, RecursionError) as exc:
            raise DefinitionError(where, f"cannot be rendered as JSON: {exc}") from None
        if isinstance(data, dict):
            return data
        raise DefinitionError(where, f"renders to a JSON {type(data).__name__}, not an object")
    raise DefinitionError(
        where,
        f"is a {type(item).__name__}; expected a dict of dashboard JSON, a grafanalib Dashboard "
        "or an object with to_json_data()",
    )


class _AsJson:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_json_data(self) -> dict[str, Any]:
        return self.data


def _serialised(body: dict[str, Any], where: str) -> str:
    """The JSON of a dashboard body (keys in the order the definition gives them: the same code gives the same text);
    tuples become lists and to_json_data() objects their JSON."""
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=encode_default)
    except (TypeError, ValueError, RecursionError) as exc:
        raise DefinitionError(where, f"cannot be rendered as JSON: {exc}") from None


def assign_panel_ids(body: dict[str, Any]) -> None:
    """Give every panel without an id the next free one, in document order, in place."""
    body.update(with_panel_ids(body))


def with_panel_ids(body: dict[str, Any]) -> dict[str, Any]:
    """`body` where every panel without an id has the next free one, in document order (stable across builds).
    Only the panels that get an id (and the lists and rows holding them) are copied: the definition's own objects,
    which other dashboards may share, are never changed."""
    used: set[int] = set()
    missing = 0

    def collect(panels: Any) -> None:
        nonlocal missing
        for panel in panels or []:
            if isinstance(panel, dict):
                pid = panel.get("id")
                if isinstance(pid, int) and not isinstance(pid, bool):
                    used.add(pid)
                else:
                    missing += 1
                if "panels" in panel:
                    collect(panel["panels"])

    collect(body.get("panels"))
    for row in body.get("rows") or []:  # legacy layout
        if isinstance(row, dict):
            collect(row.get("panels"))
    if not missing:
        return body
    next_id = max(used, default=0) + 1

    def fill(panels: Any) -> Any:
        nonlocal next_id
        if not isinstance(panels, list):
            return panels
        out = None
        for index, panel in enumerate(panels):
            if not isinstance(panel, dict):
                continue
            new = panel
            pid = panel.get("id")
            if not isinstance(pid, int) or isinstance(pid, bool):
                new = {**panel, "id": next_id}
                next_id += 1
            children = fill(panel.get("panels"))
            if children is not panel.get("panels"):
                new = {**new, "panels": children}
            if new is not panel:
                if out is None:
                    out = list(panels)
                out[index] = new
        return panels if out is None else out

    panels = fill(body.get("panels"))
    if panels is not body.get("panels"):
        body = {**body, "panels": panels}
    rows = body.get("rows")
    if isinstance(rows, list):
        new_rows = []
        for row in rows:
            filled = fill(row.get("panels")) if isinstance(row, dict) else None
            new_rows.append({**row, "panels": filled} if isinstance(row, dict) and filled is not row.get("panels")
                            else row)
        if any(a is not b for a, b in zip(new_rows, rows, strict=True)):
            body = {**body, "rows": new_rows}
    return body


def _folder_path(item_folder: Any, module_folder: Any, definition: Definition, where: str) -> tuple[str, ...]:
    explicit = item_folder if item_folder is not None else module_folder
    if explicit is None:
        return definition.folder_path
    if isinstance(explicit, (list, tuple)):  # exact titles from the root down: a title may contain '/'
        if not all(isinstance(title, str) for title in explicit):
            raise DefinitionError(definition.relpath, f"{where}: folder titles must be strings")
        return tuple(title.strip() for title in explicit if title.strip())
    if not isinstance(explicit, str):
        raise DefinitionError(definition.relpath, f"{where}: folder must be a string like 'Team/Service' or a tuple "
                                                  "of titles like ('Team', 'A/B testing')")
    parts = tuple(p.strip() for p in explicit.split("/") if p.strip())
    for part in parts:
        if part.lower() == "general" and len(parts) == 1:
            return ()
    return parts
