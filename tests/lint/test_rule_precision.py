"""The false positives judged on real vendor dashboards and rule files, each now quiet or advice, next to the true
positives the same rules must still report at the severity their certainty earns."""

from __future__ import annotations

from dashkit.lint.config import LintConfig
from dashkit.lint.model import DocKind, Document, Severity
from dashkit.lint.runner import lint

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
PROM = {"type": "prometheus", "uid": "${datasource}"}


def panel(title: str, *exprs: str, unit: str | None = None, kind: str = "timeseries", grid=(0, 0, 12, 8),
          **extra) -> dict:
    x, y, w, h = grid
    return {"type": kind, "title": title, "datasource": PROM, "gridPos": {"x": x, "y": y, "w": w, "h": h},
            "fieldConfig": {"defaults": {"unit": unit} if unit else {}, "overrides": []},
            "targets": [{"refId": chr(65 + i), "expr": e} for i, e in enumerate(exprs)], **extra}


def dashboard(*panels: dict, variables: list[dict] | None = None, **extra) -> dict:
    for index, item in enumerate(panels):
        item.setdefault("id", index + 1)
    return {"uid": "d", "title": "D", "panels": list(panels),
            "templating": {"list": [{"type": "datasource", "name": "datasource", "query": "prometheus"},
                                    *(variables or [])]}, **extra}


def var(name: str, query: str, **extra) -> dict:
    return {"type": "query", "name": name, "query": query, "refresh": 2, "datasource": PROM, **extra}


def found(data: dict, code: str, kind: DocKind = DocKind.DASHBOARD) -> list[tuple[Severity, str, str]]:
    doc = Document(kind, data, "x.json", label="x")
    return [(f.severity, f.location, f.message) for f in lint([doc], LintConfig(select={code}))]


# DK112 panel-unit


def test_counts_need_no_unit():
    assert found(dashboard(
        panel("Nodes", "count(count by (node) (kube_node_info))", kind="stat"),
        panel("OSDs up", "sum(ceph_osd_up)", kind="stat"),
        panel("Threads", "go_threads{job=~\"$job\"}"),
        panel("Context switches", "rate(node_context_switches_total[$__rate_interval])"),
        panel("CPU usage", "sum(node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m) by (pod)"),
        panel("Instance down", "up{job=\"prometheus\"} < 1", kind="stat"),
    ), "DK112") == []


def test_a_quantity_without_a_unit_is_reported_with_what_it_measures():
    assert found(dashboard(
        panel("Current Rate of Bytes Received", "sum(irate(container_network_receive_bytes_total"
                                                "{namespace=~\"$namespace\"}[$__rate_interval]))", kind="gauge"),
        panel("Request latency", "sum(rate(http_request_duration_seconds_sum[5m])) / "
                                 "sum(rate(http_request_duration_seconds_count[5m]))"),
        panel("Uptime", "time() - node_boot_time_seconds", kind="stat"),
    ), "DK112") == [
        (W, "panels[0].fieldConfig.defaults.unit", "panel 'Current Rate of Bytes Received' has no unit; its query "
                                                   "returns bytes/s ('container_network_receive_bytes_total')"),
        (W, "panels[1].fieldConfig.defaults.unit", "panel 'Request latency' has no unit; its query returns seconds "
                                                   "('http_request_duration_seconds_sum')"),
        (W, "panels[2].fieldConfig.defaults.unit", "panel 'Uptime' has no unit; its query returns seconds "
                                                   "('node_boot_time_seconds')"),
    ]


def test_units_set_per_series_count_as_units():
    disk = panel("Disk I/O", "rate(node_disk_read_bytes_total[5m])", "rate(node_disk_io_time_seconds_total[5m])")
    disk["fieldConfig"]["overrides"] = [{"matcher": {"id": "byRegexp", "options": "/read/"},
                                         "properties": [{"id": "unit", "value": "Bps"}]}]
    assert found(dashboard(disk), "DK112") == []


# DK113 unknown-unit

SUFFIX = "is not a Grafana unit: Grafana shows it as a suffix and scales nothing"
IF_WANTED = "if a suffix is what you want"


