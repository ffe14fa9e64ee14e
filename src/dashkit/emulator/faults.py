"""Fault injection: proxy-style 429/502/503/504 answers and dropped connections, deterministic per seed."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from dashkit.emulator.replies import Reply

FAULT_KINDS = ("429", "502", "503", "504", "drop", "drop_after")
DROP = "drop"
DROP_AFTER = "drop_after"

_HTML = "text/html"
_PAGES = {
    "502": (
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
        "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ),
    "503": (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<title>Grafana</title>\n</head>\n<body>\n<div class="preloader">\n'
        '<div class="preloader__text">Grafana is loading...</div>\n</div>\n</body>\n</html>\n'
    ),
    "504": (
        "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
        "<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ),
}


def parse_fault_spec(spec: str | Iterable[str]) -> tuple[str, ...]:
    """`"429,503,drop"` (or a list) -> validated fault kinds; `drop-after` is accepted for `drop_after`."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    kinds: list[str] = []
    for item in items:
        kind = str(item).strip().lower().replace("-", "_")
        if not kind:
            continue
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {item!r}; expected some of {', '.join(FAULT_KINDS)}")
        if kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


@dataclass(frozen=True)
class FaultPlan:
    """What to inject: each matching /api request fails with probability `rate`, as one of `kinds`."""

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    retry_after: int = 1
    seed: int | None = None
    methods: tuple[str, ...] = ()
    path_regex: str | None = None
    count: int | None = None  # inject at most this many faults, then answer normally

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {self.rate}")
        if self.rate > 0 and not self.kinds:
            raise ValueError("a fault rate needs at least one fault kind")
        if self.path_regex:
            re.compile(self.path_regex)

    def describe(self) -> dict[str, object]:
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "retry_after": self.retry_after,
            "seed": self.seed,
            "methods": list(self.methods),
            "path_regex": self.path_regex,
            "count": self.count,
        }


class FaultInjector:
    """Decides, request by request, whether to inject a fault; thread-safe, reproducible for a seed."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(plan or FaultPlan())

    def configure(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan
            self._random = random.Random(plan.seed)
            self._path = re.compile(plan.path_regex) if plan.path_regex else None
            self._left = plan.count

    def decide(self, method: str, path: str) -> str | None:
        if self.plan.rate <= 0:
            return None
        with self._lock:
            plan = self.plan
            if plan.methods and method not in plan.methods:
                return None
            if self._path is not None and not self._path.search(path):
                return None
            if self._left is not None and self._left <= 0:
                return None
            if self._random.random() >= plan.rate:
                return None
            if self._left is not None:
                self._left -= 1
            return plan.kinds[self._random.randrange(len(plan.kinds))]


def fault_reply(kind: str, retry_after: int) -> Reply:
    """The answer a proxy or a paused Grafana Cloud stack gives; never Grafana's own JSON."""
    if kind == "429":
        text = f"Too Many Requests: rate limit exceeded, retry after {retry_after}s\n"
        return Reply(429, text.encode(), "text/plain; charset=utf-8", {"Retry-After": str(retry_after)})
    return Reply(int(kind), _PAGES[kind].encode(), _HTML)
