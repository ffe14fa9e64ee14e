"""dashkit: Grafana dashboards and alerting as Python code."""

from .datasource_refs import datasource

__version__ = "0.1.0"
__all__ = ["__version__", "datasource"]
