"""`dashkit pull`: live dashboards to JSON files mirroring Grafana's folder tree, server-managed fields removed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import naming
from .client import GrafanaClient, quote_segment
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
         tags: Iterable[str] = (), map_parallel=map) -> list[Pulled]:
    """Write every matching dashboard to `out/<folder titles>/<title>.json`; returns what was written, sorted."""
    paths = folder_paths(client)
    wanted_folders = [f.strip("/") for f in folders]
    hits = client.search([("type", "dash-db"), *(("tag", t) for t in tags)])
    uid_filter = set(uids)
    chosen = []
    for hit in hits:
        folder = paths.get(hit.get("folderUid") or "", ())
        if uid_filter and hit.get("uid") not in uid_filter:
            continue
        if wanted_folders and not any(_in_folder(hit.get("folderUid") or "", folder, f) for f in wanted_folders):
            continue
        chosen.append((hit["uid"], folder))
    found = {uid for uid, _ in chosen}
    missing = sorted(uid_filter - found)
    if missing:
        from .errors import NotFound

        raise NotFound(f"no dashboard with uid {', '.join(repr(u) for u in missing)} in Grafana at {client.base_url}")
    bodies = list(map_parallel(lambda item: client.get(f"/api/dashboards/uid/{quote_segment(item[0])}").data,
                               chosen))
    written: list[Pulled] = []
    taken: set[Path] = set()
    for (uid, folder), data in sorted(zip(chosen, bodies, strict=True), key=lambda x: (x[0][1], x[0][0])):
        dashboard = clean(data["dashboard"])
        directory = out.joinpath(*(naming.file_safe(p) for p in folder))
        stem = naming.slug(str(dashboard.get("title", ""))) or uid
        file = directory / f"{stem}.json"
        if file in taken:
            file = directory / f"{stem}-{uid}.json"
        taken.add(file)
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(pretty_json(dashboard), encoding="utf-8")
        written.append(Pulled(uid, str(dashboard.get("title", "")), folder, file))
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"files": {p.file.relative_to(out).as_posix(): {"uid": p.uid, "folder": list(p.folder_path)}
                          for p in written}}
    (out / MANIFEST).write_text(pretty_json(manifest), encoding="utf-8")
    return written


def _in_folder(uid: str, path: tuple[str, ...], wanted: str) -> bool:
    """A folder given by uid or by title path ('Team/Service') matches itself and its subfolders."""
    return uid == wanted or "/".join(path) == wanted or "/".join(path).startswith(wanted + "/")
