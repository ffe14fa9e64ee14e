"""One golden-signals dashboard per service (traffic, errors, latency, saturation, logs, traces, alerts)."""

from _services import SERVICES

from dashkit.builders import service_dashboard

dashboards = [service_dashboard(service) for service in SERVICES]
