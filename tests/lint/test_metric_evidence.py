"""Counter or gauge from evidence, never from a name: dashkit's table of well-known exporters, the `# TYPE` lines of
a saved /metrics page (`--metrics-file`), and the metadata of the Prometheus given with `--prometheus`. The cases
are the false positives seen on real vendor dashboards, and the bugs that must still be found."""

from __future__ import annotations

import json
import time

import pytest
import requests

from conftest import OneAnswer, serving
from dashkit.lint.config import LintConfig
from dashkit.lint.metric_types import MetricTypes, parse_type_lines, well_known
from dashkit.lint.model import DocKind, Document, Severity
from dashkit.lint.online import metric_metadata
from dashkit.lint.runner import lint

from .prometheus_fixture import require_prometheus, running_prometheus

P = DocKind.PROMETHEUS_RULES


def dashboard(*exprs: str) -> dict:
    return {"uid": "d", "title": "D", "panels": [
        {"id": i, "type": "timeseries", "title": f"P{i}", "datasource": {"type": "prometheus", "uid": "p"},
         "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)},
         "targets": [{"refId": "A", "expr": expr}]} for i, expr in enumerate(exprs)]}


def rules(*rules: dict) -> dict:
    return {"groups": [{"name": "g", "interval": "1m", "rules": list(rules)}]}


def findings(data: dict, *codes: str, kind: DocKind = DocKind.DASHBOARD, types: MetricTypes | None = None):
    config = LintConfig(select=set(codes))
    if types is not None:
        config.context.metric_types = types
    return [(f.code, f.severity, f.message) for f in lint([Document(kind, data, "x.json", label="x")], config)]


# DK132 rate() over a gauge


def test_counters_named_like_gauges_are_not_reported():
    assert findings(dashboard(
        "sum(rate(ceph_osd_op_w_in_bytes[$__rate_interval]))",  # Ceph's write counter: *_bytes, not a gauge
        "irate(node_network_receive_bytes{device!='lo'}[5m])",  # node_exporter before 0.16 named counters so
        "rate(unbound_queries_wait_limit[5m])",  # an exporter dashkit does not know: no evidence, no finding
    ), "DK132") == []


def test_rate_over_a_gauge_the_exporter_declares_is_a_warning_naming_the_source():
    # kube-prometheus' API server dashboard: workqueue_depth is the queue's current length
    [(code, severity, message)] = findings(dashboard(
        'sum(rate(workqueue_depth{job="apiserver"}[$__rate_interval])) by (instance, name)'), "DK132")
    assert (code, severity) == ("DK132", Severity.WARNING)
    assert "'workqueue_depth', a gauge (Kubernetes control plane, in dashkit's table" in message


def test_keda_metrics_are_typed_from_keda_own_registrations():
    # KEDA's dashboard: rate() over the scaler's metric value, a gauge (pkg/metricscollector: NewGaugeVec)
    [(code, severity, message)] = findings(dashboard(
        'sum by(metric) (rate(keda_scaler_metrics_value{namespace=~"$namespace"}[5m]))',
        "sum by(scaler) (rate(keda_metrics_adapter_scaler_errors[5m]))",  # a counter without _total
        "sum(rate(keda_scaler_detail_errors_total[5m]))"), "DK132")
    assert (code, severity) == ("DK132", Severity.WARNING)
    assert "'keda_scaler_metrics_value', a gauge (KEDA, in dashkit's table" in message
    # gauges named *_total: the number of resources and triggers KEDA holds now
    assert findings(dashboard("sum(keda_resource_registered_total)", "sum(keda_trigger_registered_total)"),
                    "DK134") == []


def test_rate_over_a_summary_quantile_is_reported_and_over_its_count_is_not():
    [(_, _, message)] = findings(dashboard(
        'rate(prometheus_engine_query_duration_seconds{quantile="0.9"}[5m])',
        "rate(prometheus_engine_query_duration_seconds_count[5m])"), "DK132")
    assert "'prometheus_engine_query_duration_seconds', a summary" in message


