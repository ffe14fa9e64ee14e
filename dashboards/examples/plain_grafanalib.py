"""An example of a dashboard written with grafanalib classes directly; dashkit takes it as it is. Two of its panels
come from dashkit's builders: grafanalib places them and numbers them (auto_panel_ids) like its own."""

from grafanalib.core import Dashboard, GridPos, Target, Time, TimeSeries

from dashkit.builders import heatmap, stat

SERVICE = 'service="checkout"'


def _panel(title: str, expr: str, unit: str, x: int, y: int, description: str, legend: str = "{{route}}") -> TimeSeries:
    return TimeSeries(
        title=title,
        description=description,
        dataSource="@prometheus",
        targets=[Target(expr=expr, legendFormat=legend, refId="A")],
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
               "percentunit", 12, 0, "Share of requests answered with a 5xx status.", legend="5xx share"),
        _panel("Latency p95",
               "histogram_quantile(0.95, sum by (le, route) "
               f"(rate(http_request_duration_seconds_bucket{{{SERVICE}}}[$__rate_interval])))",
               "s", 0, 8, "95th percentile response time, by route."),
        _panel("CPU saturation",
               'sum(rate(container_cpu_usage_seconds_total{container="checkout"}[$__rate_interval]))',
               "short", 12, 8, "CPU cores in use by the checkout containers.", legend="cores"),
        # builder panels bring their size; extra= pins them on the grid, as GridPos does for grafanalib's
        stat("Requests now", "Requests per second, all routes.", "reqps",
             f"sum(rate(http_requests_total{{{SERVICE}}}[$__rate_interval]))", width="half", height=8,
             extra={"gridPos": {"x": 0, "y": 16}}),
        heatmap("Latency distribution", "Response times of all routes over time.",
                f"sum by (le) (rate(http_request_duration_seconds_bucket{{{SERVICE}}}[$__rate_interval]))",
                extra={"gridPos": {"x": 12, "y": 16}}),
    ],
).auto_panel_ids()
