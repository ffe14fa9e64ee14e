"""The live parts of a running emulator that handlers and control endpoints share."""

from __future__ import annotations

from dataclasses import dataclass

from dashkit.emulator.auth import Credentials
from dashkit.emulator.config import EmulatorConfig
from dashkit.emulator.faults import FaultInjector
from dashkit.emulator.profile import GrafanaProfile
from dashkit.emulator.stats import RequestStats
from dashkit.emulator.store import Store


@dataclass
class Runtime:
    """Config, version profile, state, credentials, fault plan, counters and the current latency."""

    config: EmulatorConfig
    profile: GrafanaProfile
    store: Store
    credentials: Credentials
    faults: FaultInjector
    stats: RequestStats
    latency_ms: float = 0.0
    database_ok: bool = True  # False: /api/health answers 503 "database": "failing"

    def reset(self) -> None:
        """Back to start-up: seed state, configured faults and latency, healthy, zero counters."""
        self.store.reset()
        self.database_ok = True
        self.faults.configure(self.config.fault_plan())
        self.latency_ms = self.config.latency_ms
        self.stats.reset()