def test_rate_over_a_timestamp_gauge_is_how_fast_it_advances():
    assert findings(dashboard(  # kube-prometheus' remote-write dashboard
        "rate(prometheus_remote_storage_highest_timestamp_in_seconds[5m]) - ignoring(remote_name, url) "
        "group_right(instance) rate(prometheus_remote_storage_queue_highest_sent_timestamp_seconds[5m])",
        "irate(process_start_time_seconds[5m])"), "DK132") == []


# DK134 a counter without rate()


def test_a_gauge_named_like_a_counter_is_quiet_once_evidence_says_gauge():
    argocd = dashboard("sum(argocd_repo_pending_request_total)")
    [(code, severity, message)] = findings(argocd, "DK134")
    assert (code, severity) == ("DK134", Severity.INFO) and "nothing declares its type" in message
    types = well_known().with_types("# TYPE in argocd.prom", {"argocd_repo_pending_request_total": "gauge"})
    assert findings(argocd, "DK134", types=types) == []


def test_gauges_named_count_are_known_to_be_gauges():
    assert findings(dashboard(
        'sum(kubelet_running_pods{job="kubelet"}) OR sum(kubelet_running_pod_count{job="kubelet"})',
        "node_buddyinfo_count", "sum(unbound_msg_cache_count)"), "DK134") == []


def test_a_known_counter_summed_raw_is_a_warning():
    [(code, severity, message)] = findings(dashboard(
        'sum(kube_pod_container_status_restarts_total{namespace=~"$namespace"})'), "DK134")
    assert (code, severity) == ("DK134", Severity.WARNING)
    assert "counter 'kube_pod_container_status_restarts_total' (kube-state-metrics" in message


def test_the_difference_of_two_counters_is_how_many_are_in_flight():
    types = MetricTypes().with_types("# TYPE in grpc.prom", {"grpc_server_started": "counter",
                                                              "grpc_server_handled": "counter"})
    assert findings(dashboard("sum(grpc_server_started_total) - sum(grpc_server_handled_total)"), "DK134",
                    types=types) == []
    assert findings(dashboard("sum(grpc_server_started_total)"), "DK134", types=types)[0][1] is Severity.WARNING


def test_a_raw_count_that_only_says_the_histogram_has_data_is_fine():
    alert = {"alert": "KubeClientCertificateExpiration", "for": "5m", "expr": (
        'apiserver_client_certificate_expiration_seconds_count{job="apiserver"} > 0 and on(job) '
        "histogram_quantile(0.01, sum by (job, le) (rate(apiserver_client_certificate_expiration_seconds_bucket"
        '{job="apiserver"}[5m]))) < 604800')}
    assert findings(rules(alert), "DK134", kind=P) == []
    guarded = dict(alert, expr="apiserver_client_certificate_expiration_seconds_count > 100")
    assert [code for code, _, _ in findings(rules(guarded), "DK134", kind=P)] == ["DK134"]


def test_compatibility_recording_rules_that_rename_counters_are_fine_and_sums_are_not():
    # node_exporter's docs/example-16-compatibility-rules-new-to-old.yml
    compat = rules({"record": "node_network_receive_bytes", "expr": "node_network_receive_bytes_total"},
                   {"record": "node_cpu", "expr": 'label_replace(node_cpu_seconds_total, "cpu", "cpu$1", "cpu", '
                                                  '"(.+)")'},
                   {"record": "node_disk_io_time_ms", "expr": "node_disk_io_time_seconds_total * 1000"})
    assert findings(compat, "DK134", kind=P) == []
    summed = rules({"record": "job:node_cpu:sum", "expr": "sum by (job) (node_cpu_seconds_total)"})
    assert [(c, s) for c, s, _ in findings(summed, "DK134", kind=P)] == [("DK134", Severity.WARNING)]


