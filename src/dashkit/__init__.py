"""dashkit: Grafana dashboards and alerting as Python code."""

__version__ = "0.1.0"
