"""The opinionated dashboards: golden signals per service, USE per node, and an overview of services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import naming
from .conventions import DEFAULT, Conventions
from .dashboards import GOLDEN_SIGNALS_TAG, Dashboard, dashboard, dashboard_link
from .datasources import Datasource, DatasourceLike, datasource_ref, datasource_type
from .errors import BuilderError
from .layout import Row
from .panels import Query, alert_list, gauge, heatmap, logs, stat, timeseries, traces
from .queries import (
    Matcher,
    aggregate,
    container_cpu_saturation,
    container_memory_saturation,
    eq,
    error_ratio,
    label_set,
    latency_quantile,
    ne,
    rate,
    regex,
    request_rate,
    selector,
    variable,
)
from .variables import DATASOURCE_VARIABLE, chained_variables, datasource_variable, label_values, query_variable

ERROR_STEPS = ((0.01, "orange"), (0.05, "red"))  # 1% of requests failing is worth a look, 5% is an incident
# cAdvisor's `instance` is the node the container runs on, not the service instance the variable picks.
NODE_INSTANCE = {"dashkitLint": {"DK136": "cAdvisor's instance label is the node, not the service instance"}}
SATURATION_STEPS = ((0.8, "orange"), (0.9, "red"))
NODES_UID = "nodes-use"
OVERVIEW_UID = "services-overview"


def service_dashboard_uid(service: str) -> str:
    """The uid of `service_dashboard(service)`, for links from other dashboards."""
    return naming.dashboard_uid((), f"{service} golden signals")


def deploy_annotation(matchers: Sequence[Matcher] = (), *, conventions: Conventions = DEFAULT,
                      datasource: str = DATASOURCE_VARIABLE) -> dict[str, Any]:
    """Marks on every graph where a Deployment rolled out (kube-state-metrics generation changes)."""
    expr = f"changes({selector(conventions.deploy_generation, matchers)}[$__interval]) > 0"
    return {
        "name": "Deploys", "datasource": datasource_ref(datasource, "prometheus"), "enable": True, "hide": False,
        "iconColor": "#5794F2", "expr": expr, "step": "1m", "titleFormat": "Deploy {{deployment}}",
        "tagKeys": f"{conventions.deployment_label},{conventions.namespace_label}", "textFormat": "",
        "useValueForTime": False,
    }


def service_dashboard(service: str | None = None, *, title: str | None = None, uid: str | None = None,
                      conventions: Conventions = DEFAULT, logs_datasource: DatasourceLike | None = "loki",
                      traces_datasource: DatasourceLike | None = "tempo", alerts: bool = True,
                      tags: Sequence[str] = (), extra_rows: Sequence[Row] = (),
                      folder: str | None = None) -> Dashboard:
    """The four golden signals of one HTTP service: traffic, errors, latency, saturation; then its logs,
    traces and alerts. With `service=None` the dashboard gets a service picker instead.

    Options:
      service: the service, as the `service` label of its metrics (Conventions.service_label) and the `container`
        label of its containers; None adds a service variable to pick one.
      title: the dashboard title (default "checkout golden signals" for "checkout"; "Service golden signals").
      uid: the dashboard uid (default `service_dashboard_uid(service)`, which other dashboards link to).
      conventions: metric and label names, and the logical datasource names of the Prometheus panels.
      logs_datasource: the logical datasource of the collapsed Logs row: a name of a Loki datasource, or
        Datasource(name, "elasticsearch"). None leaves the row out (a project without Loki).
      traces_datasource: the logical datasource of the collapsed Traces row: a name of a Tempo datasource, or
        Datasource(name, "jaeger"). None leaves the row out (a project without Tempo).
      alerts: add the Alerts row: an alert list of the Grafana-managed alerts labelled with the service.
      tags: more dashboard tags, after "golden-signals" and "service:checkout" (for "checkout").
      extra_rows: Rows added at the end: the way to give the dashboard panels of your own
        (`extra_rows=[Row("Business", [stat(...)])]`; an SLO's `slo_row(slo)` too).
      folder: the Grafana folder ("Team/Service"), instead of the module's directory under dashboards/.
    """
    c = conventions
    if service is not None and (not isinstance(service, str) or not service.strip()):
        raise BuilderError(f"service must be a non-empty name, got {service!r}")
    name = service or "$service"
    base = [variable(c.cluster_label), variable(c.namespace_label)]
    svc = eq(c.service_label, service) if service else variable(c.service_label)
    http = [*base, svc, variable(c.instance_label)]
    containers = [*base, eq(c.container_label, service) if service else regex(c.container_label, "$service")]
    label = f"'{service}'" if service else "the selected service"

    signals = Row("Golden signals", [
        stat("Request rate", f"Requests per second served by {label}.", "reqps", request_rate(http, conventions=c)),
        stat("Error rate", f"Share of {label}'s requests answered with a {c.error_status_regex} status.",
             "percentunit", error_ratio(http, conventions=c), steps=ERROR_STEPS),
        stat("Latency p95", f"95% of {label}'s requests complete faster than this.", "s",
             latency_quantile(0.95, http, conventions=c), steps=((0.5, "orange"), (1.0, "red"))),
        gauge("CPU saturation", f"CPU used by {label}'s containers as a share of their CPU limit.", "percentunit",
              container_cpu_saturation(containers, c), steps=SATURATION_STEPS, height=4, extra=NODE_INSTANCE),
    ])
    traffic = Row("Traffic", [
        timeseries("Request rate by method", f"Requests per second to {label}, by HTTP method.", "reqps",
                   Query(request_rate(http, [c.method_label], c), legend=f"{{{{{c.method_label}}}}}")),
        timeseries("Request rate by route", f"Requests per second to {label}, by route.", "reqps",
                   Query(request_rate(http, [c.route_label], c), legend=f"{{{{{c.route_label}}}}}")),
    ])
    errors = Row("Errors", [
        timeseries("Error rate", f"Share of {label}'s requests answered with a {c.error_status_regex} status. "
                   "Orange from 1%, red from 5%.", "percentunit",
                   Query(error_ratio(http, conventions=c), legend="errors"), steps=ERROR_STEPS,
                   show_thresholds=True, min=0),
        timeseries("Errors by route", f"{c.error_status_regex} responses per second from {label}, by route.",
                   "reqps", Query(aggregate(rate(c.requests_total, [*http, regex(c.status_label,
                                                                             c.error_status_regex)]),
                                            [c.route_label, c.status_label]),
                                  legend=f"{{{{{c.route_label}}}}} {{{{{c.status_label}}}}}")),
    ])
    latency = Row("Latency", [
        timeseries("Latency p50 / p95 / p99", f"How long {label} takes to answer: half of the requests are "
                   "faster than p50, 95% faster than p95, 99% faster than p99. Dots are exemplars: click one "
                   "to open its trace.", "s",
                   [Query(latency_quantile(q, http, conventions=c), legend=f"p{round(q * 100)}", exemplar=True)
                    for q in (0.5, 0.95, 0.99)], min=0),
        heatmap("Latency distribution", f"Requests to {label} by duration bucket over time.",
                aggregate(rate(c.duration_bucket, http), ["le"])),
    ])
    saturation = Row("Saturation", [
        timeseries("CPU usage / limit", f"CPU used by {label}'s containers as a share of their limit; "
                   "throttling starts at 100%.", "percentunit",
                   Query(container_cpu_saturation(containers, c), legend="cpu"), steps=SATURATION_STEPS,
                   show_thresholds=True, min=0, extra=NODE_INSTANCE),
        timeseries("Memory working set / limit", f"Memory {label}'s containers use as a share of their "
                   "limit; the kernel OOM-kills at 100%.", "percentunit",
                   Query(container_memory_saturation(containers, c), legend="memory"), steps=SATURATION_STEPS,
                   show_thresholds=True, min=0, extra=NODE_INSTANCE),
    ])
    rows = [signals, traffic, errors, latency, saturation]
    if logs_datasource is not None:
        _optional_row_datasource(logs_datasource, "loki", "Logs", "logs_datasource")
        rows.append(Row("Logs", [_service_logs(name, base, logs_datasource, c)], collapsed=True))
    if traces_datasource is not None:
        _optional_row_datasource(traces_datasource, "tempo", "Traces", "traces_datasource")
        rows.append(Row("Traces", [_service_traces(name, traces_datasource, c)], collapsed=True))
    if alerts:
        rows.append(Row("Alerts", [alert_list("Alerts", f"Grafana-managed alerts labelled "
                                               f"{c.service_label}={name}.",
                                               labels={c.service_label: name})]))
    rows.extend(extra_rows)
    variables = [datasource_variable(default=c.prometheus),
                 *chained_variables([c.cluster_label, c.namespace_label,
                                     *([] if service else [c.service_label]), c.instance_label],
                                    conventions=c, fixed=[svc] if service else [])]
    return dashboard(
        title or (f"{service} golden signals" if service else "Service golden signals"),
        rows,
        uid=uid or (service_dashboard_uid(service) if service else None),
        description=f"Traffic, errors, latency and saturation of {label}.",
        tags=[GOLDEN_SIGNALS_TAG, *( [f"service:{service}"] if service else []), *tags],
        variables=variables,
        annotations=[deploy_annotation([*base, eq(c.deployment_label, service) if service
                                        else regex(c.deployment_label, "$service")], conventions=c)],
        links=[dashboard_link("Golden signals", tags=[GOLDEN_SIGNALS_TAG])],
        folder=folder,
    )


def _optional_row_datasource(datasource: DatasourceLike, default_type: str, row: str, option: str) -> None:
    """Fail with the way out when the datasource of an optional row is not one the project maps."""
    try:
        datasource_ref(datasource, default_type)
    except BuilderError as exc:
        name = datasource.name if isinstance(datasource, Datasource) else datasource
        raise BuilderError(f"{exc}. service_dashboard's {row} row reads it: pass {option}=None to leave that row "
                           f"out, or map '{name}' under the environment's datasources in dashkit.yaml") from None


def _service_logs(name: str, base: Sequence[Matcher], datasource: DatasourceLike, c: Conventions) -> dict:
    flavor = datasource_type(datasource, "loki")
    description = f"Log lines of {name}, newest first."
    if flavor == "elasticsearch":
        query = f'{c.elasticsearch_service_field}:"{name}"'
        return logs("Logs", description, query, datasource=datasource, flavor="elasticsearch")
    return logs("Logs", description, label_set([*base, eq(c.loki_service_label, name)]), datasource=datasource,
                flavor="loki")


def _service_traces(name: str, datasource: DatasourceLike, c: Conventions) -> dict:
    flavor = datasource_type(datasource, "tempo")
    description = f"Recent traces of {name}; open one to see where the time went."
    if flavor == "jaeger":
        return traces("Traces", description, name, datasource=datasource, flavor="jaeger")
    return traces("Traces", description, f'{{{c.tempo_service_attribute}="{name}"}}', datasource=datasource)


def node_dashboard(*, title: str = "Nodes (USE)", uid: str = NODES_UID, conventions: Conventions = DEFAULT,
                   tags: Sequence[str] = (), folder: str | None = None) -> Dashboard:
    """USE for hosts running node_exporter: utilisation, saturation and errors of CPU, memory, disk, network.

    Options:
      title: the dashboard title.
      uid: the dashboard uid (the overview dashboard links to the default).
      conventions: node_exporter metric names, the `job` of node_exporter (node_job) and label names.
      tags: more dashboard tags, after "golden-signals" and "nodes".
      folder: the Grafana folder ("Team/Service"), instead of the module's directory under dashboards/.
    """
    c = conventions
    node = [eq("job", c.node_job), variable(c.cluster_label), variable(c.instance_label)]
    by = [c.instance_label]
    legend = f"{{{{{c.instance_label}}}}}"
    idle = [*node, eq("mode", "idle")]
    cpus = aggregate(f"count without (cpu, mode) ({selector(c.node_cpu, idle)})", by)
    fs = [*node, ne("fstype", "tmpfs"), ne("fstype", "")]

    def graph(title: str, description: str, unit: str, expr: str, **kw: Any) -> dict:
        return timeseries(title, description, unit, Query(expr, legend=kw.pop("legend", legend)), **kw)

    rows = [
        Row("CPU", [
            graph("CPU utilisation", "Share of CPU time not idle, per node.", "percentunit",
                  f"1 - {aggregate(rate(c.node_cpu, idle), by, op='avg')}", steps=SATURATION_STEPS, min=0, max=1),
            graph("CPU saturation (load per core)", "1-minute load average divided by the number of cores; "
                  "above 1 means work is queueing for CPU.", "short",
                  f"{aggregate(selector(c.node_load1, node), by)} / {cpus}", steps=((1.0, "orange"), (2.0, "red"))),
        ]),
        Row("Memory", [
            graph("Memory utilisation", "Share of memory in use (not available to new work), per node.",
                  "percentunit", f"1 - {aggregate(selector(c.node_memory_available, node), by)} / "
                  f"{aggregate(selector(c.node_memory_total, node), by)}", steps=SATURATION_STEPS, min=0, max=1),
            graph("Memory saturation (major page faults)", "Major page faults per second: pages read back from "
                  "disk because memory ran short.", "ops", aggregate(rate(c.node_major_faults, node), by)),
        ]),
        Row("Disk", [
            graph("Disk utilisation", "Share of time each node's disks were busy with I/O.", "percentunit",
                  aggregate(rate(c.node_disk_io_time, node), by, op="max"), steps=SATURATION_STEPS, min=0, max=1),
            graph("Disk saturation (I/O queue)", "Average number of I/O requests waiting or in service.",
                  "short", aggregate(rate(c.node_disk_io_weighted, node), by)),
            graph("Filesystem space used", "Share of each node's fullest filesystem that is used.", "percentunit",
                  f"max by ({c.instance_label}) (1 - {selector(c.node_filesystem_avail, fs)} / "
                  f"{selector(c.node_filesystem_size, fs)})", steps=SATURATION_STEPS, min=0, max=1,
                  width="full"),
        ]),
        Row("Network", [
            timeseries("Network utilisation", "Bytes per second received and sent, per node.", "Bps",
                       [Query(aggregate(rate(metric, [*node, ne("device", "lo")]), by), legend=f"{legend} {word}")
                        for metric, word in ((c.node_network_receive, "received"),
                                             (c.node_network_transmit, "sent"))], width="third"),
            graph("Network saturation (drops)", "Packets dropped per second, received and sent.", "pps",
                  f"{aggregate(rate(c.node_network_receive_drops, node), by)} + "
                  f"{aggregate(rate(c.node_network_transmit_drops, node), by)}", width="third"),
            graph("Network errors", "Receive and transmit errors per second.", "pps",
                  f"{aggregate(rate(c.node_network_receive_errors, node), by)} + "
                  f"{aggregate(rate(c.node_network_transmit_errors, node), by)}",
                  steps=((1.0, "red"),), width="third"),
        ]),
    ]
    variables = [
        datasource_variable(default=c.prometheus),
        query_variable(c.cluster_label, label_values(c.cluster_label, c.node_info)),
        query_variable(c.instance_label, label_values(c.instance_label, c.node_info,
                                                      [variable(c.cluster_label)]), multi=True),
    ]
    return dashboard(title, rows, uid=uid, description="Utilisation, saturation and errors of every node's "
                     "CPU, memory, disk and network (the USE method).", tags=[GOLDEN_SIGNALS_TAG, "nodes", *tags],
                     variables=variables, links=[dashboard_link("Golden signals", tags=[GOLDEN_SIGNALS_TAG])],
                     folder=folder)


def overview_dashboard(services: Sequence[str], *, title: str = "Services overview", uid: str = OVERVIEW_UID,
                       conventions: Conventions = DEFAULT, tags: Sequence[str] = (),
                       folder: str | None = None) -> Dashboard:
    """One row per service with its golden signals at a glance, each linking to its service dashboard.

    Options:
      services: the services, one row each, in this order (each name once).
      title: the dashboard title.
      uid: the dashboard uid.
      conventions: metric and label names, as for service_dashboard.
      tags: more dashboard tags, after "golden-signals" and "overview".
      folder: the Grafana folder ("Team/Service"), instead of the module's directory under dashboards/.
    """
    c = conventions
    if isinstance(services, str) or not services:
        raise BuilderError("overview_dashboard needs a list of service names")
    if len(set(services)) != len(services):
        raise BuilderError("overview_dashboard got a service twice")
    rows = []
    for service in services:
        http = [variable(c.cluster_label), variable(c.namespace_label), eq(c.service_label, service)]
        containers = [variable(c.cluster_label), variable(c.namespace_label), eq(c.container_label, service)]
        link = [{"title": f"{service} golden signals", "targetBlank": False,
                 "url": f"/d/{service_dashboard_uid(service)}?${{__url_time_range}}&${{cluster:queryparam}}"
                        f"&${{namespace:queryparam}}"}]
        extra = {"links": link}
        rows.append(Row(service, [
            stat("Request rate", f"Requests per second served by '{service}'.", "reqps",
                 request_rate(http, conventions=c), extra=extra),
            stat("Error rate", f"Share of '{service}' requests failing with {c.error_status_regex}.",
                 "percentunit", error_ratio(http, conventions=c), steps=ERROR_STEPS, extra=extra),
            stat("Latency p95", f"95th percentile response time of '{service}'.", "s",
                 latency_quantile(0.95, http, conventions=c), steps=((0.5, "orange"), (1.0, "red")), extra=extra),
            stat("CPU saturation", f"CPU used by '{service}' containers as a share of their limit.",
                 "percentunit", container_cpu_saturation(containers, c), steps=SATURATION_STEPS, extra=extra),
        ]))
    variables = [
        datasource_variable(default=c.prometheus),
        *chained_variables([c.cluster_label, c.namespace_label], conventions=c),
    ]
    return dashboard(
        title, rows, uid=uid,
        description="Golden signals of every service at a glance; each panel opens the service's dashboard.",
        tags=[GOLDEN_SIGNALS_TAG, "overview", *tags], variables=variables,
        links=[dashboard_link("Golden signals", tags=[GOLDEN_SIGNALS_TAG]),
               dashboard_link("Nodes (USE)", url=f"/d/{NODES_UID}")],
        folder=folder,
    )


__all__ = ["Datasource", "deploy_annotation", "node_dashboard", "overview_dashboard", "service_dashboard",
           "service_dashboard_uid"]