def test_uptime_counters_are_read_raw_on_purpose():
    assert findings(dashboard('apache_uptime_seconds_total{job="$job"}',
                              'unbound_time_up_seconds_total{instance="$instance"}'), "DK134") == []


# the evidence itself


def test_type_lines_of_prometheus_text_and_openmetrics_cover_their_series():
    types = MetricTypes().with_types("m.prom", parse_type_lines(
        "# HELP http_requests Requests.\n"
        "# TYPE http_requests counter\n"  # OpenMetrics: the family has no _total, its sample does
        "http_requests_total{code=\"200\"} 3\n"
        "#   TYPE   queue_bytes   gauge\n"
        "# TYPE latency_seconds histogram\n"
        "# TYPE rpc_seconds summary\n"
        "# TYPE mystery untyped\n"
        "# TYPE broken line with too many words\n"
        "# EOF\n"))
    assert types.is_counter("http_requests_total") and types.is_gauge("http_requests_created")
    assert types.is_gauge("queue_bytes")
    assert types.is_counter("latency_seconds_bucket") and types.is_counter("latency_seconds_count")
    assert types.is_gauge("rpc_seconds") and types.is_counter("rpc_seconds_sum")
    assert types.evidence("mystery") is None and types.evidence("broken") is None
    assert types.evidence("job:http_requests:rate5m") is None  # recording rules declare nothing


def test_metrics_files_on_the_command_line_override_the_table(project, dashkit, tmp_path):
    board = tmp_path / "ceph.json"
    board.write_text(json.dumps(dashboard("rate(ceph_pool_stored_bytes[5m])", "rate(node_load1[5m])")))
    first, second = tmp_path / "ceph.prom", tmp_path / "node.prom"
    first.write_text("# TYPE ceph_pool_stored_bytes gauge\nceph_pool_stored_bytes 1\n")
    second.write_text("# TYPE node_load1 counter\n")  # wrong on purpose: the user's file wins over the table
    result = dashkit("lint", str(board), "--select", "DK132", "--format", "json",
                     "--metrics-file", str(first), "--metrics-file", str(second))
    messages = [f["message"] for f in json.loads(result.out)["findings"]]
    assert messages == [f"rate() over 'ceph_pool_stored_bytes', a gauge (# TYPE in {first}); use deriv() or "
                        "delta() for gauges"]
    without = dashkit("lint", str(board), "--select", "DK132", "--format", "json")
    assert [f["message"].split(",")[0] for f in json.loads(without.out)["findings"]] == [
        "rate() over 'node_load1'"]


def test_a_metrics_file_without_type_lines_is_a_usage_error(project, dashkit, tmp_path):
    board, empty = tmp_path / "d.json", tmp_path / "empty.prom"
    board.write_text(json.dumps(dashboard("up")))
    empty.write_text("up 1\n")
    result = dashkit("lint", str(board), "--metrics-file", str(empty))
    assert result.code == 2 and "no '# TYPE name type' lines" in result.err


class NoMetadata(OneAnswer):
    def answer(self):
        return 404, "text/plain", b"404 page not found"


def test_a_server_without_the_metadata_endpoint_gives_no_evidence_and_no_error():
    with serving(NoMetadata) as url:
        assert metric_metadata(url) == {}


EXPOSITION = (
    b"# HELP ceph_pg_total Total number of placement groups.\n"
    b"# TYPE ceph_pg_total gauge\n"
    b"ceph_pg_total 256\n"
    b"# HELP app_jobs_bytes Bytes processed by jobs.\n"
    b"# TYPE app_jobs_bytes counter\n"
    b"app_jobs_bytes 1024\n"
    b"# HELP app_queue_length Jobs waiting.\n"
    b"# TYPE app_queue_length gauge\n"
    b"app_queue_length 3\n"
)


class Exporter(OneAnswer):
    def answer(self):
        return 200, "text/plain; version=0.0.4", EXPOSITION


