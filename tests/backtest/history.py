"""Two days of known history at one-minute resolution, as a real Prometheus serves it (TSDB blocks built by promtool
from OpenMetrics, as tests/lint/prometheus_fixture.py does):

- checkout (shop): 2000 requests a minute, 1 of them a 5xx; a small incident (0.8% errors for 10 minutes) on the
  first day, a budget-burning one (20% errors for 30 minutes) on the second;
- payments (shop), the quiet service: 1000 requests a minute, 1 a 5xx (0.1%), all along;
- flappy (lab): an error ratio that crosses 5% and falls back, again and again, for the rule-file tests;
- the SLO recording rules of alerts/slo/checkout.yaml (slo:sli_error:ratio_rate5m ... _rate3d), as Prometheus would
  have recorded them from checkout's counters (the history Grafana's SLO alerts read).

Nothing for catalog: its alerts have no data."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.lint.prometheus_fixture import prometheus_over

STEP = 60
MINUTES = 2 * 24 * 60
WINDOWS = {"5m": 5, "30m": 30, "1h": 60, "2h": 120, "6h": 360, "1d": 1440, "3d": 4320}
SLO_LABELS = ('sloth_id="checkout-requests-availability",sloth_service="checkout",'
              'sloth_slo="requests-availability",team="platform"')
# (minutes, error ratio) of the flappy service, from minute 180 on; 1% otherwise
FLAPPY = ((8, 0.10), (1, 0.01), (6, 0.10), (6, 0.01), (5, 0.10), (40, 0.01), (2, 0.10), (40, 0.01), (12, 0.10),
          (3, 0.01), (12, 0.10), (60, 0.01), (4, 0.20), (2, 0.01), (4, 0.20))


@dataclass(frozen=True)
class History:
    start: int  # the first sample (a whole hour)
    small_incident: tuple[int, int]  # [start, end) of checkout's small incident
    incident: tuple[int, int]  # [start, end) of checkout's budget-burning incident
    url: str = ""

    @property
    def end(self) -> int:
        """The last sample."""
        return self.start + (MINUTES - 1) * STEP

    def minute(self, t: int) -> int:
        return (t - self.start) // STEP


def make_history(now: float | None = None) -> History:
    start = int((now or time.time()) // 3600) * 3600 - 2 * 24 * 3600 - 3600
    small = start + 10 * 3600
    big = start + 36 * 3600
    return History(start, (small, small + 10 * STEP), (big, big + 30 * STEP))


def errors_per_minute(history: History, service: str) -> list[tuple[float, float]]:
    """(requests, errors) of each minute."""
    if service == "payments":
        return [(1000.0, 1.0)] * MINUTES
    if service == "flappy":
        out = [(1000.0, 10.0)] * MINUTES
        at = 180
        for length, ratio in FLAPPY:
            for m in range(at, at + length):
                out[m] = (1000.0, 1000.0 * ratio)
            at += length
        return out
    out = []
    for m in range(MINUTES):
        t = history.start + m * STEP
        errors = 1.0
        if history.small_incident[0] <= t < history.small_incident[1]:
            errors = 16.0
        if history.incident[0] <= t < history.incident[1]:
            errors = 400.0
        out.append((2000.0, errors))
    return out


def counters(per_minute: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """(good, bad) counter values at each sample: what a minute adds shows at the sample that ends it."""
    good, bad, g, b = [], [], 0.0, 0.0
    for total, errors in per_minute:
        good.append(g)
        bad.append(b)
        g += total - errors
        b += errors
    return good, bad


def series(history: History) -> dict[str, list[float]]:
    """Every series (as an OpenMetrics series name) and its value at each minute."""
    out: dict[str, list[float]] = {}
    for service, namespace in (("checkout", "shop"), ("payments", "shop"), ("flappy", "lab")):
        good, bad = counters(errors_per_minute(history, service))
        labels = f'namespace="{namespace}",service="{service}"'
        out[f'http_requests_total{{{labels},status_code="200"}}'] = good
        out[f'http_requests_total{{{labels},status_code="500"}}'] = bad
    good, bad = counters(errors_per_minute(history, "checkout"))
    for window, minutes in WINDOWS.items():
        ratios = []
        for m in range(1, MINUTES):
            first = max(0, m - minutes)  # Prometheus 2's range selector includes the sample at t - window
            total = (good[m] + bad[m]) - (good[first] + bad[first])
            ratios.append((bad[m] - bad[first]) / total)
        out[f'slo:sli_error:ratio_rate{window}{{{SLO_LABELS},sloth_window="{window}"}}'] = [float("nan"), *ratios]
    return out


def openmetrics(history: History, data: dict[str, list[float]]) -> str:
    lines = []
    for name, values in data.items():
        lines += [f"{name} {v:.17g} {history.start + m * STEP}" for m, v in enumerate(values) if v == v]
    return "\n".join([*lines, "# EOF", ""])


@contextlib.contextmanager
def serving(workdir: Path, history: History) -> Iterator[History]:
    """A Prometheus on loopback serving the history; stopped on exit."""
    data, source, config, log = (workdir / name for name in ("data", "history.om", "prometheus.yml", "log"))
    source.write_text(openmetrics(history, series(history)))
    config.write_text("global:\n  scrape_interval: 15s\nscrape_configs: []\n")
    params = {"match[]": "http_requests_total", "start": str(history.start), "end": str(history.end)}
    with prometheus_over(data, source, config, log, params, block_duration="72h") as url:
        yield History(history.start, history.small_incident, history.incident, url)
