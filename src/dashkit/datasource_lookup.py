"""Resolving the logical datasource names resources use to an environment's datasources, before any write: names
the project's own datasources define resolve to them, the others through dashkit.yaml and Grafana's API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .datasource_refs import ResolvedDatasource
from .errors import ConfigError

if TYPE_CHECKING:
    from .client import GrafanaClient
    from .config import DatasourceRef, Environment, Settings


def logical_names(settings: Settings | None, by: str = "uid") -> dict[str, str]:
    """Concrete datasource uid (or with by="name", datasource name) -> logical name, from every environment's `uid:`
    (or `name:`) entries in dashkit.yaml: what code spells `@name` where exported JSON pins the datasource."""
    names: dict[str, str] = {}
    for env in sorted(settings.environments.values(), key=lambda e: e.name) if settings else []:
        for logical, ref in sorted(env.datasources.items()):
            if getattr(ref, by, None):
                names.setdefault(getattr(ref, by), logical)
    return names


def resolve(uses: dict[str, list[str]], env: Environment, client: GrafanaClient,
            managed: dict[str, ResolvedDatasource] | None = None) -> dict[str, ResolvedDatasource]:
    """What every logical name in `uses` (name -> where it is used) stands for in `env`: a datasource the project
    itself defines (`managed`, by name), else the environment's dashkit.yaml entry looked up in Grafana. Any name
    that does not resolve fails here, before any write."""
    managed = managed or {}
    users = {name: where for name, where in uses.items() if name not in managed}
    missing = sorted(n for n in users if n not in env.datasources)
    if missing:
        name = missing[0]
        where = ", ".join(sorted(set(users[name]))[:3])
        raise ConfigError(
            f"datasource '@{name}' (used in {where}) is not mapped for environment '{env.name}'"
            + (f"; also unmapped: {', '.join('@' + n for n in missing[1:])}" if len(missing) > 1 else ""),
            hint=f"add it to dashkit.yaml under environments.{env.name}.datasources, "
            f"e.g. {name}: {{uid: <datasource uid>}} or {name}: {{name: <datasource name>}}",
        )
    resolved: dict[str, ResolvedDatasource] = {name: managed[name] for name in uses if name in managed}
    for name in sorted(users):
        ref = env.datasources[name]
        found = lookup(ref, client)
        if found is None:
            spelled = f"uid '{ref.uid}'" if ref.uid else f"name '{ref.name}'"
            raise ConfigError(
                f"environments.{env.name}.datasources.{name}: Grafana at {client.base_url} has no datasource "
                f"with {spelled}",
                hint="check the datasource exists in that Grafana (Connections > Data sources) and fix dashkit.yaml",
            )
        resolved[name] = found
    return resolved


def lookup(ref: DatasourceRef, client: GrafanaClient) -> ResolvedDatasource | None:
    """The datasource an environment's entry names (by uid or by name), or None when Grafana has none."""
    from .client import quote_segment  # the client imports requests: only when talking to Grafana

    path = f"/api/datasources/uid/{quote_segment(ref.uid)}" if ref.uid else (
        f"/api/datasources/name/{quote_segment(ref.name or '')}")
    data = client.get_or_none(path)
    if not isinstance(data, dict) or not data.get("uid"):
        return None
    return ResolvedDatasource(uid=data["uid"], type=str(data.get("type", "")), name=str(data.get("name")))