@pytest.fixture(scope="module")
def scraping_prometheus(tmp_path_factory: pytest.TempPathFactory):
    """A real Prometheus scraping an exporter whose /metrics declares the types above."""
    require_prometheus()
    with serving(Exporter) as exporter, running_prometheus(tmp_path_factory.mktemp("prometheus"),
                                                           scrape=exporter.removeprefix("http://")) as url:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            data = requests.get(f"{url}/api/v1/metadata", timeout=2).json()["data"]
            if {"ceph_pg_total", "app_jobs_bytes", "app_queue_length"} <= data.keys():
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"Prometheus at {url} never reported the exporter's metadata")
        yield url


def test_prometheus_metadata_is_evidence(scraping_prometheus):
    types = metric_metadata(scraping_prometheus)
    assert {name: types[name] for name in ("ceph_pg_total", "app_jobs_bytes", "app_queue_length")} == {
        "ceph_pg_total": "gauge", "app_jobs_bytes": "counter", "app_queue_length": "gauge"}


def test_lint_with_prometheus_reads_types_from_its_metadata(scraping_prometheus, project, dashkit, tmp_path):
    board = tmp_path / "app.json"
    board.write_text(json.dumps(dashboard(
        "sum(ceph_pg_total)",  # a gauge named *_total: quiet once Prometheus says so
        "rate(app_jobs_bytes[5m])",  # a counter named *_bytes: fine
        "rate(app_queue_length[5m])",  # the bug: rate() over a gauge
    )))
    result = dashkit("lint", str(board), "--select", "DK132,DK134", "--format", "json",
                     "--prometheus", scraping_prometheus)
    found = [(f["code"], f["location"], f["message"]) for f in json.loads(result.out)["findings"]]
    assert found == [("DK132", "panels[2].targets[0].expr",
                      f"rate() over 'app_queue_length', a gauge (metadata of {scraping_prometheus}); use deriv() "
                      "or delta() for gauges")]
    offline = dashkit("lint", str(board), "--select", "DK132,DK134", "--format", "json")
    assert [(f["code"], f["severity"]) for f in json.loads(offline.out)["findings"]] == [("DK134", "info")]


def test_the_table_covers_the_exporters_it_names():
    table = well_known()
    for counter in ("node_cpu_seconds_total", "container_cpu_usage_seconds_total", "prometheus_http_requests_total",
                    "go_memstats_alloc_bytes_total", "process_cpu_seconds_total", "http_requests_total",
                    "kube_pod_container_status_restarts_total", "apiserver_request_duration_seconds_bucket",
                    "node_disk_bytes_read"):
        assert table.is_counter(counter), counter
    for gauge in ("node_memory_MemAvailable_bytes", "container_memory_working_set_bytes", "kube_pod_info",
                  "prometheus_tsdb_head_series", "go_goroutines", "process_resident_memory_bytes", "probe_success",
                  "container_fs_inodes_total", "kubelet_volume_stats_used_bytes", "go_memstats_heap_alloc_bytes"):
        assert table.is_gauge(gauge), gauge
    for unknown in ("node_vmstat_pgfault", "node_netstat_Tcp_RetransSegs", "my_app_total", "kube_apiserver_x_total"):
        assert table.evidence(unknown) is None, unknown


def test_the_table_is_well_formed():
    from dashkit.lint.metric_types import TYPES
    from dashkit.lint.well_known_metrics import TABLE

    names = [line.split()[0] for line in TABLE.splitlines() if line.strip() and not line.startswith("#")]
    assert len(names) == len(set(names)), "a metric listed twice"
    assert all(line.split()[1] in TYPES for line in TABLE.splitlines() if line.strip() and not line.startswith("#"))


def test_a_known_counter_is_reported_before_a_guess_in_the_same_query():
    [(_, severity, message)] = findings(dashboard("sum(my_jobs_total) / sum(node_cpu_seconds_total)"), "DK134")
    assert severity is Severity.WARNING and "counter 'node_cpu_seconds_total' (node_exporter" in message
