"""Alerts on the golden signals of every service, in a folder per service under "services" (Grafana before 12.0
wants alert titles unique within a folder): HighErrorRate (5xx > 5% for 5m, critical), SlowResponseTime
(p95 > 1s for 10m, warning), HighCPUUsage (CPU > 80% of limit for 15m, warning), HighMemoryUsage (memory > 90%
of limit for 10m, critical)."""

from dashboards._services import SERVICES

from dashkit.builders import service_alerts

rule_groups = [
    service_alerts(
        service,
        team="platform",
        folder=f"services/{service}",
        runbook_steps=[
            "Check the service's Logs row for errors that started with the alert.",
            "If a deploy coincides, roll it back first and investigate after.",
        ],
    )
    for service in SERVICES
]
