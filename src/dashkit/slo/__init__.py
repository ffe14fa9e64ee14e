"""SLOs as code: a versioned spec, multi-window multi-burn-rate alerts (Google SRE workbook) with Sloth-compatible
recording rules, Grafana-managed alerts and an error-budget dashboard, all from one definition."""
