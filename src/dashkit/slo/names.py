"""Every name the SLO generation produces (recording rules, labels, groups, alerts) in one place.

Recording rule and label names are Sloth's, so Sloth's Grafana dashboards and anyone's queries keep working."""

from __future__ import annotations

import re

SLI_ERROR = "slo:sli_error:ratio_rate{window}"
OBJECTIVE = "slo:objective:ratio"
ERROR_BUDGET = "slo:error_budget:ratio"
TIME_PERIOD_DAYS = "slo:time_period:days"
CURRENT_BURN_RATE = "slo:current_burn_rate:ratio"
PERIOD_BURN_RATE = "slo:period_burn_rate:ratio"
PERIOD_BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"
INFO = "sloth_slo_info"

ID_LABEL = "sloth_id"
SERVICE_LABEL = "sloth_service"
SLO_LABEL = "sloth_slo"
WINDOW_LABEL = "sloth_window"
SEVERITY_LABEL = "sloth_severity"


def sli_error(window: str) -> str:
    return SLI_ERROR.format(window=window)


def slo_id(service: str, slo: str) -> str:
    return f"{service}-{slo}"


def recordings_group(service: str, slo: str) -> str:
    return f"sloth-slo-sli-recordings-{slo_id(service, slo)}"


def meta_group(service: str, slo: str) -> str:
    return f"sloth-slo-meta-recordings-{slo_id(service, slo)}"


def alerts_group(service: str, slo: str) -> str:
    return f"sloth-slo-alerts-{slo_id(service, slo)}"


def grafana_group(service: str) -> str:
    return f"slo-{service}"


def default_alert_name(service: str, slo: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", f"{service} {slo}")
    return "".join(w[:1].upper() + w[1:] for w in words if w) + "ErrorBudgetBurn"


def dashboard_title(service: str) -> str:
    return f"{service} SLOs"
