"""Alerts for a service from the same conventions as its golden-signals dashboard, linked to its panels."""

from __future__ import annotations

from collections.abc import Sequence

from .alerts import AlertRule, RuleGroup, alert_rule, rule_group
from .conventions import DEFAULT, Conventions
from .errors import BuilderError
from .golden import service_dashboard, service_dashboard_uid
from .queries import container_cpu_saturation, container_memory_saturation, eq, error_ratio, latency_quantile

ALERT_WINDOW = "5m"  # alert queries use a fixed window: $__rate_interval exists only on dashboards


def service_alerts(service: str, *, conventions: Conventions = DEFAULT, error_ratio_above: float = 0.05,
                   latency_p95_above: float = 1.0, cpu_above: float = 0.8, memory_above: float = 0.9,
                   team: str | None = None, notify: str | None = None, interval: str = "1m",
                   folder: str | None = None, runbook_steps: Sequence[str] = ()) -> RuleGroup:
    """HighErrorRate (critical), SlowResponseTime (warning), HighCPUUsage (warning) and HighMemoryUsage
    (critical) for `service`, each linked to the matching panel of `service_dashboard(service)`.

    Options:
      service: the service, as the `service` label of its metrics and the `container` label of its containers.
      conventions: metric and label names, the same as its dashboard's.
      error_ratio_above: HighErrorRate fires above this share of failing requests (0.05 = 5%) for 5 minutes.
      latency_p95_above: SlowResponseTime fires above this p95 latency, in seconds, for 10 minutes.
      cpu_above: HighCPUUsage fires above this share of the CPU limit for 15 minutes.
      memory_above: HighMemoryUsage fires above this share of the memory limit for 10 minutes.
      team: a `team` label on every rule, to route by.
      notify: a contact point to send to directly (simplified routing), instead of the policy tree.
      interval: how often the group is evaluated.
      folder: the Grafana folder of the rule group ("services/checkout"), instead of the module's directory.
      runbook_steps: first steps for every rule's runbook (build/runbooks/), before the generated ones.
    """
    if not isinstance(service, str) or not service.strip():
        raise BuilderError(f"service must be a non-empty name, got {service!r}")
    c = conventions
    http = [eq(c.service_label, service)]
    containers = [eq(c.container_label, service)]
    # the rows linked to come before the Logs and Traces rows: leaving those out changes no id, and needs no loki/tempo
    panels = _panel_ids(service_dashboard(service, conventions=c, logs_datasource=None, traces_datasource=None))
    dashboard = service_dashboard_uid(service)
    common = {"team": team, "service": service, "notify": notify, "runbook_steps": tuple(runbook_steps)}

    def rule(title: str, panel: str, **kw) -> AlertRule:
        return alert_rule(title, dashboard_uid=dashboard, panel_id=panels[panel], **common, **kw)

    by = [c.namespace_label]
    rules = [
        rule("HighErrorRate", "Error rate", expr=error_ratio(http, by=by, conventions=c, window=ALERT_WINDOW),
             threshold=error_ratio_above, pending="5m", severity="critical",
             summary=f"{service}: more than {error_ratio_above:.0%} of requests fail",
             description=f"{{{{ $labels.{c.namespace_label} }}}}: {service} answers more than "
                         f"{error_ratio_above:.0%} of requests with a {c.error_status_regex} status."),
        rule("SlowResponseTime", "Latency p50 / p95 / p99",
             expr=latency_quantile(0.95, http, by=by, conventions=c, window=ALERT_WINDOW),
             threshold=latency_p95_above, pending="10m", severity="warning",
             summary=f"{service}: p95 latency above {latency_p95_above:g}s",
             description=f"{{{{ $labels.{c.namespace_label} }}}}: 5% of requests to {service} take longer than "
                         f"{latency_p95_above:g}s."),
        rule("HighCPUUsage", "CPU usage / limit", expr=container_cpu_saturation(containers, c, window=ALERT_WINDOW),
             threshold=cpu_above, pending="15m", severity="warning",
             summary=f"{service}: containers use more than {cpu_above:.0%} of their CPU limit",
             description=f"{service} is close to CPU throttling; requests will slow down."),
        rule("HighMemoryUsage", "Memory working set / limit", expr=container_memory_saturation(containers, c),
             threshold=memory_above, pending="10m", severity="critical",
             summary=f"{service}: containers use more than {memory_above:.0%} of their memory limit",
             description=f"{service} will be OOM-killed when it reaches its memory limit."),
    ]
    return rule_group(f"{service}-golden-signals", rules, interval=interval, folder=folder)


def _panel_ids(dashboard: dict) -> dict[str, int]:
    ids = {}
    for panel in dashboard["panels"]:
        for item in (panel, *panel.get("panels", [])):
            ids[item["title"]] = item["id"]  # the last panel of a title: the detailed graph, not the summary stat
    return ids
