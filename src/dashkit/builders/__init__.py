"""The authoring library: golden-signal dashboards, panels, layout, variables and PromQL, on Grafana's JSON model.

Builders validate their arguments when called and return plain data (dicts), so a mistake fails at the line
that wrote it and any output can be adjusted with `extra=` or plain dict edits. grafanalib panels (anything
with `to_json_data()`) can be mixed into `layout()` and `dashboard()`.
"""

from .conventions import DEFAULT, Conventions
from .dashboards import Dashboard, dashboard, dashboard_link
from .datasources import Datasource, datasource_ref
from .errors import BuilderError
from .golden import deploy_annotation, node_dashboard, overview_dashboard, service_dashboard, service_dashboard_uid
from .layout import Row, layout
from .panels import (
    Query,
    alert_list,
    bar_gauge,
    gauge,
    heatmap,
    logs,
    stat,
    table,
    text,
    thresholds,
    timeseries,
    traces,
)
from .queries import (
    Matcher,
    aggregate,
    container_cpu_saturation,
    container_memory_saturation,
    eq,
    error_ratio,
    escape_label_value,
    increase,
    label_set,
    latency_quantile,
    ne,
    rate,
    ratio,
    regex,
    request_rate,
    selector,
    variable,
)
from .variables import chained_variables, datasource_variable, label_values, query_variable

__all__ = [
    "DEFAULT", "BuilderError", "Conventions", "Dashboard", "Datasource", "Matcher", "Query", "Row", "aggregate",
    "alert_list", "bar_gauge", "chained_variables", "container_cpu_saturation", "container_memory_saturation",
    "dashboard", "dashboard_link", "datasource_ref", "datasource_variable", "deploy_annotation", "eq",
    "error_ratio", "escape_label_value", "gauge", "heatmap", "increase", "label_set", "label_values",
    "latency_quantile", "layout", "logs", "ne", "node_dashboard", "overview_dashboard", "query_variable", "rate",
    "ratio", "regex", "request_rate", "selector", "service_dashboard", "service_dashboard_uid", "stat", "table",
    "text", "thresholds", "timeseries", "traces", "variable",
]
