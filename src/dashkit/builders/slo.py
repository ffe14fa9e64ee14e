"""SLOs in Python: `slo(...)` with an availability, latency or events SLI, exported from an alerts/ module as
`slos = [...]` (the same model as alerts/slo/*.yaml)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..slo.model import DEFAULT_BUCKETS, SLO, Alerting, AlertSpec, EventsSLI
from ..slo.names import default_alert_name
from .conventions import DEFAULT, Conventions
from .errors import BuilderError
from .slo_dashboard import slo_row
from .slo_spec import SpecError, availability_sli, latency_sli, make_slo


def events_sli(error_query: str, total_query: str) -> EventsSLI:
    """Bad events over all events; both queries hold a `[{{window}}]` range placeholder."""
    return EventsSLI(error_query, total_query)


def slo(service: str, name: str, objective: float, *, sli: str | EventsSLI = "availability",
        latency_threshold: float | None = None, buckets: Sequence[float] = DEFAULT_BUCKETS, window: str = "30d",
        description: str = "", labels: Mapping[str, str] | None = None, alert_name: str | None = None,
        page_labels: Mapping[str, str] | None = None, ticket_labels: Mapping[str, str] | None = None,
        alert_annotations: Mapping[str, str] | None = None, alerts: bool = True, grafana_mode: str = "recording",
        conventions: Conventions = DEFAULT) -> SLO:
    """An SLO: `slo("checkout", "availability", 99.9)` (5xx over all requests), `sli="latency",
    latency_threshold=0.5`, or `sli=events_sli(error_query, total_query)`."""
    try:
        if isinstance(sli, EventsSLI):
            events, kind = sli, "events"
        elif sli == "availability":
            events, kind = availability_sli(service, conventions), "availability"
        elif sli == "latency":
            if latency_threshold is None:
                raise SpecError("latency_threshold", "a latency SLO needs latency_threshold (seconds)")
            events, kind = latency_sli(service, latency_threshold, buckets, conventions), "latency"
        else:
            raise SpecError("sli", "must be 'availability', 'latency' or events_sli(...)")
        alerting = None
        if alerts:
            alerting = Alerting(
                name=alert_name or default_alert_name(service, name),
                annotations=dict(alert_annotations or {}),
                page=AlertSpec(labels=dict(page_labels or {"severity": "critical"})),
                ticket=AlertSpec(labels=dict(ticket_labels or {"severity": "warning"})),
            )
        return make_slo(service=service, name=name, objective=objective, sli=events, period=window,
                        description=description, labels=labels, alerting=alerting, grafana_mode=grafana_mode,
                        kind=kind, threshold=latency_threshold)
    except SpecError as exc:
        raise BuilderError(f"SLO '{service}/{name}': {exc}") from None


__all__ = ["events_sli", "slo", "slo_row"]