def test_a_unit_grafana_shows_as_a_suffix_is_advice_and_a_near_miss_is_a_warning():
    assert found(dashboard(
        panel("CPU", "sum(rate(container_cpu_usage_seconds_total[5m]))", unit="cores"),
        panel("Reads", "rate(node_disk_reads_completed_total[5m])", unit="/ sec"),
        panel("Latency", "histogram_quantile(0.9, sum by (le) (rate(x_seconds_bucket[5m])))", unit="secs"),
    ), "DK113") == [
        (INFO, "panels[0].fieldConfig.defaults.unit", f"unit 'cores' {SUFFIX}; write 'suffix:cores' {IF_WANTED}"),
        (INFO, "panels[1].fieldConfig.defaults.unit", f"unit '/ sec' {SUFFIX}; write 'suffix:/ sec' {IF_WANTED}"),
        (W, "panels[2].fieldConfig.defaults.unit", "unit 'secs' is not a Grafana unit; did you mean 's'?"),
    ]


# DK104 panel-layout


def test_rows_are_full_width_wherever_they_stand():
    row = {"type": "row", "title": "Shards", "collapsed": False, "panels": [],
           "gridPos": {"x": 0, "y": 16, "w": 0, "h": 1}}  # w=0: Grafana draws it full width all the same
    assert found(dashboard(panel("Up", "up", grid=(0, 0, 24, 16)), row,
                           panel("Current Shards", "prometheus_remote_storage_shards", grid=(0, 16, 24, 7))),
                 "DK104") == []


def test_generated_layouts_that_count_on_grafana_pushing_panels_down_are_quiet():
    # kube-prometheus' multi-cluster dashboard: y grows by one, Grafana stacks them in that order
    stats = [panel(f"Stat {i}", "up", kind="stat", grid=(4 * i, 0, 4, 3)) for i in range(6)]
    graphs = [panel(f"Graph {i}", "up", grid=(0, 1 + i, 24, 7)) for i in range(2)]
    assert found(dashboard(*stats, *graphs), "DK104") == []


def test_a_row_on_top_of_panels_and_full_width_panels_on_one_spot_are_stacked_in_order():
    # kube-prometheus' remote-write dashboard: the 'Shard Details' row (y=24) lies on the shard graphs (y=23, h=7),
    # and the two graphs after it (y=25) are pushed down together; cluster-total stacks graphs at one y
    shards = [panel(f"Shards {i}", "up", grid=(8 * i, 23, 8, 7)) for i in range(3)]
    row = {"type": "row", "title": "Shard Details", "collapsed": False, "panels": [],
           "gridPos": {"x": 0, "y": 24, "w": 24, "h": 1}}
    details = [panel("Shard Capacity", "up", grid=(0, 25, 12, 7)), panel("Pending", "up", grid=(12, 25, 12, 7))]
    stacked = [panel(f"Retransmits {i}", "up", grid=(0, 59, 24, 9)) for i in range(3)]
    assert found(dashboard(*shards, row, *details, *stacked), "DK104") == []


def test_a_panel_pushed_away_from_the_panel_beside_it_is_a_warning():
    # the third panel starts inside the tall first one: Grafana draws it at y=16, its neighbour stays at y=8
    assert found(dashboard(panel("Tall", "up", grid=(0, 0, 12, 16)), panel("Right", "up", grid=(12, 0, 12, 8)),
                           panel("Left below", "up", grid=(0, 8, 12, 8)),
                           panel("Right below", "up", grid=(12, 8, 12, 8))), "DK104") == [
        (W, "panels[2].gridPos", "panel 'Left below' overlaps 'Tall' (panels[0]): Grafana moves it down to y=16, "
                                 "away from 'Right below' (panels[3]) beside it")]


def test_a_missing_grid_position_key_takes_grafanas_default():
    # PanelModel's defaults: x 0, y 0, w 6, h 3; a gridPos without w is 6 wide, not off the grid
    narrow = panel("Narrow", "up")
    narrow["gridPos"] = {"x": 0, "y": 0, "h": 8}
    assert found(dashboard(narrow, panel("Beside", "up", grid=(6, 0, 18, 8))), "DK104") == []


