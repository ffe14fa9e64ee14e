"""Prometheus-style durations ("1h30m", "5m", "0s"): parse to seconds, format canonically."""

from __future__ import annotations

import re

_UNITS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
_PART_RE = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")
_FULL_RE = re.compile(r"^((\d+)(ms|y|w|d|h|m|s))+$")


def parse_duration(value: str | int | float) -> float:
    """Seconds in a duration string like '1h30m' (ints and floats are taken as seconds). ValueError if invalid."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"duration {value!r} is negative")
        return float(value)
    if not isinstance(value, str) or not _FULL_RE.match(value.strip()):
        raise ValueError(f"{value!r} is not a duration like '30s', '5m' or '1h30m'")
    return float(sum(int(n) * _UNITS[u] for n, u in _PART_RE.findall(value.strip())))


def format_duration(seconds: float) -> str:
    """'1h30m' for 5400; '0s' for 0; whole seconds (milliseconds kept only below one second)."""
    if seconds < 1 and seconds > 0:
        return f"{round(seconds * 1000)}ms"
    remaining = round(seconds)
    if remaining == 0:
        return "0s"
    parts = []
    for unit in ("w", "d", "h", "m", "s"):
        size = int(_UNITS[unit])
        if remaining >= size:
            parts.append(f"{remaining // size}{unit}")
            remaining %= size
    return "".join(parts)


def canonical_duration(value: str | int | float) -> str:
    """The same duration in one spelling: '300s' and '5m' both give '5m'."""
    return format_duration(parse_duration(value))

