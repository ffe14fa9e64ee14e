"""Prometheus rule groups for an SLO: SLI error ratios per window, the meta recordings, and the multi-window
multi-burn-rate page and ticket alerts. Expressions and names follow Sloth, so its dashboards work unchanged."""

from __future__ import annotations

from typing import Any

from .. import __version__
from . import names
from .model import SLO
from .windows import sli_windows, windows_for

DEFAULT_SUMMARY = "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected."
DEFAULT_TITLE = ("({severity}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}} SLO error budget burn rate "
                 "is too fast.")


def number(value: float) -> str:
    """Shortest exact spelling, as Go prints floats ('6', '14.4', '0.0009999999999999432')."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def identity(slo: SLO) -> dict[str, str]:
    return {names.ID_LABEL: slo.id, names.SERVICE_LABEL: slo.service, names.SLO_LABEL: slo.name}


def selector(slo: SLO) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in identity(slo).items()) + "}"


def rule_groups(slo: SLO) -> list[dict[str, Any]]:
    groups = [_recordings(slo), _meta(slo)]
    alerts = _alerts(slo)
    if alerts:
        groups.append({"name": names.alerts_group(slo.service, slo.name), "rules": alerts})
    return groups


def _labels(slo: SLO, **extra: str) -> dict[str, str]:
    return dict(sorted({**slo.labels, **identity(slo), **extra}.items()))


def _recordings(slo: SLO) -> dict[str, Any]:
    windows = sli_windows(slo.period)
    rules = [{"record": names.sli_error(w), "expr": slo.sli.ratio(w) + "\n",
              "labels": _labels(slo, **{names.WINDOW_LABEL: w})} for w in windows]
    shortest = f"{names.sli_error(windows[0])}{selector(slo)}"
    period = (f"sum_over_time({shortest}[{slo.period}])\n/ ignoring ({names.WINDOW_LABEL})\n"
              f"count_over_time({shortest}[{slo.period}])\n")
    rules.append({"record": names.sli_error(slo.period), "expr": period,
                  "labels": _labels(slo, **{names.WINDOW_LABEL: slo.period})})
    return {"name": names.recordings_group(slo.service, slo.name), "rules": rules}


def _meta(slo: SLO) -> dict[str, Any]:
    sel = selector(slo)
    on = f"/ on({names.ID_LABEL}, {names.SLO_LABEL}, {names.SERVICE_LABEL}) group_left"
    days = int(slo.period.removesuffix("d"))
    rules = [
        {"record": names.OBJECTIVE, "expr": f"vector({number(slo.objective_ratio)})"},
        {"record": names.ERROR_BUDGET, "expr": f"vector(1-{number(slo.objective_ratio)})"},
        {"record": names.TIME_PERIOD_DAYS, "expr": f"vector({days})"},
        {"record": names.CURRENT_BURN_RATE,
         "expr": f"{names.sli_error(sli_windows(slo.period)[0])}{sel}\n{on}\n{names.ERROR_BUDGET}{sel}\n"},
        {"record": names.PERIOD_BURN_RATE,
         "expr": f"{names.sli_error(slo.period)}{sel}\n{on}\n{names.ERROR_BUDGET}{sel}\n"},
        {"record": names.PERIOD_BUDGET_REMAINING, "expr": f"1 - {names.PERIOD_BURN_RATE}{sel}"},
    ]
    for rule in rules:
        rule["labels"] = _labels(slo)
    rules.append({"record": names.INFO, "expr": "vector(1)", "labels": _labels(
        slo, sloth_objective=number(slo.objective), sloth_mode="dashkit", sloth_spec="dashkit/v1",
        sloth_version=__version__)})
    return {"name": names.meta_group(slo.service, slo.name), "rules": rules}


def alert_expression(slo: SLO, severity: str) -> str:
    """The Prometheus alert over the recording rules (Sloth's form)."""
    parts = []
    for window in (w for w in windows_for(slo.period) if w.severity == severity):
        limit = f"({number(window.factor)} * {number(slo.error_budget)})"
        checks = [f"    max({names.sli_error(w)}{selector(slo)} > {limit}) without ({names.WINDOW_LABEL})"
                  for w in (window.short, window.long)]
        parts.append("(\n" + "\n    and\n".join(checks) + "\n)")
    return "\nor\n".join(parts) + "\n"


def direct_expression(slo: SLO, severity: str) -> str:
    """The same condition computed from the raw SLI queries (for rulers without the recording rules)."""
    parts = []
    for window in (w for w in windows_for(slo.period) if w.severity == severity):
        limit = f"({number(window.factor)} * {number(slo.error_budget)})"
        checks = [f"    ({slo.sli.ratio(w)}) > {limit}" for w in (window.short, window.long)]
        parts.append("(\n" + "\n    and\n".join(checks) + "\n)")
    return "\nor\n".join(parts) + "\n"


def _alerts(slo: SLO) -> list[dict[str, Any]]:
    alerting = slo.alerting
    if alerting is None:
        return []
    out = []
    for severity, spec in (("page", alerting.page), ("ticket", alerting.ticket)):
        if spec.disable:
            continue
        annotations = {"summary": DEFAULT_SUMMARY, "title": DEFAULT_TITLE.format(severity=severity),
                       **alerting.annotations, **spec.annotations}
        out.append({
            "alert": alerting.name,
            "expr": alert_expression(slo, severity),
            "labels": dict(sorted({**alerting.labels, **spec.labels, names.SEVERITY_LABEL: severity}.items())),
            "annotations": dict(sorted(annotations.items())),
        })
    return out
