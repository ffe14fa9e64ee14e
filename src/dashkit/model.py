"""Resource and ResourceRef: the one currency passed between load, build, diff, plan and apply."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

FOLDER = "folder"  # the kind whose uid `Resource.folder` and `LiveResource.folder` hold


@dataclass(frozen=True, order=True)
class ResourceRef:
    kind: str
    uid: str

    def __str__(self) -> str:
        return f"{self.kind} {self.uid}"


@dataclass(frozen=True)
class Resource:
    """One desired Grafana object. Frozen: a stage that changes one makes a new one (`copy`).

    `body` is the JSON dashkit would send (for a dashboard, the dashboard model); `folder` is the uid of the
    containing folder ('' for the root) and `folder_path` its path as defined (folder titles); `source` says where
    it was defined, for messages; `spec` is the kind's own typed data (a frozen dataclass its module defines), which
    only that kind reads.
    """

    kind: str
    uid: str
    title: str
    body: dict[str, Any]
    folder: str = ""
    source: str = ""
    depends: tuple[ResourceRef, ...] = ()
    path: str = ""  # human path, e.g. "payments/API Overview"
    folder_path: tuple[str, ...] = ()
    spec: Any = None
    checksum: str | None = None  # fingerprint of the definition as built (see kinds that set it)

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.kind, self.uid)

    @property
    def label(self) -> str:
        return self.path or self.title or self.uid

    # ---- a body kept compressed --------------------------------------------------------------------------------
    # Thousands of real-size dashboards do not fit in memory as Python objects (about 60 KB each); a kind may pack
    # a body into compressed canonical JSON once it is built, and read it back only where a run needs it (a
    # resource that changed). `transform` is applied when it is read back (a datasource substitution).

    def pack(self, text: str | None = None) -> None:
        """Keep the body as JSON bytes (`text`: its JSON, when the caller has it already): about a third of the
        memory of the objects. Past the first few thousand packed in a process they are compressed too (a tenth),
        which costs more time than a project of a few thousand dashboards needs to spend."""
        global _PACKED
        if text is None:
            text = json.dumps(self._body, separators=(",", ":"), ensure_ascii=False)
        data = text.encode("utf-8")
        _PACKED += 1
        _store(self, None, zlib.compress(data, 1) if _PACKED > UNCOMPRESSED_PACKS else data, None)

    def transformed(self, transform: Callable[[dict[str, Any]], dict[str, Any]]) -> Resource:
        """A copy whose body, when read, is `transform(body)`; a packed body stays packed until then."""
        if self._packed is None:
            return self.copy(body=transform(self.body))
        copy = self.copy()
        previous = self._transform
        _store(copy, None, self._packed, transform if previous is None else (lambda body: transform(previous(body))))
        return copy

    def copy(self, **changes: Any) -> Resource:
        """A copy with `changes` (like dataclasses.replace), without unpacking a packed body."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "body"}
        values.update(changes)
        body = values.pop("body", None)
        new = Resource(**values, body=body if body is not None else {})
        if body is None:
            _store(new, self._body, self._packed, self._transform)
        return new


UNCOMPRESSED_PACKS = 4000
_PACKED = 0


def _get_body(self: Resource) -> dict[str, Any]:
    if self._body is not None:
        return self._body
    data = self._packed
    body = json.loads(data if data[:1] in (b"{", b"[") else zlib.decompress(data))
    return self._transform(body) if self._transform is not None else body


def _set_body(self: Resource, value: dict[str, Any]) -> None:  # only while constructing: the dataclass is frozen
    _store(self, value, None, None)


def _store(resource: Resource, body: Any, packed: bytes | None, transform: Any) -> None:
    """Set how the body is held (as objects, or packed bytes with a pending transform): a representation, not a
    change of the resource, so it bypasses the frozen dataclass."""
    object.__setattr__(resource, "_body", body)
    object.__setattr__(resource, "_packed", packed)
    object.__setattr__(resource, "_transform", transform)


Resource.body = property(_get_body, _set_body)  # type: ignore[assignment,method-assign]
