"""Resource and ResourceRef: the one currency passed between load, build, diff, plan and apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class ResourceRef:
    kind: str
    uid: str

    def __str__(self) -> str:
        return f"{self.kind} {self.uid}"


@dataclass
class Resource:
    """One desired (or live) Grafana object.

    `body` is the JSON dashkit would send (for a dashboard, the dashboard model); `folder` is the uid of the
    containing folder ('' for the root); `source` says where it was defined, for messages.
    """

    kind: str
    uid: str
    title: str
    body: dict[str, Any]
    folder: str = ""
    source: str = ""
    depends: tuple[ResourceRef, ...] = ()
    path: str = ""  # human path, e.g. "payments/API Overview"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.kind, self.uid)

    @property
    def label(self) -> str:
        return self.path or self.title or self.uid
