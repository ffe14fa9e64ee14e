"""GET /api/search: filters, ordering, paging and the hit shape of Grafana's search (grafana-api.md §5)."""

from __future__ import annotations

from typing import Any

from dashkit.emulator.model import Dashboard, Folder
from dashkit.emulator.naming import dashboard_url, folder_url, slugify
from dashkit.emulator.replies import Reply, message_error, ok
from dashkit.emulator.routing import Request, RouteTable
from dashkit.emulator.store import OrgState

routes = RouteTable()

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
_NO_MATCH = "\x00"  # a folder uid no item has (an unknown folderIds value)


def _folder_keys(org: OrgState, parent_uid: str) -> dict[str, Any]:
    parent = org.folders.get(parent_uid) if parent_uid else None
    if parent is None:
        return {}
    return {
        "folderId": parent.id,
        "folderUid": parent.uid,
        "folderTitle": parent.title,
        "folderUrl": folder_url(parent.uid, slugify(parent.title)),
    }


def _hit(req: Request, item: Dashboard | Folder, folder_keys: dict[str, dict[str, Any]]) -> dict[str, Any]:
    org = req.org
    if isinstance(item, Dashboard):
        slug, url, kind, tags = item.slug, dashboard_url(item.uid, item.slug), "dash-db", sorted(item.tags)
        parent = item.folder_uid
    else:
        slug = slugify(item.title)
        url, kind, tags, parent = folder_url(item.uid, slug), "dash-folder", [], item.parent_uid
    hit: dict[str, Any] = {"id": item.id, "uid": item.uid}
    if req.runtime.profile.eleven_or_later:
        hit["orgId"] = org.id
    hit.update(title=item.title, uri=f"db/{slug}", url=url, slug="", type=kind, tags=tags, isStarred=False)
    if parent not in folder_keys:
        folder_keys[parent] = _folder_keys(org, parent)
    hit.update(folder_keys[parent])
    hit["sortMeta"] = 0
    if req.runtime.profile.eleven_or_later:
        hit["isDeleted"] = False
    return hit


def _folder_filter(req: Request) -> set[str] | None:
    uids, ids = req.args("folderUIDs"), req.args("folderIds")
    if uids and ids:
        raise message_error(400, "search supports UIDs or IDs, not both")
    if uids:
        return {"" if uid == "general" else uid for uid in uids}
    if ids:
        wanted = set()
        for raw in ids:
            item = req.org.by_id(int(raw)) if raw.lstrip("-").isdigit() and int(raw) else None
            wanted.add("" if raw == "0" else item.uid if isinstance(item, Folder) else _NO_MATCH)
        return wanted
    return None


def _uid_filter(req: Request) -> set[str] | None:
    uids = req.args("dashboardUIDs") + req.args("dashboardUID")
    ids = req.args("dashboardIds")
    if uids and ids:
        raise message_error(400, "search supports UIDs or IDs, not both")
    if uids:
        return set(uids)
    if ids:
        return {item.uid for raw in ids if raw.isdigit() and (item := req.org.by_id(int(raw))) is not None}
    return None


@routes.route("GET", "/api/search")
def search(req: Request) -> Reply:
    limit = req.int_arg("limit", 0)
    if limit > MAX_LIMIT:
        raise message_error(
            422, "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit"
        )
    limit = limit if limit > 0 else DEFAULT_LIMIT
    page = max(req.int_arg("page", 1), 1)
    kind = req.arg("type")
    text = req.arg("query").lower()
    tags = [t for t in req.query.get("tag", []) if t]
    folders_in = _folder_filter(req)
    uids_in = _uid_filter(req)
    if req.arg("starred").lower() == "true" or req.arg("deleted").lower() == "true":
        return ok([])
    if req.arg("permission").lower() == "edit" and not req.may("dashboards:write"):
        return ok([])

    org = req.org
    items: list[Dashboard | Folder] = []
    if kind != "dash-db" and not tags:
        items.extend(f for f in org.folders.values() if folders_in is None or f.parent_uid in folders_in)
    if kind != "dash-folder":
        items.extend(d for d in org.dashboards.values() if folders_in is None or d.folder_uid in folders_in)
    if uids_in is not None:
        items = [item for item in items if item.uid in uids_in]
    if text:
        items = [item for item in items if text in item.title.lower()]
    if tags:
        items = [d for d in items if isinstance(d, Dashboard) and set(tags) <= set(d.tags)]

    sort = req.arg("sort")
    if sort in ("alpha-asc", "alpha-desc"):
        items.sort(key=lambda i: (i.title.lower(), i.uid), reverse=sort == "alpha-desc")
    else:
        items.sort(key=lambda i: (isinstance(i, Dashboard), i.title.lower(), i.uid))
    folder_keys: dict[str, dict[str, Any]] = {}
    return ok([_hit(req, item, folder_keys) for item in items[(page - 1) * limit : page * limit]])
