"""The records the emulator stores per org: dashboards (with version history) and folders, with the app-platform
metadata (k8s uid, resourceVersion, labels, annotations, stored API version) both the `/api` and `/apis` views use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from dashkit.emulator.naming import slugify
from dashkit.emulator.replies import compact_json

VERSIONS_TO_KEEP = 20


@dataclass
class DashboardVersion:
    """One row of a dashboard's history; never changed once created (its `data` included)."""

    id: int
    version: int
    parent_version: int
    restored_from: int
    created: str
    created_by: str
    message: str
    data: dict[str, Any]
    _json: str | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "parentVersion": self.parent_version,
            "restoredFrom": self.restored_from,
            "created": self.created,
            "createdBy": self.created_by,
            "message": self.message,
            "data": self.data,
        }

    def to_json(self) -> str:
        if self._json is None:
            self._json = compact_json(self.to_dict())
        return self._json

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> DashboardVersion:
        return cls(
            raw["id"],
            raw["version"],
            raw["parentVersion"],
            raw["restoredFrom"],
            raw["created"],
            raw["createdBy"],
            raw["message"],
            raw["data"],
        )


@dataclass
class Dashboard:
    """A dashboard as stored; replaced (never mutated) on every write, so it can be serialised lazily.

    `version` (the legacy `/api` version) is the k8s `metadata.generation` (grafana-api.md §14.2). `data` is what
    was stored at `api_version`: classic JSON with `id`/`uid`/`version`/`title` injected for "" (stored before the
    12/13 profiles) and v0alpha1/v1beta1/v1, a schema-v2 spec for v2*. `labels`/`annotations` are the ones a client
    sent (manager annotations included); the system ones (`grafana.app/folder`, createdBy, ...) are derived."""

    id: int
    uid: str
    title: str
    folder_uid: str
    created: str
    created_by: str
    updated: str
    updated_by: str
    versions: tuple[DashboardVersion, ...]
    provisioned_external_id: str = ""
    api_version: str = ""
    k8s_uid: str = ""
    resource_version: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    created_by_ref: str = ""  # `grafana.app/createdBy`: user:<uid> | service-account:<uid>
    updated_by_ref: str = ""
    # caches: not init fields, so `dataclasses.replace` gives the new record fresh ones
    _json: str | None = field(default=None, init=False, repr=False, compare=False)
    _views: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def version(self) -> int:
        return self.versions[-1].version

    @property
    def generation(self) -> int:
        return self.versions[-1].version

    def view(self, key: str, build: Callable[[], Any]) -> Any:
        """A derived form of this record (a converted spec, its JSON text, ...), built once and cached; safe because
        a record never changes after it is stored."""
        cached = self._views.get(key)
        if cached is None:
            cached = self._views[key] = build()
        return cached

    @property
    def data(self) -> dict[str, Any]:
        return self.versions[-1].data

    @cached_property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def tags(self) -> list[str]:
        tags = self.data.get("tags")
        return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []

    def to_json(self) -> str:
        if self._json is None:
            head = {
                "id": self.id,
                "uid": self.uid,
                "title": self.title,
                "folderUid": self.folder_uid,
                "created": self.created,
                "createdBy": self.created_by,
                "updated": self.updated,
                "updatedBy": self.updated_by,
                "provisionedExternalId": self.provisioned_external_id,
                "apiVersion": self.api_version,
                "k8sUid": self.k8s_uid,
                "resourceVersion": self.resource_version,
                "labels": self.labels,
                "annotations": self.annotations,
                "createdByRef": self.created_by_ref,
                "updatedByRef": self.updated_by_ref,
            }
            versions = ",".join(v.to_json() for v in self.versions)
            self._json = compact_json(head)[:-1] + ',"versions":[' + versions + "]}"
        return self._json

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Dashboard:
        return cls(
            raw["id"],
            raw["uid"],
            raw["title"],
            raw["folderUid"],
            raw["created"],
            raw["createdBy"],
            raw["updated"],
            raw["updatedBy"],
            tuple(DashboardVersion.from_dict(v) for v in raw["versions"]),
            raw.get("provisionedExternalId", ""),
            api_version=raw.get("apiVersion", ""),
            k8s_uid=raw.get("k8sUid", ""),
            resource_version=raw.get("resourceVersion", ""),
            labels=dict(raw.get("labels") or {}),
            annotations=dict(raw.get("annotations") or {}),
            created_by_ref=raw.get("createdByRef", ""),
            updated_by_ref=raw.get("updatedByRef", ""),
        )


@dataclass
class Folder:
    """A folder; `parent_uid` is "" at the root. `version` is also the k8s `metadata.generation` (§14.7); the
    app-platform fields default so that state files written before them still load."""

    id: int
    uid: str
    title: str
    description: str
    parent_uid: str
    version: int
    created: str
    created_by: str
    updated: str
    updated_by: str
    k8s_uid: str = ""
    resource_version: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    created_by_ref: str = ""
    updated_by_ref: str = ""

    @property
    def generation(self) -> int:
        return self.version

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Folder:
        return cls(**raw)