def test_panels_meant_side_by_side_that_overlap_are_a_warning():
    assert found(dashboard(panel("Left", "up", grid=(0, 0, 14, 8)), panel("Right", "up", grid=(12, 0, 12, 8))),
                 "DK104") == [(W, "panels[1].gridPos", "panel 'Right' overlaps 'Left' (panels[0]) at the same y: "
                                                       "Grafana stacks them instead of side by side")]


def test_a_panel_off_the_grid_is_a_warning_and_a_broken_grid_position_an_error():
    assert [severity for severity, _, _ in found(dashboard(
        panel("Wide", "up", grid=(18, 0, 12, 8)),
        panel("Broken", "up", gridPos={"x": "left", "y": 0, "w": 12, "h": 8})), "DK104")] == [W, E]


# DK123 undefined-variable


def test_inputs_of_a_dashboard_exported_for_sharing_are_defined():
    data = dashboard(panel("Requests", "sum(rate(http_requests_total[$__rate_interval]))",
                           datasource="${DS_PROMETHEUS}"),
                     __inputs=[{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource",
                                "pluginId": "prometheus"},
                               {"name": "VAR_CLUSTER", "type": "constant", "value": "prod"}])
    data["panels"][0]["targets"][0]["expr"] = 'sum(rate(http_requests_total{cluster="${VAR_CLUSTER}"}[5m]))'
    assert found(data, "DK123") == []


def test_an_undefined_variable_in_a_query_is_an_error_and_in_a_link_a_warning():
    link = panel("Pods", "sum(kube_pod_info) by (pod)")
    link["fieldConfig"]["overrides"] = [{"matcher": {"id": "byName", "options": "Pod"}, "properties": [
        {"id": "links", "value": [{"title": "Drill down", "url": "/d/x?var-namespace=$namespace"}]}]}]
    assert found(dashboard(link, panel("CPU", 'sum(rate(x_total{cluster="$cluster"}[5m]))')), "DK123") == [
        (W, "panels[0].fieldConfig.overrides[0].properties[0].value[0].url",
         "$namespace is not defined in templating: the text shows '$namespace' as it is"),
        (E, "panels[1].targets[0].expr", "$cluster is not defined in templating"),
    ]


def test_a_datasource_input_missing_from_inputs_is_still_an_error():
    data = dashboard(panel("Requests", "up", datasource="${DS_LOCALHOST}"))
    assert found(data, "DK123") == [(E, "panels[0].datasource", "$DS_LOCALHOST is not defined in templating")]


# DK124 unused-variable


def test_hidden_helpers_and_repeat_variables_are_used():
    assert found(dashboard(
        panel("CPU $instance", "up", repeat="node"),
        variables=[var("node", "label_values(kube_node_info, node)"),
                   var("instance", "label_values(node_uname_info{nodename=~\"$node\"}, instance)"),
                   var("url", "label_values(prometheus_remote_storage_shards, url)", hide=2)]), "DK124") == []


def test_a_repeated_legacy_row_uses_its_variable():
    data = {"uid": "old", "title": "Old", "rows": [{"title": "Disk", "repeat": "device", "panels": []}],
            "templating": {"list": [var("device", "label_values(node_disk_io_now, device)")]}}
    assert found(data, "DK124") == []


def test_a_visible_picker_that_changes_nothing_is_still_reported():
    assert found(dashboard(panel("Up", "up"), variables=[var("url", "label_values(up, url)")]), "DK124") == [
        (INFO, "templating.list[1]", "variable 'url' is never used")]


# DK136 query-ignores-filter


def test_metrics_of_another_exporter_are_not_expected_to_use_the_variable():
    # dotdc's global view: $job is node_exporter's job (label_values(node_cpu_seconds_total, job))
    assert found(dashboard(
        panel("CPU", 'sum(rate(node_cpu_seconds_total{job=~"$job", mode!="idle"}[$__rate_interval]))'),
        panel("Pods", "sum(kube_pod_info)", grid=(12, 0, 12, 8)),
        panel("Containers", "sum(rate(container_cpu_usage_seconds_total[$__rate_interval]))", grid=(0, 8, 12, 8)),
        variables=[var("job", "label_values(node_cpu_seconds_total, job)")]), "DK136") == []


