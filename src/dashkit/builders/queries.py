"""PromQL composed correctly: escaped label matchers, rates over $__rate_interval, ratios and quantiles."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .conventions import DEFAULT, Conventions
from .errors import BuilderError

RATE_INTERVAL = "$__rate_interval"
_METRIC_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_WINDOW_RE = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$|^\$__(rate_interval|interval|range)$|^\$\{?\w+\}?$")
_OPS = ("=", "!=", "=~", "!~")


def escape_label_value(value: str) -> str:
    """A string as the inside of a PromQL double-quoted label value."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _label(name: str) -> str:
    if not isinstance(name, str) or not _LABEL_RE.match(name) or name.startswith("__"):
        raise BuilderError(f"{name!r} is not a valid Prometheus label name")
    return name


def _metric(name: str) -> str:
    if not isinstance(name, str) or not _METRIC_RE.match(name):
        raise BuilderError(f"{name!r} is not a valid Prometheus metric name")
    return name


def _window(window: str) -> str:
    if not isinstance(window, str) or not _WINDOW_RE.match(window):
        raise BuilderError(f"window {window!r} must be a duration like '5m' or a Grafana interval like "
                           f"'{RATE_INTERVAL}'")
    return window


@dataclass(frozen=True)
class Matcher:
    """One label matcher; `value` is escaped when rendered, so it may hold any text (or a $variable)."""

    label: str
    op: str
    value: str

    def __post_init__(self) -> None:
        _label(self.label)
        if self.op not in _OPS:
            raise BuilderError(f"label matcher operator {self.op!r} must be one of {', '.join(_OPS)}")
        if not isinstance(self.value, str):
            raise BuilderError(f"label {self.label!r} must be matched against a string, not {self.value!r}")

    def __str__(self) -> str:
        return f'{self.label}{self.op}"{escape_label_value(self.value)}"'


def eq(label: str, value: str) -> Matcher:
    """`label="value"`."""
    return Matcher(label, "=", value)


def ne(label: str, value: str) -> Matcher:
    """`label!="value"`."""
    return Matcher(label, "!=", value)


def regex(label: str, pattern: str) -> Matcher:
    """`label=~"pattern"` (Prometheus anchors the pattern at both ends)."""
    return Matcher(label, "=~", pattern)


def variable(label: str, name: str | None = None) -> Matcher:
    """Match a label against a dashboard variable (regex, so multi-value and All work): `label=~"$name"`."""
    return Matcher(label, "=~", f"${name or label}")


def label_set(matchers: Iterable[Matcher]) -> str:
    """`{a="b", c=~"d"}`: matchers keep their order, duplicates are dropped (also a LogQL stream selector)."""
    parts: list[str] = []
    for matcher in matchers:
        text = str(matcher)
        if text not in parts:
            parts.append(text)
    return f"{{{', '.join(parts)}}}" if parts else ""


def selector(metric: str, matchers: Iterable[Matcher] = ()) -> str:
    """`metric{a="b", c=~"d"}`."""
    return _metric(metric) + label_set(matchers)


def rate(metric: str, matchers: Iterable[Matcher] = (), window: str = RATE_INTERVAL) -> str:
    """Per-second rate of a counter over `window` (default $__rate_interval, which Grafana sizes safely)."""
    return f"rate({selector(metric, matchers)}[{_window(window)}])"


def increase(metric: str, matchers: Iterable[Matcher] = (), window: str = "$__range") -> str:
    """How much a counter grew over `window` (default: the dashboard's whole time range)."""
    return f"increase({selector(metric, matchers)}[{_window(window)}])"


def aggregate(expr: str, by: Sequence[str] = (), op: str = "sum") -> str:
    """`sum by (a, b) (expr)`, or `sum(expr)` without labels."""
    if op not in ("sum", "avg", "max", "min", "count"):
        raise BuilderError(f"aggregation {op!r} must be sum, avg, max, min or count")
    labels = [_label(name) for name in by]
    return f"{op} by ({', '.join(labels)}) ({expr})" if labels else f"{op}({expr})"


def request_rate(matchers: Iterable[Matcher] = (), by: Sequence[str] = (), conventions: Conventions = DEFAULT,
                 window: str = RATE_INTERVAL) -> str:
    """Requests per second, summed by `by`."""
    return aggregate(rate(conventions.requests_total, matchers, window), by)


def error_ratio(matchers: Iterable[Matcher] = (), by: Sequence[str] = (), conventions: Conventions = DEFAULT,
                window: str = RATE_INTERVAL) -> str:
    """Share of requests answered with a server error (0.0-1.0): 5xx / all."""
    matchers = list(matchers)
    errors = [*matchers, regex(conventions.status_label, conventions.error_status_regex)]
    failed = aggregate(rate(conventions.requests_total, errors, window), by)
    total = aggregate(rate(conventions.requests_total, matchers, window), by)
    return f"{failed} / {total}"


def latency_quantile(quantile: float, matchers: Iterable[Matcher] = (), by: Sequence[str] = (),
                     conventions: Conventions = DEFAULT, window: str = RATE_INTERVAL) -> str:
    """The `quantile` (e.g. 0.95) of request duration from the histogram buckets; `le` is always kept."""
    if isinstance(quantile, bool) or not isinstance(quantile, (int, float)) or not 0 < quantile < 1:
        raise BuilderError(f"quantile must be between 0 and 1 exclusive, e.g. 0.95 (got {quantile!r})")
    labels = ["le", *(name for name in by if name != "le")]
    buckets = aggregate(rate(conventions.duration_bucket, matchers, window), labels)
    return f"histogram_quantile({quantile:g}, {buckets})"


def ratio(used: str, limit: str) -> str:
    """`(used) / (limit)`: a saturation ratio, 1.0 meaning the limit is reached."""
    return f"({used}) / ({limit})"


def container_cpu_saturation(matchers: Iterable[Matcher] = (), conventions: Conventions = DEFAULT,
                             window: str = RATE_INTERVAL) -> str:
    """CPU used by the containers as a share of their CPU limit (cAdvisor)."""
    matchers = _real_containers(matchers, conventions)
    used = aggregate(rate(conventions.container_cpu, matchers, window))
    limit = aggregate(f"{selector(conventions.container_cpu_quota, matchers)} / "
                      f"{selector(conventions.container_cpu_period, matchers)}")
    return ratio(used, limit)


def container_memory_saturation(matchers: Iterable[Matcher] = (), conventions: Conventions = DEFAULT) -> str:
    """Working-set memory of the containers as a share of their memory limit (cAdvisor)."""
    matchers = _real_containers(matchers, conventions)
    used = aggregate(selector(conventions.container_memory, matchers))
    limit = aggregate(f"{selector(conventions.container_memory_limit, matchers)} > 0")
    return ratio(used, limit)


def _real_containers(matchers: Iterable[Matcher], conventions: Conventions) -> list[Matcher]:
    """cAdvisor also reports pod-level totals with container=""; leave those out unless a container is named."""
    matchers = list(matchers)
    if any(m.label == conventions.container_label and m.op == "=" and m.value for m in matchers):
        return matchers
    return [*matchers, ne(conventions.container_label, "")]
