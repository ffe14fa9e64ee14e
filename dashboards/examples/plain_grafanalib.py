"""An example of a dashboard written with grafanalib classes directly; dashkit takes it as it is."""

from grafanalib.core import Dashboard, GridPos, Target, Time, TimeSeries

SERVICE = 'service="checkout"'


def _panel(title: str, expr: str, unit: str, x: int, y: int, description: str) -> TimeSeries:
    return TimeSeries(
        title=title,
        description=description,
        dataSource="@prometheus",
        targets=[Target(expr=expr, legendFormat="{{route}}", refId="A")],
        unit=unit,
        gridPos=GridPos(h=8, w=12, x=x, y=y),
    )


dashboard = Dashboard(
    title="Checkout (plain grafanalib)",
    editable=False,
    tags=["payments", "golden-signals"],
    time=Time("now-6h", "now"),
    refresh="1m",
    timezone="browser",
    panels=[
        _panel("Request rate", f"sum by (route) (rate(http_requests_total{{{SERVICE}}}[$__rate_interval]))",
               "reqps", 0, 0, "Requests per second, by route."),
        _panel("Error rate",
               f'sum(rate(http_requests_total{{{SERVICE},status_code=~"5.."}}[$__rate_interval]))'
               f" / sum(rate(http_requests_total{{{SERVICE}}}[$__rate_interval]))",
               "percentunit", 12, 0, "Share of requests answered with a 5xx status."),
        _panel("Latency p95",
               "histogram_quantile(0.95, sum by (le, route) "
               f"(rate(http_request_duration_seconds_bucket{{{SERVICE}}}[$__rate_interval])))",
               "s", 0, 8, "95th percentile response time, by route."),
        _panel("CPU saturation",
               'sum(rate(container_cpu_usage_seconds_total{container="checkout"}[$__rate_interval]))',
               "short", 12, 8, "CPU cores in use by the checkout containers."),
    ],
).auto_panel_ids()