def test_a_filter_on_another_label_counts():
    assert found(dashboard(
        panel("CPU", 'sum(rate(container_cpu_usage_seconds_total{pod=~"$instance"}[$__rate_interval]))'),
        panel("Memory", 'sum(container_memory_working_set_bytes{pod=~"$instance"})', grid=(12, 0, 12, 8)),
        variables=[var("instance", "label_values(kube_pod_info, pod)")]), "DK136") == []


def test_a_query_of_the_same_exporter_without_the_filter_is_reported():
    # dotdc's CoreDNS dashboard: every coredns_* query filters on $instance but the cache size
    assert found(dashboard(
        panel("Requests", 'sum(rate(coredns_dns_requests_total{instance=~"$instance"}[$__rate_interval]))'),
        panel("Cache", 'sum(coredns_cache_entries{job=~"coredns"}) by (type)', grid=(12, 0, 12, 8)),
        variables=[var("instance", 'label_values(up{job="coredns"}, instance)')]), "DK136") == [
        (INFO, "panels[1].targets[0].expr", "'coredns_cache_entries' is not filtered by $instance, which the "
                                         "dashboard's other coredns_* queries use")]


# DK206 alert-for-interval


def test_a_group_without_interval_is_advice_and_an_explicit_one_a_warning():
    short = {"alert": "Down", "expr": "up == 0", "for": "30s"}
    assert found({"groups": [{"name": "g", "rules": [short]}]}, "DK206", DocKind.PROMETHEUS_RULES) == [
        (INFO, "groups[0].rules[0].for", "alert 'Down': for 30s is shorter than the default evaluation interval (1m), "
                                      "and the group sets none")]
    assert found({"groups": [{"name": "g", "interval": "15s", "rules": [short]}]}, "DK206",
                 DocKind.PROMETHEUS_RULES) == []
    assert found({"groups": [{"name": "g", "interval": "2m", "rules": [short]}]}, "DK206",
                 DocKind.PROMETHEUS_RULES) == [(W, "groups[0].rules[0].for", "alert 'Down': for 30s is shorter than "
                                                                             "the evaluation interval")]


# DK110 panel-title


def test_the_log_volume_strip_above_a_logs_panel_needs_no_title():
    # flux2's logs dashboard: an untitled count_over_time graph right on top of the logs panel
    volume = panel("", 'sum(count_over_time({app=~"$controller"} | json [$__interval]))', grid=(0, 0, 24, 4))
    logs = panel("", '{app=~"$controller"} | json', kind="logs", grid=(0, 4, 24, 25))
    assert found(dashboard(volume, logs), "DK110") == []


def test_an_untitled_graph_elsewhere_is_still_a_warning():
    untitled = panel("", "sum(rate(http_requests_total[$__rate_interval]))", grid=(0, 0, 24, 4))
    logs = panel("Logs", '{app="api"}', kind="logs", grid=(0, 12, 24, 25))  # not right below it
    assert found(dashboard(untitled, logs), "DK110") == [(W, "panels[0].title", "a timeseries panel has no title")]


# DK113 unknown-unit: a near miss never names a unit that measures something else


def test_a_size_is_not_taken_for_a_rate_nor_bytes_for_bits():
    assert found(dashboard(
        panel("Heap", "go_memstats_heap_inuse_bytes", unit="GB"),
        panel("Received", "rate(node_network_receive_bytes_total[5m])", unit="KBps"),
        panel("Link", "rate(node_network_receive_bytes_total[5m]) * 8", unit="mbps"),
    ), "DK113") == [
        (W, "panels[0].fieldConfig.defaults.unit", "unit 'GB' is not a Grafana unit; did you mean 'decgbytes'?"),
        (INFO, "panels[1].fieldConfig.defaults.unit", f"unit 'KBps' {SUFFIX}; write 'suffix:KBps' {IF_WANTED}"),
        (W, "panels[2].fieldConfig.defaults.unit", "unit 'mbps' is not a Grafana unit; did you mean 'Mbits'?"),
    ]


