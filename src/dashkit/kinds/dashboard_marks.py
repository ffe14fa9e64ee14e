"""What dashkit stores in the dashboards it writes to recognise them later (shared by the dashboard kind and its two
API backends, dashboards_legacy and dashboards_app): the hidden envelope, the owner tag, the restored marker."""

from __future__ import annotations

from typing import Any, Protocol

from ..model import Resource

SERVER_MANAGED = ("id", "version", "iteration")
ENVELOPE = "dashkit"  # hidden top-level key: {"owner", "uid", "fingerprint"} of what dashkit last wrote
TAG_PREFIX = "dashkit:"
RESTORED = "restored"  # the fingerprint a dashboard put back by `dashkit restore` carries
RESTORED_DRIFT = "restored from a backup by `dashkit restore`; sync --force puts the code's version back"


def marker_tag(owner: str) -> str:
    """The tag every dashboard dashkit writes carries; it makes owned dashboards findable by search."""
    return TAG_PREFIX + owner


class DashboardChecksums(Protocol):
    """What a backend asks of the dashboard kind: its name, its canonical form and its two fingerprints."""

    name: str

    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]: ...

    def checksum(self, resource: Resource) -> str: ...

    def source_checksum(self, resource: Resource) -> str: ...
