"""An SLO as data: service, objective, period, SLI (ratio of error events, or latency from histogram buckets),
labels and alerting. Built from YAML (dashkit.builders.slo_spec) or Python (dashkit.builders.slo)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .names import slo_id

# Bucket boundaries of the common client libraries' default histograms (prom-client, client_python, client_golang).
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
WINDOW_PLACEHOLDERS = ("{{.window}}", "{{ .window }}", "{{window}}", "{{ window }}")


@dataclass(frozen=True)
class EventsSLI:
    """error_query / total_query, each with a window placeholder ({{window}}, Sloth's {{.window}})."""

    error_query: str
    total_query: str

    def ratio(self, window: str) -> str:
        return f"({fill(self.error_query, window)})\n/\n({fill(self.total_query, window)})"


@dataclass(frozen=True)
class RawSLI:
    """A ready error ratio query with a window placeholder (Sloth's `raw.error_ratio_query`)."""

    error_ratio_query: str

    @property
    def error_query(self) -> str:  # validated like the events queries
        return self.error_ratio_query

    @property
    def total_query(self) -> str:
        return self.error_ratio_query

    def ratio(self, window: str) -> str:
        return f"({fill(self.error_ratio_query, window).strip()})"


def fill(query: str, window: str) -> str:
    for placeholder in WINDOW_PLACEHOLDERS:
        query = query.replace(placeholder, window)
    return query


def has_placeholder(query: str) -> bool:
    return any(p in query for p in WINDOW_PLACEHOLDERS)


@dataclass(frozen=True)
class AlertSpec:
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    disable: bool = False


@dataclass(frozen=True)
class Alerting:
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    page: AlertSpec = field(default_factory=lambda: AlertSpec(labels={"severity": "critical"}))
    ticket: AlertSpec = field(default_factory=lambda: AlertSpec(labels={"severity": "warning"}))


@dataclass(frozen=True)
class SLO:
    service: str
    name: str
    objective: float  # percent, e.g. 99.9
    sli: EventsSLI | RawSLI
    period: str = "30d"
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    alerting: Alerting | None = None
    grafana_mode: str = "recording"  # Grafana alerts read the recording rules, or ("direct") compute the ratios
    kind: str = "events"  # "availability", "latency" or "events", for the dashboard's wording
    threshold: float | None = None  # the latency threshold in seconds, for latency SLOs

    @property
    def id(self) -> str:
        return slo_id(self.service, self.name)

    @property
    def objective_ratio(self) -> float:
        return self.objective / 100

    @property
    def error_budget(self) -> float:
        """Computed as Sloth does ((100 - objective) / 100), so generated numbers match to the last digit."""
        return (100 - self.objective) / 100
