"""`dashkit lint`: registered rules over dashboards and alert rules, with text/JSON/GitHub/SARIF reports.

Never imports the Grafana client: lint works offline (online Prometheus checks are opt-in)."""
