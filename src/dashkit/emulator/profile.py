"""Version quirks: which Grafana release the emulator imitates, and what that changes (grafana-api.md §0)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

DASHBOARD_GROUP = "dashboard.grafana.app"
FOLDER_GROUP = "folder.grafana.app"
NOTIFICATIONS_GROUP = "notifications.alerting.grafana.app"
PROFILES = {"11": "11.6.0", "12": "12.2.0", "13": "13.0.0"}  # `--grafana 11|12|13`

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
    def legacy_alerting_provisioning_deprecated(self) -> bool:
        """13: the provisioning routes for contact points, policies, templates and mute timings (PR #121995) and for
        alert rules and rule groups (PR #120606) answer with `Warning` (299), `X-API-Deprecation-Date` and
        `X-API-Replacement`; the export routes do not (grafana-api.md §14.9)."""
        return self.at_least(13)

    @property
    def notifications_none_provenance(self) -> str:
        """The `grafana.com/provenance` value of a notification resource without provenance (§14.9): 12's v0alpha1
        `SetProvenanceStatus` writes `"none"` for it; the 13-line v1beta1 one writes the stored `""` as is
        (`apps/alerting/notifications/pkg/apis/alertingnotifications/v1beta1/receiver_ext.go@0524cba`)."""
        return "" if self.at_least(13) else "none"

    @property
    def serves_apis(self) -> bool:
        """12+: the app-platform discovery and resources under `/apis` (§14.1). On 11 `/apis` answers 404 like any
        unknown route, so clients fall back to the legacy API (grafana-api.md documents no `/apis` before 12)."""
        return self.at_least(12)

    @cached_property
    def api_groups(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """group -> {version: resources}, versions preferred first (§14.1, §14.2, §14.7, §14.9). Which versions a
        real server lists depends on feature toggles [unverified defaults]; these are the documented ones."""
        if not self.serves_apis:
            return {}
        thirteen = self.at_least(13)
        dashboards = ("dashboards",)
        dashboard_versions = (
            ("v1", "v1beta1", "v0alpha1", "v2alpha1", "v2beta1", "v2")
            if thirteen
            else ("v1beta1", "v0alpha1", "v2alpha1", "v2beta1")
        )
        folder_versions = ("v1", "v1beta1") if thirteen else ("v1beta1",)
        notifications = ("receivers", "routingtrees", "templategroups", "timeintervals")
        notification_versions = ("v1beta1", "v0alpha1") if thirteen else ("v0alpha1",)
        if thirteen:
            notifications += ("inhibitionrules",)
        return {
            DASHBOARD_GROUP: {version: dashboards for version in dashboard_versions},
            FOLDER_GROUP: {version: ("folders",) for version in folder_versions},
            NOTIFICATIONS_GROUP: {version: notifications for version in notification_versions},
        }

    def api_resources(self, group: str, version: str) -> tuple[str, ...]:
        """The resources `group` serves at `version` on this profile (empty when it does not serve it)."""
        return self.api_groups.get(group, {}).get(version, ())

    def preferred_version(self, group: str) -> str:
        """The first (preferred) version of `group`, "" when the group is not served."""
        return next(iter(self.api_groups.get(group, {})), "")

    @property
    def legacy_dashboard_version(self) -> str:
        """The version a legacy `/api/dashboards/db` save is stored at: 13 "defaults legacy POSTs to v0alpha1"
        (§14.2, `[dash.go/13]`); 12 saves through its preferred `v1beta1` client; "" before 12 (no app platform)."""
        if self.at_least(13):
            return "v0alpha1"
        return "v1beta1" if self.at_least(12) else ""

    @property
    def ui_dashboard_version(self) -> str:
        """The version the dashboard UI saves in (schema v2 by default, §14.2): `v2beta1` on 12, `v2` on 13."""
        if self.at_least(13):
            return "v2"
        return "v2beta1" if self.at_least(12) else ""

    @property
    def legacy_get_of_v2_is_406(self) -> bool:
        """12: `GET /api/dashboards/uid` of a v2-stored dashboard -> 406; 13 reads it down-converted (§14.5)."""
        return self.at_least(12) and not self.at_least(13)

    @property
    def legacy_save_is_k8s_adapter(self) -> bool:
        """13: `POST /api/dashboards/db` is a thin adapter over the k8s API (§4.3 "main / 13", §14.5): v2-looking
        bodies -> 400, an unchanged save keeps the generation, labels/annotations are reset."""
        return self.at_least(13)

    @property
    def conversion_status_always(self) -> bool:
        """13: every read at a version other than the stored one reports `status.conversion` (`normalizeConversion`);
        12 reports it for v0alpha1 -> v1beta1 reads and failed conversions only (§14.4)."""
        return self.at_least(13)
