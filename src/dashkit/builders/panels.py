"""Panel builders: every panel has a title, a description and a unit, datasources by logical name, modern
Grafana JSON (schema 39+), and an `extra=` escape hatch deep-merged last. Each returns a dict of the panel's JSON,
which grafanalib's dashboards also take as one of their own panels (grafanalib_compat.Panel)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..grafana_units import is_known_unit, suggest_unit
from .datasources import DatasourceLike, datasource_ref
from .errors import BuilderError
from .grafanalib_compat import Panel

WIDTHS = {"full": 24, "three-quarters": 18, "two-thirds": 16, "half": 12, "third": 8, "quarter": 6}
REDUCERS = ("lastNotNull", "last", "mean", "max", "min", "sum", "count", "firstNotNull")


@dataclass(frozen=True)
class Query:
    """One PromQL query of a panel. `legend` uses Grafana's {{label}} syntax."""

    expr: str
    legend: str | None = None
    instant: bool = False
    format: str = "time_series"  # or "table", "heatmap"
    exemplar: bool = False
    interval: str | None = None  # minimum step, e.g. "1m"

    def __post_init__(self) -> None:
        if not isinstance(self.expr, str) or not self.expr.strip():
            raise BuilderError("a query needs a non-empty PromQL expression")
        if self.format not in ("time_series", "table", "heatmap"):
            raise BuilderError(f"query format {self.format!r} must be time_series, table or heatmap")


QueriesLike = str | Query | Sequence[str | Query]
Steps = Sequence[tuple[float, str]]


def thresholds(steps: Steps = (), base: str = "green") -> dict[str, Any]:
    """Absolute thresholds: `thresholds([(0.01, "orange"), (0.05, "red")])` is green below 1%, red from 5%."""
    out = [{"color": base, "value": None}]
    last = None
    for step in steps:
        if not (isinstance(step, tuple) and len(step) == 2):
            raise BuilderError(f"a threshold step is (value, color), got {step!r}")
        value, color = step
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BuilderError(f"threshold value must be a number, got {value!r}")
        if last is not None and value <= last:
            raise BuilderError(f"threshold values must increase: {value} after {last}")
        last = value
        out.append({"color": color, "value": value})
    return {"mode": "absolute", "steps": out}


def size(width: int | str, height: int) -> tuple[int, int]:
    """Grid size from a width name ('half', 'third', ...) or 1-24 columns, and a height in grid rows."""
    if isinstance(width, str):
        if width not in WIDTHS:
            raise BuilderError(f"width {width!r} must be one of {', '.join(WIDTHS)} or 1-24 columns")
        width = WIDTHS[width]
    if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= 24:
        raise BuilderError(f"width must be 1-24 grid columns (Grafana's grid is 24 wide), got {width!r}")
    if isinstance(height, bool) or not isinstance(height, int) or height < 1:
        raise BuilderError(f"height must be a positive number of grid rows, got {height!r}")
    return width, height


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BuilderError(f"{what} must be a non-empty string, got {value!r}")
    return value.strip()


def _unit(unit: Any) -> str:
    if not isinstance(unit, str) or not is_known_unit(unit):
        hint = suggest_unit(unit) if isinstance(unit, str) else None
        raise BuilderError(f"unknown unit {unit!r}" + (f"; did you mean {hint!r}?" if hint else "")
                           + " (units are Grafana unit ids like 's', 'reqps', 'percentunit', 'bytes')")
    return unit


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """`extra` merged into a copy of `base` (a Panel stays one): nested dicts merge, everything else replaces."""
    if not extra:
        return base
    if not isinstance(extra, Mapping):
        raise BuilderError(f"extra must be a dict of panel JSON to merge, not {type(extra).__name__}")
    out = Panel(base) if isinstance(base, Panel) else dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def prometheus_targets(queries: QueriesLike, datasource: dict[str, str]) -> list[dict[str, Any]]:
    items = [queries] if isinstance(queries, (str, Query)) else list(queries)
    if not items:
        raise BuilderError("a panel needs at least one query")
    targets = []
    for index, item in enumerate(items):
        query = item if isinstance(item, Query) else Query(item)
        target: dict[str, Any] = {
            "refId": chr(ord("A") + index),
            "datasource": datasource,
            "editorMode": "code",
            "expr": query.expr,
            "legendFormat": query.legend or "__auto",
            "range": not query.instant,
            "instant": query.instant,
            "format": query.format,
        }
        if query.exemplar:
            target["exemplar"] = True
        if query.interval:
            target["interval"] = query.interval
        targets.append(target)
    return targets


