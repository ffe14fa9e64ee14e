"""The SLO core: the model, every generated name, the burn-rate windows and the Sloth-compatible Prometheus rules.
It imports no builders; the spec, `slo(...)`, the SLO dashboard and the Grafana alerts are in dashkit.builders.slo*."""
