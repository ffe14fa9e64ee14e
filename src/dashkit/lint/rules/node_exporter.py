"""DK142: queries of node_exporter metrics by names that node_exporter no longer exposes (the 0.16 renames, and the
few since), checked offline; with `--prometheus` DK140 checks every metric name against the real server."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from ... import promql_ast as ast
from ..model import DocKind, Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import as_dict, as_list
from ._examples import alert, dashboard, panel, rules_file
from ._promql import Query, label_values_queries, nodes, queries

# Old name -> what replaced it, from node_exporter's CHANGELOG and its docs/example-16-compatibility-rules*.yml and
# docs/example-17-compatibility-rules*.yml (the upstream translation rules between the two naming schemes).
RENAMED: dict[str, str] = {
    # 0.16.0 (2018-05): base units and _total suffixes
    "node_bcache_cache_read_races_total": "node_bcache_cache_read_races",
    "node_buddyinfo_count": "node_buddyinfo_blocks",
    "node_boot_time": "node_boot_time_seconds",
    "node_time": "node_time_seconds",
    "node_context_switches": "node_context_switches_total",
    "node_forks": "node_forks_total",
    "node_intr": "node_intr_total",
    "node_cpu": "node_cpu_seconds_total",
    "node_disk_bytes_read": "node_disk_read_bytes_total",
    "node_disk_bytes_written": "node_disk_written_bytes_total",
    "node_disk_io_time_ms": "node_disk_io_time_seconds_total",
    "node_disk_io_time_weighted": "node_disk_io_time_weighted_seconds_total",
    "node_disk_reads_completed": "node_disk_reads_completed_total",
    "node_disk_reads_merged": "node_disk_reads_merged_total",
    "node_disk_read_time_ms": "node_disk_read_time_seconds_total",
    "node_disk_writes_completed": "node_disk_writes_completed_total",
    "node_disk_writes_merged": "node_disk_writes_merged_total",
    "node_disk_write_time_ms": "node_disk_write_time_seconds_total",
    "node_filesystem_free": "node_filesystem_free_bytes",
    "node_filesystem_avail": "node_filesystem_avail_bytes",
    "node_filesystem_size": "node_filesystem_size_bytes",
    "node_infiniband_port_data_received_bytes": "node_infiniband_port_data_received_bytes_total",
    "node_infiniband_port_data_transmitted_bytes": "node_infiniband_port_data_transmitted_bytes_total",
    "node_interrupts": "node_interrupts_total",
    **{f"node_memory_{field}": f"node_memory_{field}_bytes" for field in (
        "Active", "Active_anon", "Active_file", "AnonHugePages", "AnonPages", "Bounce", "Buffers", "Cached",
        "CommitLimit", "Committed_AS", "DirectMap2M", "DirectMap4k", "Dirty", "HardwareCorrupted", "Hugepagesize",
        "Inactive", "Inactive_anon", "Inactive_file", "KernelStack", "Mapped", "MemAvailable", "MemFree",
        "MemTotal", "Mlocked", "NFS_Unstable", "PageTables", "Shmem", "ShmemHugePages", "ShmemPmdMapped", "Slab",
        "SReclaimable", "SUnreclaim", "SwapCached", "SwapFree", "SwapTotal", "Unevictable", "VmallocChunk",
        "VmallocTotal", "VmallocUsed", "Writeback", "WritebackTmp")},
    **{f"node_network_{way}_{what}": f"node_network_{way}_{what}_total" for way in ("receive", "transmit")
       for what in ("bytes", "compressed", "drop", "errs", "fifo", "frame", "multicast", "packets")},
    "node_nfs_net_connections": "node_nfs_connections_total",
    "node_nfs_net_reads": "node_nfs_packets_total",
    "node_nfs_procedures": "node_nfs_requests_total",
    "node_nfs_rpc_authentication_refreshes": "node_nfs_rpc_authentication_refreshes_total",
    "node_nfs_rpc_operations": "node_nfs_rpcs_total",
    "node_nfs_rpc_retransmissions": "node_nfs_rpc_retransmissions_total",
    "node_textfile_mtime": "node_textfile_mtime_seconds",
    # 0.17.0: supervisord reports its processes' start time instead of their uptime
    "node_supervisord_uptime": "node_supervisord_start_time_seconds",
    # 1.0.0: cpufreq unit typo fixed; mdadm collector refactored
    "node_cpu_scaling_frequency_min_hrts": "node_cpu_scaling_frequency_min_hertz",
    "node_cpu_scaling_frequency_max_hrts": "node_cpu_scaling_frequency_max_hertz",
    "node_md_disks_active": 'node_md_disks{state="active"}',
    "node_md_is_active": "node_md_state",
}
# What changed besides the name, where the new metric is not a drop-in replacement.
NOTES = {
    "node_cpu": "; its cpu label is now '0', not 'cpu0', and guest time moved to node_cpu_guest_seconds_total",
    "node_disk_io_time_ms": " (seconds, not milliseconds)",
    "node_disk_read_time_ms": " (seconds, not milliseconds)",
    "node_disk_write_time_ms": " (seconds, not milliseconds)",
    "node_nfs_procedures": " (labels proto and method, not version and procedure)",
    "node_supervisord_uptime": " (a start time: the uptime is time() - node_supervisord_start_time_seconds)",
}
VERSION = {"node_supervisord_uptime": "0.17", "node_cpu_scaling_frequency_min_hrts": "1.0",
           "node_cpu_scaling_frequency_max_hrts": "1.0", "node_md_disks_active": "1.0", "node_md_is_active": "1.0"}
_NODE_NAME = re.compile(r"(?<![\w:])node_[\w:]*")


@functools.lru_cache(maxsize=65536)
def old_metrics(expr: str) -> tuple[str, ...]:
    """The renamed node_exporter metrics the query selects (by name or by a `__name__="..."` matcher)."""
    if "node_" not in expr or not any(name in RENAMED for name in _NODE_NAME.findall(expr)):
        return ()
    found = []
    for node in nodes(expr):
        if ast.kind(node) != "VectorSelector":
            continue
        selector = ast.selector_of(node)
        names = [selector.metric] + [v for label, op, v in selector.matchers if label == "__name__" and op == "="]
        found += [name for name in names if name in RENAMED]
    return tuple(dict.fromkeys(found))


@register
class RenamedNodeExporterMetric(Rule):
    code = "DK142"
    name = "node-exporter-renamed-metric"
    severity = Severity.WARNING
    summary = ("A query uses a node_exporter metric name that node_exporter no longer exposes (`node_cpu`, "
               "`node_memory_MemTotal`, `node_disk_io_time_ms`: renamed in 0.16).")
    why = ("Every node_exporter since 0.16 (2018) exposes these under new names with base units: the panel says "
           "'No data' and the alert never fires, without any error. Checked offline from node_exporter's rename "
           "table; with `--prometheus` DK140 checks every name against the real server instead.")
    applies_to = (DocKind.DASHBOARD, DocKind.PROMETHEUS_RULES, DocKind.GRAFANA_RULES)
    project_wide = True  # a compatibility recording rule anywhere in the project defines the old name again
    good = (Example(dashboard(panel(expr='sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}'
                                         '[$__rate_interval]))'))),
            Example(dashboard(panel(targets=[
                {"refId": "A", "expr": 'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))'},
                {"refId": "B", "expr": 'sum by (instance) (rate(node_cpu{mode!="idle"}[5m]))'}])),
                note="old and new names side by side, for both exporter versions: deliberate"))
    bad = (Example(dashboard(panel(expr='sum by (instance) (rate(node_cpu{mode!="idle"}[$__rate_interval]))'))),
           Example(rules_file(alert(name="HostOutOfMemory",
                                    expr="node_memory_MemAvailable / node_memory_MemTotal < 0.1")),
                   DocKind.PROMETHEUS_RULES))

    def check_all(self, docs: list[Document], ctx: LintContext) -> Iterator[Finding]:
        if ctx.prometheus:
            return
        recorded = {str(rule.get("record")) for doc in docs if doc.kind is DocKind.PROMETHEUS_RULES
                    for group in as_list(doc.data.get("groups")) for rule in as_list(as_dict(group).get("rules"))
                    if isinstance(rule, dict) and rule.get("record")}
        for doc in docs:
            for query, context in _queries_with_old_names(doc):
                for old in old_metrics(query.expr):
                    if old in recorded or _mentions(context, RENAMED[old].split("{")[0]):
                        continue
                    since = VERSION.get(old, "0.16")
                    yield self.finding(doc, query.path, f"'{old}' is '{RENAMED[old]}' since node_exporter {since}"
                                                        f"{NOTES.get(old, '')}")


def _mentions(text: str, metric: str) -> bool:
    return re.search(rf"(?<![\w:]){re.escape(metric)}(?![\w:])", text) is not None


def _queries_with_old_names(doc: Document) -> Iterator[tuple[Query, str]]:
    """Each query that uses an old name, with the text that may also use the new name on purpose: the panel's other
    queries, or the rule's expression and the name it records (a compatibility rule translating between schemes)."""
    if doc.kind is DocKind.DASHBOARD:
        found = [query for query in queries(doc) if old_metrics(query.expr)]
        if found:
            by_panel: dict[str, list[str]] = {}
            for query in queries(doc):
                by_panel.setdefault(query.path.rsplit(".targets[", 1)[0], []).append(query.expr)
            for query in found:
                yield query, "\n".join(by_panel[query.path.rsplit(".targets[", 1)[0]])
        for path, inner, _label in label_values_queries(doc):
            if old_metrics(inner):
                yield Query(path, inner), inner
    elif doc.kind is DocKind.PROMETHEUS_RULES:
        for g, group in enumerate(as_list(doc.data.get("groups"))):
            for r, rule in enumerate(as_list(as_dict(group).get("rules"))):
                expr = rule.get("expr") if isinstance(rule, dict) else None
                if isinstance(expr, str) and "node_" in expr and old_metrics(expr):
                    yield Query(f"groups[{g}].rules[{r}].expr", expr), f"{expr}\n{rule.get('record') or ''}"
    else:
        for query in queries(doc):
            if old_metrics(query.expr):
                yield query, query.expr
