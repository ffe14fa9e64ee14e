"""`dashkit pull`: live dashboards to JSON files mirroring Grafana's folder tree, server-managed fields removed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import naming, safe_paths
from .client import GrafanaClient, quote_segment
from .errors import GrafanaError, NotFound
from .grafana_api import DASHBOARDS, LEGACY, Api
from .kinds.dashboard import ENVELOPE, SERVER_MANAGED, TAG_PREFIX
from .kinds.folder import title_path
from .normalize import pretty_json

MANIFEST = ".dashkit-pull.json"  # file -> uid and exact folder titles (directory names are made file-safe)


@dataclass(frozen=True)
class Pulled:
    uid: str
    title: str
    folder_path: tuple[str, ...]
    file: Path


@dataclass(frozen=True)
class NotPulled:
    uid: str
    title: str
    reason: str


@dataclass
class PullResult:
    """What a pull found, what it wrote (sorted by folder and uid), and why the rest was not written."""

    found: int
    written: list[Pulled] = field(default_factory=list)
    failed: list[NotPulled] = field(default_factory=list)


def folder_paths(client: GrafanaClient) -> dict[str, tuple[str, ...]]:
    """uid -> title path from the root for every folder (just its own title when a parent is not visible)."""
    hits = {h["uid"]: h for h in client.search([("type", "dash-folder")]) if h.get("uid")}
    return {uid: title_path(uid, hits) or (str(hit.get("title", "")),) for uid, hit in hits.items()}


def clean(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The dashboard without what Grafana manages (id, version) and without dashkit's own markers."""
    out = {k: v for k, v in dashboard.items() if k not in SERVER_MANAGED and k != ENVELOPE}
    if isinstance(out.get("tags"), list):
        out["tags"] = [t for t in out["tags"] if not (isinstance(t, str) and t.startswith(TAG_PREFIX))]
    return out


def pull(client: GrafanaClient, out: Path, *, uids: Iterable[str] = (), folders: Iterable[str] = (),
         tags: Iterable[str] = (), map_parallel=map, api: Api = LEGACY) -> PullResult:
    """Write every matching dashboard to `out/<folder titles>/<title>.json`, each name made safe and unique (see
    `file_layout`), and record every file's uid and exact folder titles in `out/.dashkit-pull.json`. On Grafana 12+
    a dashboard stored as schema v2 is written as Grafana stores it (the app-platform object at its version)."""
    paths = folder_paths(client)
    wanted_folders = [f.strip("/") for f in folders]
    hits = client.search([("type", "dash-db"), *(("tag", t) for t in tags)])
    uid_filter = set(uids)
    chosen = []
    seen: set[str] = set()
    for hit in hits:
        uid = hit.get("uid")
        folder = paths.get(hit.get("folderUid") or "", ())
        if not isinstance(uid, str) or not uid or uid in seen or (uid_filter and uid not in uid_filter):
            continue
        seen.add(uid)
        if wanted_folders and not any(_in_folder(hit.get("folderUid") or "", folder, f) for f in wanted_folders):
            continue
        chosen.append((uid, str(hit.get("title", "")), folder))
    missing = sorted(uid_filter - {uid for uid, _, _ in chosen})
    if missing:
        raise NotFound(f"no dashboard with uid {', '.join(repr(u) for u in missing)} in Grafana at {client.base_url}")
    chosen.sort(key=lambda item: (item[2], item[0]))
    bodies = list(map_parallel(lambda item: _fetch(client, item[0], api), chosen))
    result = PullResult(found=len(chosen))
    fetched = []
    for (uid, title, folder), body in zip(chosen, bodies, strict=True):
        if isinstance(body, str):
            result.failed.append(NotPulled(uid, title, body))
        else:
            fetched.append((uid, str(body.get("title", title)), folder, body))
    out.mkdir(parents=True, exist_ok=True)
    files = file_layout([(uid, title, folder) for uid, title, folder, _ in fetched])
    for uid, title, folder, body in fetched:
        file = out / files[uid]
        try:
            text = pretty_json(body)
            safe_paths.write_text(out, file, text)
        except (OSError, ValueError, RecursionError) as exc:
            result.failed.append(NotPulled(uid, title, f"cannot be written to {file}: {exc}"))
            continue
        result.written.append(Pulled(uid, title, folder, file))
    manifest: dict[str, Any] = {"files": {p.file.relative_to(out).as_posix(): {"uid": p.uid,
                                                                                "folder": list(p.folder_path)}
                                          for p in result.written}}
    datasources = datasource_names(client)
    if datasources:
        manifest["datasources"] = datasources
    safe_paths.write_text(out, out / MANIFEST, pretty_json(manifest))
    return result


