"""SLO specs: dashkit's own format (`version: dashkit/v1`) and Sloth's (`version: prometheus/v1`), validated
into SLO models with errors that name the key. A builder: availability and latency SLIs come from the Conventions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..slo.model import DEFAULT_BUCKETS, SLO, Alerting, AlertSpec, EventsSLI, RawSLI, has_placeholder
from ..slo.names import default_alert_name
from ..slo.windows import SUPPORTED_PERIODS
from .conventions import DEFAULT, Conventions
from .queries import aggregate, eq, regex, selector

VERSIONS = ("dashkit/v1", "prometheus/v1")
_NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
_LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class SpecError(ValueError):
    """An invalid SLO definition; `key` is where (e.g. 'slos[0].objective')."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


def parse_document(data: Any, conventions: Conventions = DEFAULT) -> list[SLO]:
    if not isinstance(data, Mapping):
        raise SpecError("", "an SLO file is a mapping with version, service and slos")
    version = data.get("version")
    if version not in VERSIONS:
        raise SpecError("version", f"must be one of {', '.join(VERSIONS)} (got {version!r})")
    _known(data, {"version", "service", "labels", "slos", "grafana_alerts"}, "")
    service = _name(data.get("service"), "service")
    labels = _labels(data.get("labels", {}), "labels")
    mode = data.get("grafana_alerts", "recording")
    if mode not in ("recording", "direct"):
        raise SpecError("grafana_alerts", "must be 'recording' (read the recording rules) or 'direct'")
    slos = data.get("slos")
    if not isinstance(slos, list) or not slos:
        raise SpecError("slos", "must be a non-empty list")
    out = [_slo(item, f"slos[{i}]", service, labels, mode, version, conventions) for i, item in enumerate(slos)]
    names = [s.name for s in out]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise SpecError(f"slos[{i}].name", f"SLO '{name}' is defined twice for service '{service}'")
    return out


def _slo(item: Any, key: str, service: str, labels: Mapping[str, str], mode: str, version: str,
         conventions: Conventions) -> SLO:
    if not isinstance(item, Mapping):
        raise SpecError(key, "must be a mapping")
    allowed = {"name", "objective", "description", "sli", "alerting", "labels"}
    if version == "dashkit/v1":
        allowed |= {"window"}
    _known(item, allowed, key)
    name = _name(item.get("name"), f"{key}.name")
    sli, kind, threshold = _sli(item.get("sli"), f"{key}.sli", service, version, conventions)
    return make_slo(
        service=service, name=name, objective=item.get("objective"), sli=sli, period=item.get("window", "30d"),
        description=str(item.get("description") or ""), labels={**labels, **_labels(item.get("labels", {}),
                                                                                       f"{key}.labels")},
        alerting=_alerting(item.get("alerting"), f"{key}.alerting", service, name), grafana_mode=mode, kind=kind,
        threshold=threshold, key=key,
    )


def make_slo(*, service: str, name: str, objective: Any, sli: EventsSLI | RawSLI, period: str = "30d",
             description: str = "", labels: Mapping[str, str] | None = None, alerting: Alerting | None = None,
             grafana_mode: str = "recording", kind: str = "events", threshold: float | None = None,
             key: str = "") -> SLO:
    """Validate and assemble an SLO (shared by the YAML spec and the Python builder)."""
    prefix = f"{key}." if key else ""
    if isinstance(objective, bool) or not isinstance(objective, (int, float)) or not 0 < objective < 100:
        raise SpecError(f"{prefix}objective", f"must be a percentage strictly between 0 and 100, like 99.9 "
                                              f"(got {objective!r})")
    if objective < 1:  # a ratio: 0.995 would be a 0.995 % target, an error budget of 99 % of all requests
        raise SpecError(f"{prefix}objective", f"{objective:g} is a ratio, but objectives are percentages: "
                                              f"did you mean {objective * 100:.10g}?")
    if period not in SUPPORTED_PERIODS:
        raise SpecError(f"{prefix}window", f"unknown SLO window {period!r}; supported: "
                                           f"{', '.join(SUPPORTED_PERIODS)}")
    queries = ((("error_ratio_query", sli.error_ratio_query),) if isinstance(sli, RawSLI) else
               (("error_query", sli.error_query), ("total_query", sli.total_query)))
    for which, query in queries:
        where = f"{prefix}sli.{'raw' if isinstance(sli, RawSLI) else 'events'}.{which}"
        if not isinstance(query, str) or not query.strip():
            raise SpecError(where, "is missing")
        if not has_placeholder(query):
            raise SpecError(where, "has no window placeholder: write the range as [{{window}}] "
                                   "(or Sloth's [{{.window}}]) so each alert window gets its own")
    if grafana_mode not in ("recording", "direct"):
        raise SpecError(f"{prefix}grafana_alerts", "must be 'recording' or 'direct'")
    return SLO(service=service, name=name, objective=float(objective), sli=sli, period=period,
               description=description, labels=dict(labels or {}), alerting=alerting, grafana_mode=grafana_mode,
               kind=kind, threshold=threshold)


def availability_sli(service: str, conventions: Conventions = DEFAULT) -> EventsSLI:
    """Requests answered with a server error (5xx) over all requests, from the HTTP conventions."""
    c = conventions
    svc = eq(c.service_label, service)
    errors = selector(c.requests_total, [svc, regex(c.status_label, c.error_status_regex)])
    total = selector(c.requests_total, [svc])
    return EventsSLI(aggregate(f"rate({errors}[{{{{window}}}}])"), aggregate(f"rate({total}[{{{{window}}}}])"))