# DK123 undefined-variable: fields of another datasource's query builder


def test_influxdb_builder_leftovers_in_a_prometheus_query_are_not_uses():
    # postgres_exporter's overview: targets switched from InfluxDB keep groupBy [$interval], which Grafana ignores
    data = dashboard(panel("Fetched", 'sum(irate(pg_stat_database_tup_fetched{datname=~"$db"}[5m]))'),
                     variables=[var("db", "label_values(pg_stat_database_tup_fetched, datname)")])
    data["panels"][0]["targets"][0].update(
        groupBy=[{"params": ["$interval"], "type": "time"}, {"params": ["null"], "type": "fill"}],
        measurement="postgresql", policy="default", tags=[{"key": "instance", "operator": "=~",
                                                           "value": "/^$instance$/"}])
    assert found(data, "DK123") == []


def test_the_same_variable_in_the_query_itself_is_still_an_error():
    data = dashboard(panel("Fetched", "sum(irate(pg_stat_database_tup_fetched[$interval]))"))
    data["panels"][0]["targets"][0]["groupBy"] = [{"params": ["$interval"], "type": "time"}]
    assert found(data, "DK123") == [(E, "panels[0].targets[0].expr", "$interval is not defined in templating")]


# DK120 template-datasource, DK121 template-target-filter, DK122 variable-refresh


def test_a_dashboard_exported_for_sharing_picks_its_datasource_on_import():
    # rfmoz' node-exporter-full-old: ${DS_LOCALHOST} from __inputs, no datasource variable
    data = {"uid": "old", "title": "Old", "__inputs": [{"name": "DS_LOCALHOST", "type": "datasource",
                                                         "pluginId": "prometheus"}],
            "panels": [panel("Load", "node_load1", datasource="${DS_LOCALHOST}")], "templating": {"list": []}}
    assert found(data, "DK120") == []
    del data["__inputs"]
    data["panels"][0]["datasource"] = {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}
    assert [severity for severity, _, _ in found(data, "DK120")] == [INFO]


def test_overviews_that_show_each_target_apart_or_filter_by_another_variable_need_no_target_variable():
    # istio's ztunnel dashboard: every query breaks down by pod
    assert found(dashboard(panel("Memory", 'sum by (pod) (container_memory_working_set_bytes{pod=~"ztunnel-.*"})'),
                           panel("Connections", "sum(rate(istio_tcp_connections_opened_total[5m])) by (pod)")),
                 "DK121") == []
    # ingress-nginx: the queries filter on $ingress
    assert found(dashboard(panel("Requests", 'sum(rate(nginx_ingress_controller_requests{ingress=~"$ingress"}[5m]))'),
                           variables=[var("ingress", "label_values(nginx_ingress_controller_requests, ingress)")]),
                 "DK121") == []


def test_a_dashboard_whose_every_query_adds_all_targets_up_still_gets_the_advice():
    assert found(dashboard(panel("Requests", "sum(rate(http_requests_total[5m]))"),
                           panel("Errors", 'sum(rate(http_requests_total{code=~"5.."}[5m]))')), "DK121") == [
        (INFO, "templating.list", "no variable narrows the queries to a target: add one such as job, instance or "
                                  "service")]


def test_variables_whose_values_stay_may_refresh_on_load_and_those_that_come_and_go_may_not():
    assert found(dashboard(panel("Up", "up"), variables=[
        var("cluster", "label_values(kube_node_info, cluster)", refresh=1),
        var("job", "label_values(up, job)", refresh=1),
        var("namespace", "label_values(kube_pod_info, namespace)", refresh=1),
        var("port", "label_values(node_boot_time_seconds, instance)", refresh=1),
        var("job2", "label_values(pg_up, job)", refresh=0),
    ]), "DK122") == [
        (INFO, "templating.list[3].refresh", "variable 'namespace' should refresh on time range change (refresh: 2)"),
        (INFO, "templating.list[5].refresh", "variable 'job2' never refreshes: it offers the options saved in the "
                                             "file; refresh on time range change (refresh: 2)"),
    ]