def datasource_names(client: GrafanaClient) -> dict[str, dict[str, str]]:
    """uid -> {name, type} of the datasources the token may list, so that `dashkit import` of pulled files maps
    the ones dashkit.yaml names by name; {} when it may list none (a Viewer's token)."""
    try:
        listed = client.get("/api/datasources").data
    except GrafanaError:
        return {}
    return {str(ds["uid"]): {"name": str(ds.get("name", "")), "type": str(ds.get("type", ""))}
            for ds in listed if isinstance(ds, dict) and ds.get("uid")} if isinstance(listed, list) else {}


def file_layout(items: list[tuple[str, str, tuple[str, ...]]]) -> dict[str, Path]:
    """uid -> relative file for (uid, title, folder titles) items: one directory per distinct folder path and one
    file per dashboard, every name a safe segment (no `..`, no separator, no leading dot, capped length). Names that
    collide (case-blind) get the uid, or a hash of the folder path, appended; items are placed in (folder, uid) order,
    so the same dashboards always get the same files."""
    directories: dict[tuple[str, ...], Path] = {(): Path()}
    taken: dict[Path, set[str]] = {}

    def directory(folder: tuple[str, ...]) -> Path:
        if folder not in directories:
            parent = directory(folder[:-1])
            tag = safe_paths.stable_tag(*folder)
            name = safe_paths.segment(naming.file_safe(folder[-1]), fallback="folder", suffix=tag)
            directories[folder] = parent / safe_paths.unique(name, taken.setdefault(parent, set()), tag=tag)
        return directories[folder]

    ordered = sorted(items, key=lambda item: (item[2], item[0]))
    for _, _, folder in ordered:
        directory(folder)
    files = {}
    for uid, title, folder in ordered:
        parent = directories[folder]
        tag = safe_paths.segment(uid, fallback=safe_paths.stable_tag(uid))
        stem = safe_paths.segment(naming.slug(title), fallback=tag, suffix=tag)
        files[uid] = parent / (safe_paths.unique(stem, taken.setdefault(parent, set()), tag=tag, extension=".json")
                               + ".json")
    return files


def _fetch(client: GrafanaClient, uid: str, api: Api = LEGACY) -> dict[str, Any] | str:
    """The dashboard JSON of `uid` without server-managed fields, or why it cannot be pulled."""
    if api.app_platform:
        return _fetch_app(client, uid, api)
    try:
        data = client.get(f"/api/dashboards/uid/{quote_segment(uid)}").data
    except NotFound:
        return "not found: deleted while pulling?"
    except RecursionError:
        return "is nested too deeply to read"
    if not isinstance(data, dict) or not isinstance(data.get("dashboard"), dict):
        return "Grafana answered without a dashboard object"
    return clean(data["dashboard"])


def _fetch_app(client: GrafanaClient, uid: str, api: Api) -> dict[str, Any] | str:
    """Through the app-platform: classic JSON as `/api` would give it, or, for a dashboard stored as schema v2, the
    stored object itself (a down-conversion to classic JSON loses what v2 has no equivalent for)."""
    try:
        item = client.get(api.path(DASHBOARDS, api.dashboards or "", "dashboards", uid)).data
        conversion = ((item or {}).get("status") or {}).get("conversion") or {}
        stored = str(conversion.get("storedVersion") or "")
        if stored.startswith("v2"):
            item = client.get(api.path(DASHBOARDS, stored, "dashboards", uid)).data
            meta = item.get("metadata") or {}
            annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k == "grafana.app/folder"}
            return {"apiVersion": item.get("apiVersion"), "kind": item.get("kind", "Dashboard"),
                    "metadata": {"name": uid, "annotations": annotations}, "spec": item.get("spec") or {}}
    except NotFound:
        return "not found: deleted while pulling?"
    except RecursionError:
        return "is nested too deeply to read"
    if not isinstance(item, dict) or not isinstance(item.get("spec"), dict):
        return "Grafana answered without a dashboard object"
    return clean({**item["spec"], "uid": uid})


def _in_folder(uid: str, path: tuple[str, ...], wanted: str) -> bool:
    """A folder given by uid or by title path ('Team/Service') matches itself and its subfolders."""
    return uid == wanted or "/".join(path) == wanted or "/".join(path).startswith(wanted + "/")
