"""DK11x: what each panel needs to be read and trusted: a title, a description, a unit, queries, datasources."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...datasource_refs import logical_name
from ...grafana_units import is_known_unit, suggest_unit
from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import PSEUDO_DATASOURCES, PanelRef, as_dict, as_list, doc_panels, is_prometheus, panel_type, targets
from ._dimension import Dimension, measured
from ._examples import dashboard, panel

DATA_PANELS = {"timeseries", "graph", "stat", "gauge", "bargauge", "singlestat", "table", "heatmap", "barchart",
               "piechart", "state-timeline", "status-history", "histogram", "xychart", "trend", "table-old"}
UNIT_PANELS = {"timeseries", "graph", "stat", "gauge", "bargauge", "singlestat", "barchart", "trend"}
NO_QUERY_PANELS = {"row", "text", "news", "dashlist", "alertlist", "annolist", "welcome", "gettingstarted",
                   "nodeGraph", "live", "canvas"}


@register
class PanelTitle(Rule):
    code = "DK110"
    name = "panel-title"
    severity = Severity.WARNING
    summary = "A panel has no title."
    why = ("A graph nobody can name is a graph nobody can discuss: titles are what people search, link and page on. "
           "The log-volume strip Grafana's Explore shows above the logs, which dashboards copy (an untitled graph "
           "right on top of a logs panel), belongs to the logs panel and needs none.")
    aliases = ("panel-title-description-rule",)
    good = (Example(dashboard(panel())),
            Example(dashboard(
                panel(title="", expr='sum(count_over_time({app="api"}[$__interval]))',
                      gridPos={"h": 4, "w": 24, "x": 0, "y": 0}),
                {"id": 2, "type": "logs", "title": "", "datasource": {"type": "loki", "uid": "${loki}"},
                 "gridPos": {"h": 20, "w": 24, "x": 0, "y": 4}, "targets": [{"refId": "A", "expr": '{app="api"}'}]}),
                note="the log-volume strip of the logs panel below it"))
    bad = (Example(dashboard(panel(title=""))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in doc_panels(doc):
            if panel_type(ref.panel) in DATA_PANELS and not str(ref.panel.get("title") or "").strip() \
                    and not _volume_strip(ref, doc_panels(doc)):
                yield self.finding(doc, f"{ref.path}.title", f"a {ref.panel.get('type')} panel has no title")


def _box(panel: dict) -> tuple[int, int, int, int] | None:
    grid = panel.get("gridPos")
    try:
        return tuple(int(grid.get(k, 0)) for k in ("x", "y", "w", "h")) if isinstance(grid, dict) else None
    except (TypeError, ValueError, OverflowError):
        return None


def _volume_strip(ref: PanelRef, refs: list[PanelRef]) -> bool:
    """An untitled graph sitting right on top of a logs panel in the same row, across its columns: its log-volume
    strip (Explore's layout), which the logs panel's title names."""
    if panel_type(ref.panel) not in ("timeseries", "graph", "barchart"):
        return False
    mine = _box(ref.panel)
    if mine is None:
        return False
    x, y, w, h = mine
    for other in refs:
        if panel_type(other.panel) != "logs" or other.row is not ref.row:
            continue
        box = _box(other.panel)
        if box is not None and box[1] == y + h and box[0] < x + w and x < box[0] + box[2]:
            return True
    return False


@register
class PanelDescription(Rule):
    code = "DK111"
    name = "panel-description"
    severity = Severity.INFO
    summary = "A data panel has no description."
    why = ("The description is the (i) tooltip: what the number means and what good looks like, for the person "
           "on call who did not build the dashboard.")
    aliases = ("panel-title-description-rule",)
    good = (Example(dashboard(panel())),)
    bad = (Example(dashboard(panel(description=""))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in doc_panels(doc):
            if panel_type(ref.panel) in DATA_PANELS and not str(ref.panel.get("description") or "").strip():
                yield self.finding(doc, f"{ref.path}.description",
                                   f"panel '{ref.panel.get('title', '')}' has no description")


def _unit(panel: dict) -> tuple[str | None, str]:
    defaults = as_dict(as_dict(panel.get("fieldConfig")).get("defaults"))
    if defaults.get("unit") and isinstance(defaults["unit"], str):
        return defaults["unit"], "fieldConfig.defaults.unit"
    for index, axis in enumerate(as_list(panel.get("yaxes"))):  # legacy graph
        if isinstance(axis, dict) and axis.get("format") and isinstance(axis["format"], str):
            return axis["format"], f"yaxes[{index}].format"
    if panel.get("type") == "singlestat" and panel.get("format") and isinstance(panel["format"], str):
        return panel["format"], "format"
    return None, "fieldConfig.defaults.unit"


def _unit_in_overrides(panel: dict) -> bool:
    """An override sets a unit (per series or per field): the author chose units where they matter."""
    return any(isinstance(prop, dict) and prop.get("id") == "unit" and prop.get("value")
               for override in as_list(as_dict(panel.get("fieldConfig")).get("overrides")) if isinstance(override, dict)
               for prop in as_list(override.get("properties")))


def _what_it_measures(ref: PanelRef, dashboard: dict) -> Dimension | None:
    """The first visible Prometheus query of the panel that returns a quantity with a unit (bytes, seconds...)."""
    for _, target in targets(ref):
        expr = target.get("expr")
        if isinstance(expr, str) and expr.strip() and target.get("hide") is not True and is_prometheus(
                ref.panel, target, dashboard):
            dimension = measured(expr)
            if dimension is not None and dimension.needs_unit():
                return dimension
    return None


@register
class PanelUnit(Rule):
    code = "DK112"
    name = "panel-unit"
    severity = Severity.WARNING
    summary = ("A graph or single-value panel has no unit, while its query returns a quantity that has one (seconds, "
               "bytes, bytes/s... by the metrics' unit suffixes).")
    why = ("0.2 of what? Without a unit, seconds read as milliseconds and 1500000 bytes as a count. Counts (pods, "
           "threads, OSDs), rates of counts and ratios of like quantities need none and are not reported.")
    aliases = ("panel-units-rule",)
    good = (Example(dashboard(panel())),
            Example(dashboard(panel(title="Nodes", expr="count(kube_node_info)", type="stat",
                                    fieldConfig={"defaults": {}, "overrides": []}))),
            Example(dashboard(panel(title="CPU", expr="sum(rate(container_cpu_usage_seconds_total[$__rate_interval]))",
                                    fieldConfig={"defaults": {}, "overrides": []})),
                    note="CPU seconds per second are cores: a count"))
    bad = (Example(dashboard(panel(expr="sum(rate(container_network_receive_bytes_total[$__rate_interval]))",
                                   fieldConfig={"defaults": {}, "overrides": []}))),
           Example(dashboard(panel(expr="histogram_quantile(0.99, sum by (le) "
                                        "(rate(http_request_duration_seconds_bucket[$__rate_interval])))",
                                   fieldConfig={"defaults": {}, "overrides": []}))))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in doc_panels(doc):
            if panel_type(ref.panel) not in UNIT_PANELS or _unit(ref.panel)[0] not in (None, ""):
                continue
            if _unit_in_overrides(ref.panel):
                continue
            dimension = _what_it_measures(ref, doc.data)
            if dimension is not None:
                source = f" ('{dimension.metric}')" if dimension.metric else ""
                yield self.finding(doc, f"{ref.path}.fieldConfig.defaults.unit",
                                   f"panel '{ref.panel.get('title', '')}' has no unit; its query returns "
                                   f"{dimension}{source}")


@register
class UnknownUnit(Rule):
    code = "DK113"
    name = "unknown-unit"
    severity = Severity.WARNING
    summary = "A panel's unit is not a unit Grafana knows."
    why = ("Grafana shows an unknown unit as literal text after the number and scales nothing: 1500000 secs, not "
           "25 min. A near miss of a real unit is a warning; other text (`cores`, `/ sec`) works as a suffix and is "
           "advice: write `suffix:cores` to say so.")
    good = (Example(dashboard(panel())),
            Example(dashboard(panel(fieldConfig={"defaults": {"unit": "suffix: cores"}, "overrides": []}))))
    bad = (Example(dashboard(panel(fieldConfig={"defaults": {"unit": "secs"}, "overrides": []}))),
           Example(dashboard(panel(fieldConfig={"defaults": {"unit": "cores"}, "overrides": []})),
                   note="reported as info: Grafana shows '4 cores'"))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in doc_panels(doc):
            unit, where = _unit(ref.panel)
            if unit and not is_known_unit(unit):
                hint = _suggestion(unit)
                if hint:
                    yield self.finding(doc, f"{ref.path}.{where}", f"unit {unit!r} is not a Grafana unit; did you "
                                                                   f"mean {hint!r}?")
                else:
                    yield self.finding(doc, f"{ref.path}.{where}",
                                       f"unit {unit!r} is not a Grafana unit: Grafana shows it as a suffix and scales "
                                       f"nothing; write 'suffix:{unit.strip()}' if a suffix is what you want",
                                       Severity.INFO)


_SIZES = {"KB": "deckbytes", "MB": "decmbytes", "GB": "decgbytes", "TB": "dectbytes", "PB": "decpbytes",
          "KiB": "kbytes", "MiB": "mbytes", "GiB": "gbytes", "TiB": "tbytes", "PiB": "pbytes"}
_BITS = re.compile(r"bit|^[kKMGTP]?i?b(ps|/s)?$")
_BYTES = re.compile(r"byte|[kKMGTP]i?B|^B(ps|/s)?$")


def _suggestion(unit: str) -> str | None:
    """The Grafana unit `unit` was meant to be, when that is clear; never one that measures something else: 'GB' is
    a size (decgbytes), not 'GBs' (gigabytes per second), and 'KBps' is not 'Kbits' (eight times less)."""
    cleaned = unit.strip()
    if cleaned in _SIZES:
        return _SIZES[cleaned] if is_known_unit(_SIZES[cleaned]) else None
    hint = suggest_unit(unit)
    if hint is None or hint == cleaned:
        return hint
    if _quantity(cleaned) != _quantity(hint) and None not in (_quantity(cleaned), _quantity(hint)):
        return None
    return hint


def _quantity(unit: str) -> str | None:
    return "bits" if _BITS.search(unit) else "bytes" if _BYTES.search(unit) else None


@register
class PanelWithoutTargets(Rule):
    code = "DK114"
    name = "panel-no-targets"
    severity = Severity.WARNING
    summary = "A data panel has no queries."
    why = "It renders 'No data' forever; usually a query was deleted by accident."
    aliases = ("panel-no-targets-rule",)
    good = (Example(dashboard(panel())),)
    bad = (Example(dashboard(panel(targets=[]))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in doc_panels(doc):
            kind = panel_type(ref.panel)
            if kind in DATA_PANELS and not ref.panel.get("targets") and not ref.panel.get("libraryPanel"):
                if (ref.panel.get("datasource") or {}) == {"type": "datasource", "uid": "-- Dashboard --"}:
                    continue
                yield self.finding(doc, f"{ref.path}.targets", f"panel '{ref.panel.get('title', '')}' has no queries")


def _hard_coded(ds: object) -> str | None:
    """The uid or name a datasource reference pins, or None for variables, logical names and pseudo sources."""
    value = ds.get("uid") if isinstance(ds, dict) else ds
    if not isinstance(value, str) or not value or value in PSEUDO_DATASOURCES or "$" in value:
        return None
    if logical_name(value) is not None or (isinstance(ds, dict) and not ds.get("uid")):
        return None
    return value


@register
class HardCodedDatasource(Rule):
    code = "DK115"
    name = "hard-coded-datasource"
    severity = Severity.WARNING
    summary = "A panel or query pins a datasource by uid or name instead of a variable or logical name."
    why = ("The uid exists in one Grafana only: the same dashboard shows errors in staging and prod. Use the "
           "datasource variable, or a logical name (`@prometheus`) that each environment maps.")
    aliases = ("panel-datasource-rule",)
    good = (Example(dashboard(panel())),
            Example(dashboard(panel(datasource={"uid": "@prometheus"},
                                    targets=[{"refId": "A", "expr": "up", "datasource": {"uid": "@prometheus"}}]))))
    bad = (Example(dashboard(panel(datasource={"type": "prometheus", "uid": "P1809F7CD0C75ACF3"},
                                   targets=[{"refId": "A", "expr": "up"}]))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in doc_panels(doc):
            pinned = _hard_coded(ref.panel.get("datasource"))
            if pinned:
                yield self.finding(doc, f"{ref.path}.datasource", f"panel '{ref.panel.get('title', '')}' pins "
                                                                  f"datasource {pinned!r}")
            for index, target in targets(ref):
                pinned_target = _hard_coded(target.get("datasource"))
                if pinned_target and pinned_target != pinned:
                    yield self.finding(doc, f"{ref.path}.targets[{index}].datasource",
                                       f"query {target.get('refId', index)} pins datasource {pinned_target!r}")
        for index, var in enumerate(as_list(as_dict(doc.data.get("templating")).get("list"))):
            if isinstance(var, dict) and var.get("type") == "query" and _hard_coded(var.get("datasource")):
                yield self.finding(doc, f"templating.list[{index}].datasource",
                                   f"variable '{var.get('name')}' pins datasource {_hard_coded(var['datasource'])!r}")


