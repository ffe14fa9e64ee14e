"""Request counters exposed at `/__emulator/stats`."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class RequestStats:
    """Counts /api requests, applied writes, requests per route pattern and injected faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.writes = 0
            self.faults_injected = 0
            self.by_route: Counter[str] = Counter()

    def request(self, route_key: str) -> None:
        with self._lock:
            self.requests += 1
            self.by_route[route_key] += 1

    def write(self) -> None:
        with self._lock:
            self.writes += 1

    def fault(self) -> None:
        with self._lock:
            self.faults_injected += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "writes": self.writes,
                "by_route": dict(sorted(self.by_route.items())),
                "faults_injected": self.faults_injected,
            }
