"""What lint knows about a metric's type (counter, gauge, histogram...), and from where: a metrics file's `# TYPE`
lines, the metadata of the Prometheus given with `--prometheus`, or dashkit's table of well-known exporters.
A metric's name is never evidence: `*_bytes` may be a counter and `*_total` a gauge."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .well_known_metrics import TABLE

COUNTER = "counter"
GAUGE = "gauge"
TYPES = frozenset({"counter", "gauge", "histogram", "summary", "info", "stateset", "gaugehistogram", "unknown",
                   "untyped"})
_GAUGE_LIKE = frozenset({"gauge", "info", "stateset", "gaugehistogram", "summary"})  # summary: its quantiles
_TYPE_LINE = re.compile(r"^#\s+TYPE\s+([A-Za-z_:][\w:]*)\s+(\w+)\s*$")
_TIMESTAMP_SUFFIXES = ("_timestamp", "_timestamp_seconds", "_timestamp_in_seconds", "_time", "_time_seconds",
                       "_last_seen", "_created")


@dataclass(frozen=True)
class Evidence:
    """How a series behaves (`counter` or `gauge`) and where that was learnt, for the finding's message."""

    behaves_as: str
    declared: str  # the type as declared: counter, gauge, histogram, summary...
    source: str

    def __str__(self) -> str:
        return self.source


class MetricTypes:
    """Declared metric types by source, most specific first; `evidence()` answers for series names."""

    def __init__(self, declared: Mapping[str, tuple[str, str]] | None = None,
                 patterns: Iterable[tuple[str, str, str]] = ()) -> None:
        self.layers: list[tuple[str, Mapping[str, str]]] = []  # what the user gave, consulted first
        self.declared = dict(declared or {})  # name -> (type, source)
        self.patterns = [(re.compile(fnmatch.translate(glob)), kind, source) for glob, kind, source in patterns]
        self._cache: dict[str, Evidence | None] = {}

    def with_types(self, source: str, types: Mapping[str, str]) -> MetricTypes:
        """A copy that consults `types` (metric family -> type) before everything it knew."""
        out = MetricTypes(self.declared)
        out.layers = [(source, dict(types)), *self.layers]
        out.patterns = self.patterns
        return out

    def evidence(self, series: str | None) -> Evidence | None:
        """How the series named `series` behaves, or None when nothing says (recording rules never say)."""
        if not series or ":" in series:
            return None
        if series not in self._cache:
            self._cache[series] = self._evidence(series)
        return self._cache[series]

    def is_counter(self, series: str | None) -> Evidence | None:
        found = self.evidence(series)
        return found if found is not None and found.behaves_as == COUNTER else None

    def is_gauge(self, series: str | None) -> Evidence | None:
        found = self.evidence(series)
        return found if found is not None and found.behaves_as == GAUGE else None

    def _declared(self, name: str) -> tuple[str, str] | None:
        for source, types in self.layers:
            if name in types:
                return types[name], source
        return self.declared.get(name)

    def _evidence(self, series: str) -> Evidence | None:
        declared = self._declared(series)
        if declared is not None:
            return _behaviour(series, *declared, family=False)
        for suffix in ("_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"):
            if series.endswith(suffix):
                family = self._declared(series[: -len(suffix)])
                if family is not None:
                    found = _behaviour(suffix, *family, family=True)
                    if found is not None:
                        return found
        for pattern, kind, source in self.patterns:
            if pattern.match(series):
                return _behaviour(series, kind, source, family=False)
        return None


def _behaviour(name_or_suffix: str, declared: str, source: str, family: bool) -> Evidence | None:
    """The behaviour of a series: the family's own samples (family=False), or its `_total`, `_bucket`... samples."""
    if not family:
        if declared == COUNTER or declared == "histogram":  # a native histogram's rate() is right
            return Evidence(COUNTER, declared, source)
        if declared in _GAUGE_LIKE:
            return Evidence(GAUGE, declared, source)
        return None  # unknown/untyped: no evidence either way
    suffix = name_or_suffix
    if suffix == "_total" and declared == COUNTER:
        return Evidence(COUNTER, declared, source)
    if suffix in ("_bucket", "_count", "_sum") and declared in ("histogram", "summary"):
        return Evidence(COUNTER, declared, source)
    if (suffix in ("_bucket", "_gcount", "_gsum") and declared == "gaugehistogram") or suffix == "_created" or (
            suffix == "_info" and declared == "info"):
        return Evidence(GAUGE, declared, source)
    return None


def is_timestamp(metric: str) -> bool:
    """A gauge holding a point in time (`process_start_time_seconds`, `..._last_seen`): it only moves forward, so
    rate() over it is a deliberate "how fast does it advance"."""
    return metric.endswith(_TIMESTAMP_SUFFIXES)


def parse_type_lines(text: str) -> dict[str, str]:
    """{family: type} from the `# TYPE name type` lines of Prometheus text or OpenMetrics exposition."""
    types: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") and "TYPE" in line:
            match = _TYPE_LINE.match(line.strip())
            if match and match.group(2).lower() in TYPES:
                types[match.group(1)] = match.group(2).lower()
    return types


def read_metrics_file(path: Path) -> dict[str, str]:
    """The `# TYPE` lines of an exposition file; ConfigError when it cannot be read or declares no type."""
    from ..errors import ConfigError

    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the metrics file: {exc.strerror or exc}") from None
    types = parse_type_lines(text)
    if not types:
        raise ConfigError(f"{path}: no '# TYPE name type' lines: not a Prometheus or OpenMetrics exposition file",
                          hint="save one with: curl -s http://target:port/metrics > metrics.prom")
    return types


@functools.lru_cache(maxsize=1)
def well_known() -> MetricTypes:
    """dashkit's table of well-known exporters' metric types (lint/well_known_metrics.py)."""
    declared: dict[str, tuple[str, str]] = {}
    patterns: list[tuple[str, str, str]] = []
    section = "well-known exporters"
    for raw in TABLE.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if line.startswith("#"):
            continue
        name, kind = line.split()
        source = f"{section}, in dashkit's table of well-known exporters"
        if "*" in name:
            patterns.append((name, kind, source))
        else:
            declared[name] = (kind, source)
    return MetricTypes(declared, patterns)
