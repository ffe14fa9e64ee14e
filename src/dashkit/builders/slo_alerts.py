"""Grafana-managed SLO alerts: the page and ticket burn-rate alerts as rules of one group per service, reading the
recording rules ("recording") or computing the ratios from the raw SLI queries ("direct")."""

from __future__ import annotations

from collections.abc import Sequence

from ..slo import names
from ..slo.model import SLO
from ..slo.prometheus import DEFAULT_SUMMARY, DEFAULT_TITLE, alert_expression, direct_expression, identity
from .alerts import AlertRule, RuleGroup, alert_rule, rule_group


def slo_alert_rules(slo: SLO, runbook_url: str | None = None) -> list[AlertRule]:
    alerting = slo.alerting
    if alerting is None:
        return []
    rules = []
    for severity, spec in (("page", alerting.page), ("ticket", alerting.ticket)):
        if spec.disable:
            continue
        expr = alert_expression(slo, severity) if slo.grafana_mode == "recording" else direct_expression(slo, severity)
        notes = {"summary": DEFAULT_SUMMARY, "title": DEFAULT_TITLE.format(severity=severity),
                 **alerting.annotations, **spec.annotations}
        # Grafana renders {{ $labels.x }} like Prometheus; keep the labels the recording rules carry.
        labels = {**identity(slo), **alerting.labels, **spec.labels, names.SEVERITY_LABEL: severity}
        severity_label = labels.pop("severity", "critical" if severity == "page" else "warning")
        rules.append(alert_rule(
            f"{alerting.name} ({severity})", expr.strip(), threshold=0, pending="0s",
            severity=severity_label if severity_label in ("critical", "warning", "info") else "warning",
            labels={**labels, **({"severity": severity_label} if severity_label not in
                                  ("critical", "warning", "info") else {})},
            summary=notes.pop("summary"), description=notes.pop("description", None),
            runbook_url=notes.pop("runbook_url", runbook_url), no_data="OK", lookback="10m",
        ))
    return rules


def slo_rule_group(service: str, slos: Sequence[SLO]) -> RuleGroup | None:
    rules = [rule for slo in slos for rule in slo_alert_rules(slo)]
    return rule_group(names.grafana_group(service), rules, interval="1m") if rules else None