def latency_sli(service: str, threshold: float, buckets: Sequence[float] = DEFAULT_BUCKETS,
                conventions: Conventions = DEFAULT, key: str = "") -> EventsSLI:
    """Requests slower than `threshold` seconds over all requests, from the duration histogram's buckets."""
    prefix = f"{key}." if key else ""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or threshold <= 0:
        raise SpecError(f"{prefix}threshold", f"must be a positive number of seconds (got {threshold!r})")
    if not any(abs(threshold - b) < 1e-9 for b in buckets):
        raise SpecError(f"{prefix}threshold", f"{threshold:g}s is not a bucket boundary of the histogram "
                                              f"({', '.join(f'{b:g}' for b in buckets)}); the share of requests "
                                              "under it cannot be computed exactly")
    c = conventions
    svc = eq(c.service_label, service)
    count = c.duration_bucket.removesuffix("_bucket") + "_count"
    # Clients spell bucket bounds differently ("1", "1.0", "0.50"): match them all.
    le = re.escape(f"{threshold:g}") + (r"(\.0+)?" if float(threshold).is_integer() else "0*")
    fast = selector(c.duration_bucket, [svc, regex("le", le)])
    total = selector(count, [svc])
    rate_total = f"sum(rate({total}[{{{{window}}}}]))"
    return EventsSLI(f"{rate_total} - sum(rate({fast}[{{{{window}}}}]))", rate_total)


def _sli(raw: Any, key: str, service: str, version: str, conventions: Conventions
         ) -> tuple[EventsSLI, str, float | None]:
    if not isinstance(raw, Mapping) or len(raw) != 1:
        choices = "events or raw" if version == "prometheus/v1" else "availability, latency, events or raw"
        raise SpecError(key, f"must have exactly one of: {choices}")
    (kind, body), = raw.items()
    body = body or {}
    if kind == "events":
        _known(body, {"error_query", "total_query"}, f"{key}.events")
        return EventsSLI(str(body.get("error_query") or ""), str(body.get("total_query") or "")), "events", None
    if kind == "raw":
        _known(body, {"error_ratio_query"}, f"{key}.raw")
        return RawSLI(str(body.get("error_ratio_query") or "")), "events", None
    if version == "dashkit/v1" and kind == "availability":
        _known(body, set(), f"{key}.availability")
        return availability_sli(service, conventions), "availability", None
    if version == "dashkit/v1" and kind == "latency":
        _known(body, {"threshold", "buckets"}, f"{key}.latency")
        buckets = body.get("buckets", DEFAULT_BUCKETS)
        threshold = body.get("threshold")
        return latency_sli(service, threshold, buckets, conventions, key=f"{key}.latency"), "latency", threshold
    raise SpecError(f"{key}.{kind}", "is not a supported SLI (use events or raw"
                                     + (", availability or latency)" if version == "dashkit/v1" else ")"))


def _alerting(raw: Any, key: str, service: str, slo: str) -> Alerting | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise SpecError(key, "must be a mapping")
    _known(raw, {"name", "labels", "annotations", "page_alert", "ticket_alert"}, key)
    name = raw.get("name") or default_alert_name(service, slo)
    if not isinstance(name, str) or not re.match(r"^[a-zA-Z_][a-zA-Z0-9_]*$", name):
        raise SpecError(f"{key}.name", f"{name!r} is not a valid alert name (letters, digits, '_')")
    page = _alert_spec(raw.get("page_alert"), f"{key}.page_alert", {"severity": "critical"})
    ticket = _alert_spec(raw.get("ticket_alert"), f"{key}.ticket_alert", {"severity": "warning"})
    return Alerting(name=name, labels=_labels(raw.get("labels", {}), f"{key}.labels"),
                    annotations=_strings(raw.get("annotations", {}), f"{key}.annotations"), page=page, ticket=ticket)


def _alert_spec(raw: Any, key: str, default_labels: Mapping[str, str]) -> AlertSpec:
    if raw is None:
        return AlertSpec(labels=dict(default_labels))
    if not isinstance(raw, Mapping):
        raise SpecError(key, "must be a mapping")
    _known(raw, {"labels", "annotations", "disable"}, key)
    labels = _labels(raw.get("labels", {}), f"{key}.labels")
    return AlertSpec(labels=labels or dict(default_labels), annotations=_strings(raw.get("annotations", {}),
                                                                                  f"{key}.annotations"),
                     disable=bool(raw.get("disable", False)))


def _name(value: Any, key: str) -> str:
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise SpecError(key, f"must be a name of letters, digits, '.', '_' or '-' (got {value!r})")
    return value


def _labels(value: Any, key: str) -> dict[str, str]:
    labels = _strings(value, key)
    for name in labels:
        if not _LABEL_RE.match(name):
            raise SpecError(f"{key}.{name}", "is not a valid Prometheus label name")
    return labels


def _strings(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise SpecError(key, "must be a mapping of strings")
    return {str(k): str(v) for k, v in value.items()}


def _known(mapping: Any, allowed: set[str], key: str) -> None:
    if not isinstance(mapping, Mapping):
        raise SpecError(key, "must be a mapping")
    for name in mapping:
        if name not in allowed:
            where = f"{key}.{name}" if key else str(name)
            raise SpecError(where, "is not a known key" + (f" (allowed: {', '.join(sorted(allowed))})"
                                                          if allowed else ""))
