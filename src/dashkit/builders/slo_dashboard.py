"""The SLO dashboard of a service (objective, SLI, error budget left, burn rate per window, alert state), and the
SLO row a service dashboard can include."""

from __future__ import annotations

from collections.abc import Sequence

from ..slo import names
from ..slo.model import SLO
from ..slo.prometheus import number, selector
from ..slo.windows import sli_windows, windows_for
from .dashboards import Dashboard, dashboard, dashboard_link
from .layout import Row
from .panels import Query, alert_list, stat, timeseries
from .variables import datasource_variable

DATASOURCE = "${datasource}"


def error_ratio(slo: SLO, window: str) -> str:
    """The SLI error ratio over `window`: the recording rule, or (direct mode) the raw queries."""
    if slo.grafana_mode == "recording":
        return f"max({names.sli_error(window)}{selector(slo)})"
    return f"({slo.sli.ratio(window)})"


def slo_row(slo: SLO, collapsed: bool = False) -> Row:
    """Panels for one SLO; also usable in service_dashboard(extra_rows=[slo_row(slo)])."""
    what = slo.description or f"{slo.name} of {slo.service}"
    period = slo.period
    budget = number(slo.error_budget)
    burn_windows = sorted({w.long for w in windows_for(period)} | {w.short for w in windows_for(period)},
                          key=sli_windows(period).index)
    page_factor = max(w.factor for w in windows_for(period))
    return Row(f"{slo.name}: {number(slo.objective)}% over {period}", [
        stat("Objective", f"The target: {number(slo.objective)}% good over {period}. {what}", "percentunit",
             f"vector({number(slo.objective_ratio)})", datasource=DATASOURCE, graph=False, decimals=3,
             width=4),
        stat("SLI over the period", f"Share of good events over the last {period}; below the objective means the "
             "budget is spent.", "percentunit", f"1 - {error_ratio(slo, period)}", datasource=DATASOURCE,
             decimals=3, width=5,
             extra={"fieldConfig": {"defaults": {"thresholds": {"steps": [
                 {"color": "red", "value": None}, {"color": "green", "value": slo.objective_ratio}]}}}}),
        stat("Error budget left", f"Share of the {period} error budget not yet spent; negative means the SLO is "
             "broken.", "percentunit", f"1 - ({error_ratio(slo, period)}) / {budget}", datasource=DATASOURCE,
             decimals=1, width=5,
             extra={"fieldConfig": {"defaults": {"thresholds": {"steps": [
                 {"color": "red", "value": None}, {"color": "orange", "value": 0},
                 {"color": "green", "value": 0.25}]}}}}),
        alert_list("Burn-rate alerts", f"Page and ticket alerts of this SLO ({names.SLO_LABEL}={slo.name}).",
                   labels={names.SERVICE_LABEL: slo.service, names.SLO_LABEL: slo.name}, width=10, height=4),
        timeseries("SLI", f"Share of good events over 1h windows; the dashed line is the objective ({what}).",
                   "percentunit", [Query(f"1 - {error_ratio(slo, '1h' if '1h' in burn_windows else burn_windows[0])}",
                                         legend="SLI"),
                                   Query(f"vector({number(slo.objective_ratio)})", legend="objective")],
                   datasource=DATASOURCE, width="half"),
        timeseries("Burn rate per window", f"How many times faster than sustainable the budget burns, per alert "
                   f"window; the page alert fires above {number(page_factor)}x on both of its windows.", "short",
                   [Query(f"{error_ratio(slo, w)} / {budget}", legend=w) for w in burn_windows],
                   datasource=DATASOURCE, steps=[(1, "orange"), (page_factor, "red")], show_thresholds=True,
                   min=0, width="half"),
    ], collapsed=collapsed)


def slo_dashboard(service: str, slos: Sequence[SLO], *, folder: str | None = None) -> Dashboard:
    """Every SLO of `service` with its objective, SLI, budget left, burn rates and alert state."""
    return dashboard(
        names.dashboard_title(service),
        [slo_row(slo) for slo in slos],
        uid=f"{service}-slos"[:40],
        description=f"Service level objectives of {service}: is the error budget being spent faster than planned?",
        tags=["slo", f"service:{service}"],
        variables=[datasource_variable()],
        links=[dashboard_link("Golden signals", tags=["golden-signals"])],
        time=("now-7d", "now"),
        refresh="5m",
        folder=folder,
        extra={"dashkitLint": {"DK121": "its queries select the SLOs' own recording rules, not scrape targets"}},
    )