# DK204 alert-severity


def rules(*alerts: dict) -> dict:
    return {"groups": [{"name": "g", "rules": list(alerts)}]}


def alert(labels: dict) -> dict:
    return {"alert": "HighErrorRate", "expr": "sum(rate(errors_total[5m])) > 1", "labels": labels,
            "annotations": {"summary": "s", "runbook_url": "https://runbooks.example.com/x"}}


def test_sloths_severity_label_routes_pages_and_tickets():
    # Sloth's generated burn-rate alerts carry sloth_severity: page|ticket, and severity only if the spec sets one
    assert found(rules(alert({"sloth_severity": "page", "category": "availability"}),
                       alert({"sloth_severity": "ticket"}), alert({"priority": "P1"}), alert({"routing": "page"})),
                 "DK204", DocKind.PROMETHEUS_RULES) == []


def test_an_alert_nothing_says_the_urgency_of_is_still_a_warning():
    assert found(rules(alert({"team": "api"}), alert({"sloth_severity": ""})), "DK204", DocKind.PROMETHEUS_RULES) == [
        (W, "groups[0].rules[0].labels", "alert 'HighErrorRate' has no severity label"),
        (W, "groups[0].rules[1].labels", "alert 'HighErrorRate' has no severity label"),
    ]


# DK301 slo-invalid, DK302 slo-budget-too-small


def sloth(**slo) -> dict:
    base = {"name": "requests-availability", "objective": 99.9,
            "sli": {"events": {"error_query": 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
                               "total_query": "sum(rate(http_requests_total[{{.window}}]))"}},
            "alerting": {"name": "MyServiceHighErrorRate", "page_alert": {"labels": {"severity": "pageteam"}}}}
    return {"version": "prometheus/v1", "service": "myservice", "slos": [{**base, **slo}]}


def test_sloth_plugins_and_dashed_alert_names_are_valid_sloth():
    # Sloth's examples: slo_plugins, an SLO's plugins chain, victoria-metrics' alert name with dashes
    spec = sloth(plugins={"chain": [{"id": "sloth.dev/contrib/info_labels/v1", "config": {"labels": {"a": "b"}}}]},
                 alerting={"name": "slo_foo-bar_grpc-latency-percentile-90_fail"})
    spec["slo_plugins"] = {"chain": [{"id": "sloth.dev/core/debug/v1", "priority": 9999999, "config": {"msg": "x"}}]}
    assert found(spec, "DK301", DocKind.SLO) == []


def test_an_sli_plugin_cannot_be_checked_and_says_so_as_advice():
    spec = sloth(sli={"plugin": {"id": "getting_started_availability", "options": {"job": "myservice"}}})
    assert found(spec, "DK301", DocKind.SLO) == [
        (INFO, "slos[0].sli.plugin", "the SLI comes from the Sloth plugin 'getting_started_availability': dashkit "
                                     "cannot read the queries it generates, so they are not checked")]
    spec["slos"][0]["objective"] = 0.999  # the rest of the spec is still checked
    assert [(severity, where) for severity, where, _ in found(spec, "DK301", DocKind.SLO)] == [
        (E, "slos[0].objective"), (INFO, "slos[0].sli.plugin")]


def test_an_invalid_sloth_spec_is_still_an_error():
    assert found(sloth(objective=100), "DK301", DocKind.SLO) == [
        (E, "slos[0].objective", "must be a percentage strictly between 0 and 100, like 99.9 (got 100)")]
    assert [severity for severity, _, _ in found(sloth(sli={"events": {"error_query": "x"}}), "DK301",
                                                  DocKind.SLO)] == [E]


def test_a_tight_objective_is_advice():
    # Sloth's multifile and no-alerts examples: 99.99% on purpose
    assert found(sloth(objective=99.99), "DK302", DocKind.SLO) == [
        (INFO, "slos[0].objective", "SLO 'requests-availability': 99.99% over 30d leaves 4m19s of budget")]
