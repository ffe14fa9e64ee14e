"""Library panels the service dashboards share: defined once here, placed by name with `library_panel(...)`
(see golden_signals.py). A change here is one write, and every dashboard that places the panel shows it."""

from dashkit.builders import Query, eq, error_ratio, shared_panel, timeseries

CHECKOUT_ERROR_STEPS = [(0.01, "orange"), (0.05, "red")]

library_panels = [
    shared_panel(
        "checkout-error-rate",
        timeseries("Checkout error rate", "Share of checkout requests answered with a 5xx status, per cluster: "
                   "what customers see when checkout, or a service it calls, fails. Orange from 1%, red from 5%.",
                   "percentunit", Query(error_ratio([eq("service", "checkout")], by=["cluster"]),
                                        legend="{{cluster}}"),
                   steps=CHECKOUT_ERROR_STEPS, show_thresholds=True, min=0, width="full"),
    ),
]