def _panel(kind: str, title: str, description: str, width: int | str, height: int,
           datasource: dict[str, str] | None = None, targets: list | None = None) -> Panel:
    w, h = size(width, height)
    panel = Panel({
        "type": kind,
        "title": _text(title, "title"),
        "description": _text(description, f"description of panel '{title}'"),
        "gridPos": {"h": h, "w": w, "x": 0, "y": 0},
    })
    if datasource is not None:
        panel["datasource"] = datasource
    if targets is not None:
        panel["targets"] = targets
    return panel


def _field_defaults(unit: str, steps: Steps | None, color: str, **more: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {"unit": _unit(unit), "color": {"mode": color},
                                "thresholds": thresholds(steps or ())}
    defaults.update({k: v for k, v in more.items() if v is not None})
    return defaults


def timeseries(title: str, description: str, unit: str, queries: QueriesLike, *,
               datasource: DatasourceLike = "prometheus", steps: Steps | None = None, min: float | None = None,
               max: float | None = None, stack: bool = False, fill: int = 10, legend: str = "list",
               legend_calcs: Sequence[str] = (), show_thresholds: bool = False, decimals: int | None = None,
               width: int | str = "half", height: int = 8, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A time series graph of one or more PromQL queries."""
    if legend not in ("list", "table", "hidden"):
        raise BuilderError(f"legend must be 'list', 'table' or 'hidden', got {legend!r}")
    ds = datasource_ref(datasource, "prometheus")
    panel = _panel("timeseries", title, description, width, height, ds, prometheus_targets(queries, ds))
    custom = {
        "drawStyle": "line", "lineWidth": 1, "fillOpacity": fill, "showPoints": "never", "spanNulls": False,
        "stacking": {"mode": "normal" if stack else "none", "group": "A"},
        "thresholdsStyle": {"mode": "dashed" if show_thresholds and steps else "off"},
    }
    panel["fieldConfig"] = {
        "defaults": _field_defaults(unit, steps, "palette-classic", min=min, max=max, decimals=decimals,
                                    custom=custom),
        "overrides": [],
    }
    panel["options"] = {
        "legend": {"displayMode": legend, "placement": "bottom", "showLegend": legend != "hidden",
                   "calcs": list(legend_calcs)},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }
    return deep_merge(panel, extra)


def stat(title: str, description: str, unit: str, queries: QueriesLike, *,
         datasource: DatasourceLike = "prometheus", steps: Steps | None = None, reduce: str = "lastNotNull",
         graph: bool = True, decimals: int | None = None, width: int | str = "quarter", height: int = 4,
         extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A single big number (reduced from the series), coloured by thresholds."""
    panel = _single_value("stat", title, description, unit, queries, datasource, steps, reduce, decimals,
                          width, height)
    panel["options"].update({"colorMode": "value", "graphMode": "area" if graph else "none",
                             "justifyMode": "auto", "textMode": "auto", "orientation": "auto"})
    return deep_merge(panel, extra)


def gauge(title: str, description: str, unit: str, queries: QueriesLike, *,
          datasource: DatasourceLike = "prometheus", steps: Steps | None = None, min: float = 0, max: float = 1,
          reduce: str = "lastNotNull", decimals: int | None = None, width: int | str = "quarter", height: int = 6,
          extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A gauge from min to max (default 0-1, for ratios), with threshold markers."""
    panel = _single_value("gauge", title, description, unit, queries, datasource, steps, reduce, decimals,
                          width, height, min=min, max=max)
    panel["options"].update({"showThresholdLabels": False, "showThresholdMarkers": True})
    return deep_merge(panel, extra)


def bar_gauge(title: str, description: str, unit: str, queries: QueriesLike, *,
              datasource: DatasourceLike = "prometheus", steps: Steps | None = None, min: float | None = 0,
              max: float | None = None, reduce: str = "lastNotNull", orientation: str = "horizontal",
              display: str = "gradient", width: int | str = "half", height: int = 8,
              extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One bar per series (e.g. per route), coloured by thresholds."""
    if orientation not in ("horizontal", "vertical", "auto"):
        raise BuilderError(f"orientation must be horizontal, vertical or auto, got {orientation!r}")
    if display not in ("gradient", "lcd", "basic"):
        raise BuilderError(f"display must be gradient, lcd or basic, got {display!r}")
    panel = _single_value("bargauge", title, description, unit, queries, datasource, steps, reduce, None,
                          width, height, min=min, max=max)
    panel["options"].update({"orientation": orientation, "displayMode": display, "showUnfilled": True})
    return deep_merge(panel, extra)


def _single_value(kind: str, title: str, description: str, unit: str, queries: QueriesLike,
                  datasource: DatasourceLike, steps: Steps | None, reduce: str, decimals: int | None,
                  width: int | str, height: int, **limits: float | None) -> dict[str, Any]:
    if reduce not in REDUCERS:
        raise BuilderError(f"reduce must be one of {', '.join(REDUCERS)}, got {reduce!r}")
    ds = datasource_ref(datasource, "prometheus")
    panel = _panel(kind, title, description, width, height, ds, prometheus_targets(queries, ds))
    panel["fieldConfig"] = {"defaults": _field_defaults(unit, steps, "thresholds", decimals=decimals, **limits),
                            "overrides": []}
    panel["options"] = {"reduceOptions": {"calcs": [reduce], "fields": "", "values": False}}
    return panel


def table(title: str, description: str, unit: str, queries: QueriesLike, *,
          datasource: DatasourceLike = "prometheus", steps: Steps | None = None,
          hide_columns: Sequence[str] = ("Time",), sort_by: str | None = None, width: int | str = "full",
          height: int = 8, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Instant queries as a table, one row per series; several queries are merged on their labels."""
    items = [queries] if isinstance(queries, (str, Query)) else list(queries)
    instant = [q if isinstance(q, Query) else Query(q, instant=True, format="table") for q in items]
    ds = datasource_ref(datasource, "prometheus")
    panel = _panel("table", title, description, width, height, ds, prometheus_targets(instant, ds))
    panel["fieldConfig"] = {"defaults": _field_defaults(unit, steps, "thresholds",
                                                        custom={"align": "auto", "cellOptions": {"type": "auto"}}),
                            "overrides": []}
    panel["options"] = {"showHeader": True, "cellHeight": "sm",
                        "sortBy": [{"displayName": sort_by, "desc": True}] if sort_by else []}
    transformations: list[dict[str, Any]] = []
    if len(instant) > 1:
        transformations.append({"id": "merge", "options": {}})
    if hide_columns:
        transformations.append({"id": "organize", "options": {"excludeByName": dict.fromkeys(hide_columns, True)}})
    panel["transformations"] = transformations
    return deep_merge(panel, extra)


def heatmap(title: str, description: str, query: str | Query, *, unit: str = "s",
            datasource: DatasourceLike = "prometheus", width: int | str = "half", height: int = 8,
            extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A latency histogram over time from `sum by (le) (rate(..._bucket[...]))` buckets."""
    base = query if isinstance(query, Query) else Query(query)
    bucket_query = Query(base.expr, legend=base.legend or "{{le}}", format="heatmap", interval=base.interval)
    ds = datasource_ref(datasource, "prometheus")
    panel = _panel("heatmap", title, description, width, height, ds, prometheus_targets(bucket_query, ds))
    panel["fieldConfig"] = {"defaults": {"custom": {"scaleDistribution": {"type": "linear"}}}, "overrides": []}
    panel["options"] = {
        "calculate": False,
        "cellGap": 1,
        "color": {"mode": "scheme", "scheme": "Oranges", "fill": "dark-orange", "scale": "exponential",
                  "exponent": 0.5, "steps": 64, "reverse": False},
        "yAxis": {"axisPlacement": "left", "unit": _unit(unit)},
        "rowsFrame": {"layout": "auto"},
        "tooltip": {"mode": "single", "yHistogram": True},
        "legend": {"show": True},
        "exemplars": {"color": "rgba(255,0,255,0.7)"},
    }
    return deep_merge(panel, extra)


def text(title: str, content: str, *, description: str | None = None, mode: str = "markdown",
         width: int | str = "full", height: int = 3, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Markdown (or HTML) text: context, links to runbooks, ownership."""
    if mode not in ("markdown", "html"):
        raise BuilderError(f"text mode must be markdown or html, got {mode!r}")
    panel = _panel("text", title, description or title, width, height)
    panel["options"] = {"mode": mode, "content": _text(content, f"content of text panel '{title}'")}
    return deep_merge(panel, extra)


def logs(title: str, description: str, query: str, *, datasource: DatasourceLike = "loki",
         flavor: str = "loki", width: int | str = "full", height: int = 10,
         extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Log lines from Loki (a LogQL query) or Elasticsearch (a Lucene query), newest first."""
    if flavor not in ("loki", "elasticsearch"):
        raise BuilderError(f"logs flavor must be 'loki' or 'elasticsearch', got {flavor!r}")
    ds = datasource_ref(datasource, flavor)
    if flavor == "loki":
        target = {"refId": "A", "datasource": ds, "editorMode": "code", "expr": _text(query, "log query"),
                  "queryType": "range"}
    else:
        target = {"refId": "A", "datasource": ds, "query": _text(query, "log query"),
                  "metrics": [{"id": "1", "type": "logs"}], "bucketAggs": [], "timeField": "@timestamp"}
    panel = _panel("logs", title, description, width, height, ds, [target])
    panel["options"] = {"showTime": True, "showLabels": False, "showCommonLabels": False, "wrapLogMessage": True,
                        "prettifyLogMessage": False, "enableLogDetails": True, "dedupStrategy": "none",
                        "sortOrder": "Descending"}
    return deep_merge(panel, extra)


def traces(title: str, description: str, query: str, *, datasource: DatasourceLike = "tempo",
           flavor: str = "tempo", limit: int = 20, width: int | str = "full", height: int = 8,
           extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Recent traces as a table linking to the trace view: a TraceQL query (Tempo) or a service name (Jaeger)."""
    if flavor not in ("tempo", "jaeger"):
        raise BuilderError(f"traces flavor must be 'tempo' or 'jaeger', got {flavor!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise BuilderError(f"limit must be a positive number of traces, got {limit!r}")
    ds = datasource_ref(datasource, flavor)
    if flavor == "tempo":
        target = {"refId": "A", "datasource": ds, "queryType": "traceql", "query": _text(query, "TraceQL query"),
                  "limit": limit, "tableType": "traces"}
    else:
        target = {"refId": "A", "datasource": ds, "queryType": "search", "service": _text(query, "service"),
                  "limit": limit}
    panel = _panel("table", title, description, width, height, ds, [target])
    panel["options"] = {"showHeader": True, "cellHeight": "sm"}
    return deep_merge(panel, extra)


def alert_list(title: str, description: str, *, labels: Mapping[str, str] | None = None,
               states: Sequence[str] = ("firing", "pending"), max_items: int = 20, width: int | str = "full",
               height: int = 6, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Grafana-managed alerts whose labels match `labels` (e.g. {"service": "checkout"})."""
    allowed = ("firing", "pending", "noData", "normal", "error", "recovering")
    for state in states:
        if state not in allowed:
            raise BuilderError(f"alert state {state!r} must be one of {', '.join(allowed)}")
    matchers = ", ".join(f'{k}="{v}"' for k, v in (labels or {}).items())
    panel = _panel("alertlist", title, description, width, height)
    panel["options"] = {
        "viewMode": "list",
        "groupMode": "default",
        "groupBy": [],
        "maxItems": max_items,
        "sortOrder": 1,
        "dashboardAlerts": False,
        "alertName": "",
        "alertInstanceLabelFilter": f"{{{matchers}}}" if matchers else "",
        "showInstances": True,
        "stateFilter": {s: s in states for s in allowed},
    }
    return deep_merge(panel, extra)
