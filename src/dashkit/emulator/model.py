"""The records the emulator stores per org: dashboards (with version history) and folders."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from dashkit.emulator.naming import slugify

VERSIONS_TO_KEEP = 20


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


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
            self._json = _dump(self.to_dict())
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
    """A dashboard as stored; replaced (never mutated) on every save, so it can be serialised lazily."""

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
    _json: str | None = field(default=None, repr=False, compare=False)

    @property
    def version(self) -> int:
        return self.versions[-1].version

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
            }
            versions = ",".join(v.to_json() for v in self.versions)
            self._json = _dump(head)[:-1] + ',"versions":[' + versions + "]}"
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
        )


@dataclass
class Folder:
    """A folder; `parent_uid` is "" at the root."""

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Folder:
        return cls(**raw)
