"""Version quirks: which Grafana release the emulator imitates, and what that changes (grafana-api.md §0)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def parse_version(text: str) -> tuple[int, int, int]:
    """`"11.6.0"` -> (11, 6, 0); `"main"` -> (13, 0, 0), the post-12 development line."""
    if text.strip().lower() in ("main", "latest", "dev"):
        return (13, 0, 0)
    match = _VERSION.match(text.strip())
    if not match:
        raise ValueError(f"grafana_version {text!r} is not a version like '11.6.0'")
    return (int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0))


@dataclass(frozen=True)
class GrafanaProfile:
    """The behaviour switches derived from one Grafana version string."""

    version: str
    number: tuple[int, int, int]

    @classmethod
    def from_version(cls, version: str) -> GrafanaProfile:
        return cls(version=version, number=parse_version(version))

    def at_least(self, major: int, minor: int = 0) -> bool:
        return self.number[:2] >= (major, minor)

    @property
    def unique_titles(self) -> bool:
        """≤ 11.2: same-named dashboards in one folder clash (412 name-exists); folders likewise (409)."""
        return not self.at_least(11, 3)

    @property
    def delete_reply_has_uid(self) -> bool:
        """Late 11.x / 12: dashboard DELETE answers with `uid` instead of `id`."""
        return self.at_least(11, 6)

    @property
    def versions_list_is_object(self) -> bool:
        """≥ 11.6: versions list is `{"continueToken", "versions"}` instead of an array."""
        return self.at_least(11, 6)

    @property
    def eleven_or_later(self) -> bool:
        """11.x+ details: `folderUid` in save replies, `orgId`/`isDeleted` in hits, new folder DELETE body."""
        return self.at_least(11)

    @property
    def has_rule_group_delete(self) -> bool:
        """11.x+: `DELETE /api/v1/provisioning/folder/:folderUid/rule-groups/:group` → 204 (§7.4, "(11.x+)").
        10.x has no such route: Grafana's not-found handler answers 404 `{"message": "Not found"}`, as for any
        unknown API route."""
        return self.at_least(11)

    @property
    def save_conflict_is_409(self) -> bool:
        """main / 13: a stale save answers 409 'Dashboard already exists...' instead of 412."""
        return self.at_least(13)

    @property
    def dashboard_api_version(self) -> str:
        return "v1beta1" if self.at_least(12) else ""
