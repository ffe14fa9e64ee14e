"""The emulator's state: one `OrgState` per org behind a single lock, seedable and (de)serialisable."""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import Any

from dashkit.emulator.datasource_model import PROVISIONED, normalize_datasource
from dashkit.emulator.model import Dashboard, Folder
from dashkit.emulator.naming import ResourceVersionClock, new_object_uid

FORMAT = "dashkit-emulator/1"


class OrgState:
    """Dashboards and folders of one org, indexed by uid (one uid space for both) and by id."""

    def __init__(self, org_id: int, name: str) -> None:
        self.id = org_id
        self.name = name
        self.dashboards: dict[str, Dashboard] = {}
        self.folders: dict[str, Folder] = {}
        self.uid_by_id: dict[int, str] = {}
        self.datasources: list[dict[str, Any]] = []  # records of `datasource_model` (no secret values)
        self.extras: dict[str, Any] = {}  # JSON-able state of later API areas (e.g. alerting), persisted as is
        self._sorted_dashboards: list[str] | None = None  # names in list order, rebuilt when the set changes
        self._sorted_folders: list[str] | None = None

    def dashboard_names(self) -> list[str]:
        """Dashboard uids in ascending order (the order of an app-platform list); cached until one is added or
        removed, so paging through 10,000 dashboards does not sort them per page."""
        if self._sorted_dashboards is None:
            self._sorted_dashboards = sorted(self.dashboards)
        return self._sorted_dashboards

    def folder_names(self) -> list[str]:
        """Folder uids in ascending order, cached like `dashboard_names`."""
        if self._sorted_folders is None:
            self._sorted_folders = sorted(self.folders)
        return self._sorted_folders

    def uid_taken(self, uid: str) -> bool:
        return uid in self.dashboards or uid in self.folders

    def by_id(self, item_id: int) -> Dashboard | Folder | None:
        uid = self.uid_by_id.get(item_id)
        if uid is None:
            return None
        return self.dashboards.get(uid) or self.folders.get(uid)

    def put_dashboard(self, dash: Dashboard, replaced_uid: str | None = None) -> None:
        if replaced_uid is not None and replaced_uid != dash.uid:
            self.dashboards.pop(replaced_uid, None)
            self._sorted_dashboards = None
        if dash.uid not in self.dashboards:
            self._sorted_dashboards = None
        self.dashboards[dash.uid] = dash
        self.uid_by_id[dash.id] = dash.uid

    def drop_dashboard(self, uid: str) -> Dashboard | None:
        dash = self.dashboards.pop(uid, None)
        if dash is not None:
            self.uid_by_id.pop(dash.id, None)
            self._sorted_dashboards = None
        return dash

    def put_folder(self, folder: Folder) -> None:
        if folder.uid not in self.folders:
            self._sorted_folders = None
        self.folders[folder.uid] = folder
        self.uid_by_id[folder.id] = folder.uid

    def drop_folder(self, uid: str) -> Folder | None:
        folder = self.folders.pop(uid, None)
        if folder is not None:
            self.uid_by_id.pop(folder.id, None)
            self._sorted_folders = None
        return folder

    def ancestors(self, folder_uid: str) -> list[Folder]:
        """The folders above `folder_uid`, root first (not including it)."""
        chain: list[Folder] = []
        current = self.folders.get(folder_uid)
        seen = {folder_uid}
        while current is not None and current.parent_uid and current.parent_uid not in seen:
            seen.add(current.parent_uid)
            current = self.folders.get(current.parent_uid)
            if current is not None:
                chain.append(current)
        chain.reverse()
        return chain

    def child_folders(self, parent_uid: str) -> list[Folder]:
        return [f for f in self.folders.values() if f.parent_uid == parent_uid]

    def subtree(self, folder_uid: str) -> list[str]:
        """`folder_uid` and every folder below it."""
        children: dict[str, list[str]] = {}
        for folder in self.folders.values():
            children.setdefault(folder.parent_uid, []).append(folder.uid)
        result, pending = [], [folder_uid]
        while pending:
            uid = pending.pop()
            result.append(uid)
            pending.extend(children.get(uid, ()))
        return result

    def height(self, folder_uid: str) -> int:
        """Levels of subfolders below `folder_uid` (0 for a leaf)."""
        kids = self.child_folders(folder_uid)
        return 1 + max(self.height(k.uid) for k in kids) if kids else 0


