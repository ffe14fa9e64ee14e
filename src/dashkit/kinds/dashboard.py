"""Dashboards: collected from dashboards/ modules, synced through /api/dashboards with an ownership marker."""

from __future__ import annotations

import json
from typing import Any

from .. import datasources, naming
from ..diff import KeyedList
from ..errors import DefinitionError
from ..loader import Definition
from ..model import Resource, ResourceRef
from ..normalize import canonical_json, digest, encode_default, fingerprint, plain_json
from .base import BuildContext, LiveResource, ResourceKind, SyncContext, export, register

SERVER_MANAGED = ("id", "version", "iteration")
ENVELOPE = "dashkit"  # hidden top-level key: {"owner", "uid", "fingerprint"} of what dashkit last wrote
TAG_PREFIX = "dashkit:"
RESTORED = "restored"  # the fingerprint a dashboard put back by `dashkit restore` carries
RESTORED_DRIFT = "restored from a backup by `dashkit restore`; sync --force puts the code's version back"


def marker_tag(owner: str) -> str:
    """The tag every dashboard dashkit writes carries; it makes owned dashboards findable by search."""
    return TAG_PREFIX + owner


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


@register
class DashboardKind(ResourceKind):
    name = "dashboard"
    depends_on = ("folder",)
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

    def finalize(self, resource: Resource, resources: dict[ResourceRef, Resource], ctx: BuildContext) -> None:
        folder_path = resource.extra.get("folder_path", ())
        resource.folder = naming.folder_uid(ctx.owner, folder_path) if folder_path else ""
        resource.depends = (ResourceRef("folder", resource.folder),) if resource.folder else ()

    def build_path(self, resource: Resource) -> str:
        folders = [naming.file_safe(p) for p in resource.extra.get("folder_path", ())]
        return "/".join(["dashboards", *folders, f"{resource.uid}.json"])

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
    def _backend(self, ctx: SyncContext):
        from .dashboards_app import AppPlatformDashboards
        from .dashboards_legacy import LegacyDashboards

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
                        depends=(ResourceRef("folder", folder),) if folder else (), extra={"restored": source})

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
        if resource.extra.get("restored"):
            return RESTORED
        return fingerprint(self.comparable(resource.body, resource.folder))

    def source_checksum(self, resource: Resource) -> str:
        """The checksum of the definition as built for this environment: the built body (with logical datasource
        names), its folder and what those names resolve to. Equal checksums mean dashkit would write the same
        thing, so a dashboard that still carries it (and was not saved by anyone since) needs no comparison."""
        if resource.extra.get("restored"):
            return RESTORED
        built = resource.extra.get("built") or fingerprint(resource.body)
        resolved = resource.extra.get("resolved") or {}
        return digest(f"{built}|{resource.folder}|{canonical_json(resolved)}")


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
    names = datasources.used_names(json.loads(text)) if f'"{datasources.PREFIX}' in text else set()
    resource = Resource(
        kind=DashboardKind.name,
        uid=uid,
        title=title,
        body=body,
        source=source,
        path="/".join((*folder_path, title)),
        extra={"folder_path": folder_path, "datasources": frozenset(names), "built": digest(text)},
    )
    resource.pack(text)
    return resource


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
