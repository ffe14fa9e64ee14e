"""EmulatorConfig, its defaults (orgs, users, datasource seed) and the datasource seed-file loader."""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dashkit.emulator.faults import FAULT_KINDS, FaultPlan, parse_fault_spec
from dashkit.emulator.profile import PROFILES, parse_version
from dashkit.safe_yaml import safe_load

DEFAULT_ORGS: dict[int, str] = {1: "Main Org.", 2: "Second Org."}

DEFAULT_DATASOURCES: list[dict[str, Any]] = [
    {
        "uid": "prom-local",
        "name": "Prometheus",
        "type": "prometheus",
        "isDefault": True,
        "url": "http://localhost:9090",
    },
    {"uid": "loki-local", "name": "Loki", "type": "loki", "url": "http://localhost:3100"},
    {"uid": "tempo-local", "name": "Tempo", "type": "tempo", "url": "http://localhost:3200"},
]


MEGABYTE = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 64 * MEGABYTE
DEFAULT_IDLE_TIMEOUT = 60.0


def default_users() -> dict[str, dict[str, Any]]:
    return {
        "admin": {"password": "admin", "role": "Admin", "orgs": [1, 2]},
        "viewer": {"password": "viewer", "role": "Viewer", "orgs": [1]},
    }


def is_loopback_host(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1); False for "", 0.0.0.0, :: and anything else."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # another host name: it may resolve to any interface
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


class ExposedWithoutToken(ValueError):
    """A non-loopback host was configured without a token to protect it."""


@dataclass
class EmulatorConfig:
    """Everything an `Emulator` needs; every field has a sensible default.

    `tokens` maps a bearer token to `{"login", "name", "role", "org_id"}` (all optional: defaults
    `sa-<org>-dashkit`, `dashkit`, `Admin`, 1). `users` maps a basic-auth login to
    `{"password", "role", "orgs"}`; `None` means `admin/admin` and `viewer/viewer` on a loopback host and
    nobody elsewhere. `datasources=None` seeds Prometheus/Loki/Tempo in org 1; a list replaces that seed
    (an item may carry `orgId`).

    `grafana_version` is a version (`"12.1.3"`, `"main"`) or a profile name `"11"`, `"12"`, `"13"` (11.6.0, 12.2.0,
    13.0.0); 12 and 13 serve the app-platform APIs under `/apis`. `stack_id` makes the namespace of org 1
    `stacks-<id>`, as on Grafana Cloud. App-platform list pages stop early once their items reach
    `list_max_page_bytes` (0 = only `limit` counts), as Grafana's resource server does at its page-size cap.

    A `host` other than loopback needs at least one token, and then every request but `/api/health` needs
    credentials, `/__emulator/*` an Admin token. Request bodies over `max_body_bytes` (chunked ones
    included) are refused with 413. A connection waits at most `idle_timeout` seconds for its next request,
    and each request (line, headers and body) must arrive within that time too.
    """

    host: str = "127.0.0.1"
    port: int = 3000
    data: str | os.PathLike[str] | None = None
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] | None = None
    orgs: dict[int, str] = field(default_factory=lambda: dict(DEFAULT_ORGS))
    datasources: list[dict[str, Any]] | None = None
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    retry_after: int = 1
    fault_seed: int | None = None
    grafana_version: str = "11.6.0"
    stack_id: int | None = None
    list_max_page_bytes: int = 0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    verbose: bool = False

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ValueError for a setting the emulator cannot run with (`ExposedWithoutToken` for an open host)."""
        self.grafana_version = PROFILES.get(self.grafana_version.strip(), self.grafana_version)
        parse_version(self.grafana_version)
        if self.stack_id is not None and (isinstance(self.stack_id, bool) or self.stack_id < 1):
            raise ValueError(f"stack_id must be a positive integer, got {self.stack_id!r}")
        if self.list_max_page_bytes < 0:
            raise ValueError(f"list_max_page_bytes must not be negative, got {self.list_max_page_bytes}")
        self.fault_kinds = parse_fault_spec(self.fault_kinds)
        self.fault_plan()
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must not be negative, got {self.latency_ms}")
        if self.max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be positive, got {self.max_body_bytes}")
        if not self.idle_timeout > 0:
            raise ValueError(f"idle_timeout must be a positive number of seconds, got {self.idle_timeout}")
        if not self.loopback and not any(token.strip() for token in self.tokens):
            raise ExposedWithoutToken(
                f"host {self.host!r} is not a loopback address: other machines could reach the emulator, "
                "so it needs a token, which every request will then have to carry"
            )

    @property
    def loopback(self) -> bool:
        """Whether only this machine can reach the emulator (`host` is localhost, 127.x or ::1)."""
        return is_loopback_host(self.host)

    def basic_auth_users(self) -> dict[str, dict[str, Any]]:
        """The configured users; unconfigured, the well-known defaults on loopback and nobody elsewhere."""
        if self.users is not None:
            return self.users
        return default_users() if self.loopback else {}

    def fault_plan(self) -> FaultPlan:
        return FaultPlan(
            rate=float(self.fault_rate),
            kinds=self.fault_kinds,
            retry_after=int(self.retry_after),
            seed=self.fault_seed,
        )

    def seed_datasources(self) -> list[dict[str, Any]]:
        return [dict(ds) for ds in (DEFAULT_DATASOURCES if self.datasources is None else self.datasources)]


def load_datasources(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a datasource seed from YAML or JSON: a list, or Grafana's provisioning `{datasources: [...]}`."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read datasource file {file}: {exc.strerror or exc}") from exc
    try:
        loaded = json.loads(text) if file.suffix.lower() == ".json" else safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"{file}: not valid {'JSON' if file.suffix.lower() == '.json' else 'YAML'}: {exc}") from exc
    if isinstance(loaded, dict) and "datasources" in loaded:
        loaded = loaded["datasources"]
    if not isinstance(loaded, list):
        raise ValueError(f"{file}: expected a list of datasources (or a 'datasources:' key)")
    result: list[dict[str, Any]] = []
    for index, item in enumerate(loaded):
        if not isinstance(item, dict):
            raise ValueError(f"{file}: datasource #{index + 1} is not a mapping")
        for key in ("name", "type"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise ValueError(f"{file}: datasource #{index + 1} needs a '{key}'")
        result.append(dict(item))
    return result