class Store:
    """All orgs behind one re-entrant lock; `generation` counts applied changes (for autosave);
    `resource_versions` hands out the app-platform resourceVersions of every resource kind; `next_counter` the ids
    of the other Grafana tables (datasources, library elements, teams, ...), one sequence per table across orgs."""

    def __init__(self, orgs: dict[int, str], datasources: list[dict[str, Any]]) -> None:
        self.lock = threading.RLock()
        self.generation = 0
        self.resource_versions = ResourceVersionClock()
        self._org_names = dict(orgs)
        self._seed_datasources = datasources
        self.orgs: dict[int, OrgState] = {}
        self._next_id = 1
        self._next_version_id = 1
        self._counters: dict[str, int] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the seed: empty orgs with their datasources."""
        with self.lock:
            self.orgs = {org_id: OrgState(org_id, name) for org_id, name in sorted(self._org_names.items())}
            self._next_id = 1
            self._next_version_id = 1
            self._counters = {}
            self._seed_orgs_datasources()
            self.generation += 1

    def _seed_orgs_datasources(self) -> None:
        """Provision the configured datasources (again after a load: Grafana re-provisions on every start); a saved
        datasource with the name or uid of a provisioned one gives way to it."""
        for index, raw in enumerate(self._seed_datasources, start=1):
            org = self.orgs.get(int(raw.get("orgId", 1)))
            if org is not None:
                record = normalize_datasource(raw, index, org.id)
                org.datasources = [
                    ds for ds in org.datasources if ds["name"] != record["name"] and ds["uid"] != record["uid"]
                ]
                org.datasources.append(record)
        self._observe_counter("datasource", [ds["id"] for org in self.orgs.values() for ds in org.datasources])

    def _observe_counter(self, name: str, ids: list[int]) -> None:
        if ids:
            self._counters[name] = max(self._counters.get(name, 1), max(ids) + 1)

    def next_counter(self, name: str) -> int:
        """The next id of table `name` (1, 2, ...; persisted with the state)."""
        with self.lock:
            value = self._counters.get(name, 1)
            self._counters[name] = value + 1
            return value

    def org(self, org_id: int) -> OrgState | None:
        return self.orgs.get(org_id)

    def next_id(self) -> int:
        value, self._next_id = self._next_id, self._next_id + 1
        return value

    def next_version_id(self) -> int:
        value, self._next_version_id = self._next_version_id, self._next_version_id + 1
        return value

    def mark_dirty(self) -> None:
        with self.lock:
            self.generation += 1

    def dumps(self) -> tuple[int, str]:
        """(generation, file text). Only references are copied under the lock; records serialise lazily."""
        with self.lock:
            generation = self.generation
            counters = {
                "nextId": self._next_id,
                "nextVersionId": self._next_version_id,
                "counters": dict(self._counters),
            }
            orgs = [
                (
                    org.id,
                    org.name,
                    list(org.dashboards.values()),
                    [f.to_dict() for f in org.folders.values()],
                    json.loads(json.dumps([ds for ds in org.datasources if not ds.get(PROVISIONED)])),
                    json.loads(json.dumps(org.extras)),
                )
                for org in self.orgs.values()
            ]
        parts = []
        for org_id, name, dashboards, folders, datasources, extras in orgs:
            head = json.dumps(
                {"id": org_id, "name": name, "folders": folders, "datasources": datasources, "extras": extras},
                separators=(",", ":"),
                ensure_ascii=False,
            )
            parts.append(head[:-1] + ',"dashboards":[' + ",".join(d.to_json() for d in dashboards) + "]}")
        head = json.dumps({"format": FORMAT, **counters}, separators=(",", ":"))
        return generation, head[:-1] + ',"orgs":[' + ",\n".join(parts) + "]}\n"

    def loads(self, text: str) -> None:
        """Replace the state with a file written by `dumps`; the configured datasources are provisioned anew."""
        raw = json.loads(text)
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError(f"not a dashkit emulator state file (expected format {FORMAT!r})")
        with self.lock:
            self.reset()
            self._next_id = int(raw["nextId"])
            self._next_version_id = int(raw["nextVersionId"])
            for name, value in (raw.get("counters") or {}).items():
                self._observe_counter(name, [int(value) - 1])
            for saved in raw["orgs"]:
                org = self.orgs.get(saved["id"])
                if org is None:
                    org = self.orgs[saved["id"]] = OrgState(saved["id"], saved["name"])
                for folder in saved["folders"]:
                    org.put_folder(Folder.from_dict(folder))
                for dash in saved["dashboards"]:
                    org.put_dashboard(Dashboard.from_dict(dash))
                org.extras = saved.get("extras", {})
                org.datasources = [*saved.get("datasources", []), *org.datasources]
            self._seed_orgs_datasources()
            self._complete_k8s_identities()
            self.generation = 0

    def _complete_k8s_identities(self) -> None:
        """Give loaded records written before the 12/13 profiles a k8s uid and a resourceVersion; every later
        resourceVersion is greater than all loaded ones."""
        for org in self.orgs.values():
            for record in [*org.folders.values(), *org.dashboards.values()]:
                self.resource_versions.observe(record.resource_version)
        for org in self.orgs.values():
            for folder in org.folders.values():
                if not folder.k8s_uid or not folder.resource_version:
                    folder.k8s_uid = folder.k8s_uid or new_object_uid()
                    folder.resource_version = folder.resource_version or self.resource_versions.next()
            for dash in list(org.dashboards.values()):
                if not dash.k8s_uid or not dash.resource_version:
                    org.put_dashboard(
                        dataclasses.replace(
                            dash,
                            k8s_uid=dash.k8s_uid or new_object_uid(),
                            resource_version=dash.resource_version or self.resource_versions.next(),
                        )
                    )
