"""Metric and label names the builders query: one object a team overrides in one place."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Conventions:
    """Instrumentation names. The defaults are what most services expose: prom-client / Prometheus client
    HTTP metrics, cAdvisor container metrics and node_exporter host metrics, labelled as Kubernetes
    service discovery labels them."""

    # HTTP server metrics (prom-client, client_golang/client_python conventions)
    requests_total: str = "http_requests_total"
    duration_bucket: str = "http_request_duration_seconds_bucket"
    method_label: str = "method"
    route_label: str = "route"
    status_label: str = "status_code"
    error_status_regex: str = "5.."
    # Target labels
    cluster_label: str = "cluster"
    namespace_label: str = "namespace"
    service_label: str = "service"
    instance_label: str = "instance"
    container_label: str = "container"
    deployment_label: str = "deployment"
    # cAdvisor container metrics
    container_cpu: str = "container_cpu_usage_seconds_total"
    container_cpu_quota: str = "container_spec_cpu_quota"
    container_cpu_period: str = "container_spec_cpu_period"
    container_memory: str = "container_memory_working_set_bytes"
    container_memory_limit: str = "container_spec_memory_limit_bytes"
    # node_exporter
    node_job: str = "node"
    node_cpu: str = "node_cpu_seconds_total"
    node_load1: str = "node_load1"
    node_memory_available: str = "node_memory_MemAvailable_bytes"
    node_memory_total: str = "node_memory_MemTotal_bytes"
    node_major_faults: str = "node_vmstat_pgmajfault"
    node_filesystem_avail: str = "node_filesystem_avail_bytes"
    node_filesystem_size: str = "node_filesystem_size_bytes"
    node_disk_io_time: str = "node_disk_io_time_seconds_total"
    node_disk_io_weighted: str = "node_disk_io_time_weighted_seconds_total"
    node_network_receive: str = "node_network_receive_bytes_total"
    node_network_transmit: str = "node_network_transmit_bytes_total"
    node_network_receive_errors: str = "node_network_receive_errs_total"
    node_network_transmit_errors: str = "node_network_transmit_errs_total"
    node_network_receive_drops: str = "node_network_receive_drop_total"
    node_network_transmit_drops: str = "node_network_transmit_drop_total"
    node_info: str = "node_uname_info"
    # Deploys (kube-state-metrics)
    deploy_generation: str = "kube_deployment_status_observed_generation"
    # Logs and traces
    loki_service_label: str = "service_name"
    elasticsearch_service_field: str = "service.name"
    tempo_service_attribute: str = "resource.service.name"
    # Logical datasource names (dashkit.yaml `datasources:`)
    prometheus: str = "prometheus"
    loki: str = "loki"
    tempo: str = "tempo"

    def replace(self, **changes: str) -> Conventions:
        """A copy with some names changed: `DEFAULT.replace(requests_total="http_server_requests_total")`."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            from .errors import BuilderError

            raise BuilderError(f"unknown convention(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)


DEFAULT = Conventions()
