"""The burn-rate alert windows, kept as data (Google SRE workbook, chapter 5, for a 30-day SLO period)."""

from __future__ import annotations

from dataclasses import dataclass

from ..durations import format_duration, parse_duration

BASE_PERIOD = 30 * 86400
SUPPORTED_PERIODS = ("30d", "28d", "7d")


@dataclass(frozen=True)
class BurnWindow:
    """Alert when the error rate burns the budget `factor` times too fast over both windows."""

    severity: str  # "page" or "ticket"
    factor: float
    short: str
    long: str
    budget_share: float  # share of the period's budget consumed when it fires (for the docs)


# For a 30-day period: 2% of the budget in 1h, 5% in 6h (page); 10% in 1d, 10% in 3d (ticket).
WINDOWS_30D: tuple[BurnWindow, ...] = (
    BurnWindow("page", 14.4, "5m", "1h", 0.02),
    BurnWindow("page", 6, "30m", "6h", 0.05),
    BurnWindow("ticket", 3, "2h", "1d", 0.10),
    BurnWindow("ticket", 1, "6h", "3d", 0.10),
)


def windows_for(period: str) -> tuple[BurnWindow, ...]:
    """The table scaled to `period`: the same burn factors over windows shortened or lengthened in proportion
    (rounded to whole minutes), so an alert still means the same share of the budget."""
    if period not in SUPPORTED_PERIODS:
        raise ValueError(f"unknown SLO window {period!r}; supported: {', '.join(SUPPORTED_PERIODS)}")
    scale = parse_duration(period) / BASE_PERIOD
    if scale == 1:
        return WINDOWS_30D
    return tuple(BurnWindow(w.severity, w.factor, _scaled(w.short, scale), _scaled(w.long, scale), w.budget_share)
                 for w in WINDOWS_30D)


def _scaled(window: str, scale: float) -> str:
    minutes = max(1, round(parse_duration(window) * scale / 60))
    return format_duration(minutes * 60)


def sli_windows(period: str) -> list[str]:
    """Every window an SLI ratio is recorded over, shortest first (Sloth's order)."""
    found: set[str] = set()
    for window in windows_for(period):
        found.update((window.short, window.long))
    return sorted(found, key=parse_duration)
