"""One golden-signals dashboard per service (traffic, errors, latency, saturation, logs, traces, alerts). The
services on the checkout path also show the checkout error rate customers see: one library panel
(shared_panels.py), placed on each of their dashboards."""

from _services import CHECKOUT_PATH, SERVICES

from dashkit.builders import Row, library_panel, service_dashboard


def _customer_impact(service: str) -> list[Row]:
    if service not in CHECKOUT_PATH:
        return []
    return [Row("Customer impact", [library_panel("checkout-error-rate", width="full")])]


dashboards = [service_dashboard(service, extra_rows=_customer_impact(service)) for service in SERVICES]
