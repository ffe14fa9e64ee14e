"""Which of Grafana's APIs an environment is spoken to through: read once per run from `/api/health` and the
app-platform discovery (`/apis`, Grafana 12+), or forced by `api:` in dashkit.yaml (grafana-api.md §14.1).

Versions are never hard-coded: dashkit uses the version a group prefers, or the first one it lists that has the
shape dashkit writes (classic dashboard JSON; a non-alpha notifications version)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .client import GrafanaClient
from .errors import ConfigError, GrafanaError, NotFound

DASHBOARDS = "dashboard.grafana.app"
FOLDERS = "folder.grafana.app"
NOTIFICATIONS = "notifications.alerting.grafana.app"


@dataclass(frozen=True)
class Api:
    """The API an environment is spoken to through. `dashboards` is None on the legacy API."""

    grafana_version: str | None = None
    namespace: str = "default"
    dashboards: str | None = None  # classic-JSON dashboard version (v1, v1beta1, ...) on the app-platform
    dashboards_v2: tuple[str, ...] = ()  # schema-v2 versions served, preferred first
    folders: str | None = None
    notifications: str | None = None  # non-alpha notifications version; None: the legacy provisioning API

    @property
    def app_platform(self) -> bool:
        return self.dashboards is not None

    def path(self, group: str, version: str, resource: str, name: str | None = None) -> str:
        from .client import quote_segment

        base = f"/apis/{group}/{version}/namespaces/{quote_segment(self.namespace)}/{resource}"
        return base if name is None else f"{base}/{quote_segment(name)}"

    def describe(self) -> str:
        """For the plan header: which API and versions this run talks to."""
        version = f"Grafana {self.grafana_version}" if self.grafana_version else "Grafana (version hidden)"
        if not self.app_platform:
            return f"{version}, legacy API (/api/dashboards, /api/folders, /api/v1/provisioning)"
        parts = [f"{DASHBOARDS}/{self.dashboards}", f"{FOLDERS}/{self.folders}"]
        parts.append(f"{NOTIFICATIONS}/{self.notifications}" if self.notifications else
                     "alerting via /api/v1/provisioning")
        return f"{version}, app-platform API ({', '.join(parts)}; namespace {self.namespace})"


LEGACY = Api()


def detect(client: GrafanaClient, choice: str, namespace: str) -> Api:
    """The API to use for an environment whose `api:` is `choice` (auto, legacy, app-platform)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as both:  # two round trips at once
        discovery = both.submit(_discovery, client) if choice != "legacy" else None
        health = client.get_or_none("/api/health")
        groups = discovery.result() if discovery is not None else {}
    version = health.get("version") if isinstance(health, dict) and isinstance(health.get("version"), str) else None
    if choice == "legacy":
        return Api(grafana_version=version, namespace=namespace)
    dashboards = _classic_version(groups.get(DASHBOARDS))
    folders = _preferred(groups.get(FOLDERS))
    if dashboards is None or folders is None:
        if choice == "app-platform":
            raise ConfigError(f"api: app-platform, but Grafana at {client.base_url} does not serve the "
                              f"{DASHBOARDS} and {FOLDERS} APIs (Grafana {version or '?'})",
                              hint="use api: auto or legacy for Grafana before 12")
        return Api(grafana_version=version, namespace=namespace)
    v2 = tuple(v for v in _versions(groups.get(DASHBOARDS)) if v.startswith("v2"))
    return Api(grafana_version=version, namespace=namespace, dashboards=dashboards, dashboards_v2=v2,
               folders=folders, notifications=_stable_version(groups.get(NOTIFICATIONS)))


def _discovery(client: GrafanaClient) -> dict[str, dict[str, Any]]:
    """group name -> its discovery entry; empty when /apis is not served (Grafana before 12, or a proxy)."""
    try:
        data = client.get_or_none("/apis")
    except GrafanaError as exc:
        if isinstance(exc, NotFound) or exc.status in (400, 406):
            return {}
        raise
    groups = data.get("groups") if isinstance(data, dict) else None
    return {g["name"]: g for g in groups or [] if isinstance(g, dict) and isinstance(g.get("name"), str)}


def _versions(group: dict[str, Any] | None) -> list[str]:
    """Versions served, preferred first."""
    if not group:
        return []
    versions = [v.get("version") for v in group.get("versions") or [] if isinstance(v, dict)]
    preferred = (group.get("preferredVersion") or {}).get("version")
    ordered = [preferred] if isinstance(preferred, str) else []
    return ordered + [v for v in versions if isinstance(v, str) and v not in ordered]


def _preferred(group: dict[str, Any] | None) -> str | None:
    versions = _versions(group)
    return versions[0] if versions else None


def _classic_version(group: dict[str, Any] | None) -> str | None:
    """The version that holds classic dashboard JSON: the preferred one unless that is schema v2, then the first
    non-v2, non-alpha one listed (v0alpha1 is a pass-through, not a stable API)."""
    versions = [v for v in _versions(group) if not v.startswith("v2")]
    stable = [v for v in versions if "alpha" not in v]
    return (stable or [None])[0]


def _stable_version(group: dict[str, Any] | None) -> str | None:
    """The preferred non-alpha version (alerting resources are used only once a beta or GA version is served)."""
    return next((v for v in _versions(group) if "alpha" not in v), None)
