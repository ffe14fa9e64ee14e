"""DK12x: dashboard variables: a datasource picker, job/instance filters, refresh, and variables that are
used but not defined, or defined but never used."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ... import promql_ast as ast
from ...datasource_refs import logical_name
from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import BUILTIN_VARIABLES, all_strings, as_list, doc_panels, referenced_variables, targets, variables
from ._examples import DS_VAR, dashboard, panel, query_var
from ._promql import Query, dashboard_queries, label_values_queries, parse, selectors_of


def _uses_prometheus(doc: Document) -> bool:
    return bool(dashboard_queries(doc))


@register
class DatasourceVariable(Rule):
    code = "DK120"
    name = "template-datasource"
    severity = Severity.INFO
    summary = "A Prometheus dashboard has no datasource variable (and no logical datasource names)."
    why = ("A datasource picker lets one dashboard serve every Prometheus (clusters, regions, environments). A "
           "dashboard exported for sharing (`__inputs` with a datasource) has its datasource picked on import.")
    aliases = ("template-datasource-rule",)
    good = (Example(dashboard()),
            Example(dashboard(panel(datasource="${DS_PROMETHEUS}", targets=[{"refId": "A", "expr": "up"}]),
                              variables=[], __inputs=[{"name": "DS_PROMETHEUS", "type": "datasource",
                                                       "pluginId": "prometheus"}]),
                    note="exported for sharing: Grafana's import asks for the datasource"))
    bad = (Example(dashboard(panel(datasource={"type": "prometheus", "uid": "prom"},
                                   targets=[{"refId": "A", "expr": "up"}]), variables=[])),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        has_picker = any(v.get("type") == "datasource" for v in variables(doc.data)) or any(
            isinstance(i, dict) and i.get("type") == "datasource" for i in as_list(doc.data.get("__inputs")))
        logical = any(logical_name(ds) for ref in doc_panels(doc)
                      for ds in (ref.panel.get("datasource"), *(t.get("datasource") for _, t in targets(ref))))
        if not has_picker and not logical and _uses_prometheus(doc):
            yield self.finding(doc, "templating.list", "no datasource variable: add one of type prometheus "
                                                       "(or use logical datasource names)")


TARGET_LABELS = ("job", "instance", "service", "namespace", "pod", "container", "cluster", "node", "host")


@register
class JobInstanceVariables(Rule):
    code = "DK121"
    name = "template-target-filter"
    severity = Severity.INFO
    summary = ("A Prometheus dashboard has no variable to narrow its queries to a target (job, instance, "
               "service...), and every query adds all targets up.")
    why = ("Without one every panel aggregates every target; a filter per job, instance or service keeps it usable. "
           "A variable of another name that the queries filter on counts (`ingress=~\"$ingress\"`), and so does "
           "an ad hoc filter. An overview that shows each target apart (`by (instance)`, `{{pod}}` in a legend, or "
           "series not aggregated) needs none: it is how the targets compare.")
    aliases = ("template-job-rule", "template-instance-rule")
    good = (Example(dashboard(variables=[DS_VAR, query_var("job", "label_values(up, job)"),
                                         query_var("instance", 'label_values(up{job=~"$job"}, instance)')])),
            Example(dashboard(panel(expr="sum by (instance) (rate(http_requests_total[$__rate_interval]))")),
                    note="an overview that shows each instance apart"))
    bad = (Example(dashboard()),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        found = variables(doc.data)
        names = {v.get("name") for v in found if isinstance(v.get("name"), str)}
        if not _uses_prometheus(doc) or names & set(TARGET_LABELS) or any(v.get("type") == "adhoc" for v in found):
            return
        filters = {str(name) for name in names} - {str(v.get("name")) for v in found if v.get("type") == "datasource"}
        if any(_filtered_by(query.expr, filters) or _apart(query) for query in dashboard_queries(doc)):
            return
        yield self.finding(doc, "templating.list", "no variable narrows the queries to a target: add one "
                                                   "such as job, instance or service")


def _filtered_by(expr: str, names: set[str]) -> bool:
    """A label matcher of the query takes its value from one of these variables."""
    written = referenced_variables(expr) & names
    return bool(written) and any(name in value for selector in selectors_of(expr)
                                 for label, _, value in selector.matchers if label != "__name__" for name in written)


_KEEPS_LABELS = ("topk", "bottomk", "limitk", "limit_ratio")


def _apart(query: Query) -> bool:
    """The query shows targets apart: a legend names a target label, or its result keeps one (series not
    aggregated, or aggregated `by` a target label or `without` other labels)."""
    legend = query.target.get("legendFormat")
    if isinstance(legend, str) and any(f"{{{{{label}}}}}" in legend.replace(" ", "") for label in TARGET_LABELS):
        return True
    tree = parse(query.expr)
    return not isinstance(tree, ValueError) and _keeps_target(tree)


def _keeps_target(node: Any) -> bool:
    name = ast.kind(node)
    if name == "AggregateExpr" and ast.aggregation_op(node) not in _KEEPS_LABELS:
        labels = ast.aggregation_labels(node)
        if labels is None:
            return False
        mode, kept = labels
        return bool(set(kept) & set(TARGET_LABELS)) if mode == "by" else not set(kept) & {"job", "instance"}
    if name in ("VectorSelector", "MatrixSelector"):
        return True
    return any(_keeps_target(child) for child in ast.children(node))


@register
class VariableRefresh(Rule):
    code = "DK122"
    name = "variable-refresh"
    severity = Severity.INFO
    summary = ("A query variable over things that come and go (instances, pods, nodes, namespaces...) does not "
               "refresh when the time range changes, or a query variable never refreshes.")
    why = ("Its options go stale: instances that appeared since the dashboard loaded cannot be picked, nor those of a "
           "past time range. A variable that never refreshes (`refresh: 0`) offers the options saved in the file. "
           "Refreshing on load is enough for values that stay (jobs, clusters, ports, backends).")
    aliases = ("template-on-time-change-reload-rule",)
    good = (Example(dashboard(variables=[DS_VAR, query_var("job", "label_values(up, job)")])),
            Example(dashboard(variables=[DS_VAR, query_var("job", "label_values(up, job)", refresh=1)]),
                    note="jobs stay: refreshing on load is enough"))
    bad = (Example(dashboard(variables=[DS_VAR, query_var("instance", "label_values(up, instance)", refresh=1)])),
           Example(dashboard(variables=[DS_VAR, query_var("job", "label_values(up, job)", refresh=0)])))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for index, var in enumerate(variables(doc.data)):
            if var.get("type") != "query" or var.get("refresh") in (2, "2"):
                continue
            name = var.get("name")
            if var.get("refresh") in (0, "0"):
                yield self.finding(doc, f"templating.list[{index}].refresh",
                                   f"variable '{name}' never refreshes: it offers the options saved in the file; "
                                   "refresh on time range change (refresh: 2)")
            elif _comes_and_goes(name):
                yield self.finding(doc, f"templating.list[{index}].refresh",
                                   f"variable '{name}' should refresh on time range change (refresh: 2)")


# What a variable picks when its values come and go (by its name: `port` may read the instance label)
_TRANSIENT = frozenset({"instance", "instances", "pod", "pods", "container", "containers", "node", "nodes",
                        "nodename", "host", "hosts", "hostname", "namespace", "namespaces", "ingress", "controller",
                        "stream", "deployment", "statefulset", "daemonset", "replicaset", "workload", "created_by",
                        "scaledobject", "scaledjob", "pvc", "persistentvolumeclaim", "volume"})


def _comes_and_goes(name: Any) -> bool:
    if not isinstance(name, str):
        return False
    lowered = name.lower()
    return lowered in _TRANSIENT or lowered.rsplit("_", 1)[-1] in _TRANSIENT


def _defined(doc: Document) -> set[str]:
    """Variables, and the `__inputs` of a dashboard exported for sharing: Grafana's import replaces
    `${DS_PROMETHEUS}` with the datasource (or constant) picked while importing."""
    inputs = {str(i.get("name")) for i in as_list(doc.data.get("__inputs")) if isinstance(i, dict) and i.get("name")}
    return {str(v.get("name")) for v in variables(doc.data) if v.get("name")} | inputs


def _scopes(doc: Document) -> dict:
    """The dashboard without its variables' own names and current values (which are not usages)."""
    scopes = {k: v for k, v in doc.data.items() if k not in ("templating", "__inputs", "__requires")}
    for index, var in enumerate(variables(doc.data)):
        scopes[f"templating.list[{index}]"] = {k: v for k, v in var.items()
                                               if k not in ("name", "current", "options", "label")}
    return scopes


def _used_names(doc: Document) -> set[str]:
    """Every variable name referenced anywhere (one regex pass over the serialised dashboard), and the variables
    panels and rows repeat by (`"repeat": "instance"`, without a `$`)."""
    cached = doc.facts.get("_used_variables")
    if cached is None:
        cached = doc.facts["_used_variables"] = referenced_variables(json.dumps(_scopes(doc))) | _repeated(doc)
    return cached


def _repeated(doc: Document) -> set[str]:
    rows = [row for row in as_list(doc.data.get("rows")) if isinstance(row, dict)]
    return {item["repeat"] for item in [*(ref.panel for ref in doc_panels(doc, include_rows=True)), *rows]
            if isinstance(item.get("repeat"), str) and item["repeat"]}


def _uses(doc: Document, name: str) -> list[str]:
    return [path for path, text in all_strings(_scopes(doc))
            if ("$" in text or "[[" in text) and name in referenced_variables(text)]


_QUERY_KEYS = ("expr", "query", "datasource", "rawSql", "target", "definition")


def _in_a_query(path: str) -> bool:
    """A query, a datasource reference or a variable's query: there an undefined variable reaches the database."""
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return last in _QUERY_KEYS or ".datasource." in f".{path}." or (".targets[" in path and last == "uid")


# InfluxDB's query builder fields: a query switched to Prometheus keeps them, and Grafana ignores them
_INFLUX_BUILDER = ("groupBy", "select", "tags", "measurement", "policy", "alias", "orderByTime", "resultFormat")
_TARGET_FIELD = re.compile(r"^(.*\.targets\[\d+\])\.(\w+)")
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _leftover(doc: Document, path: str) -> bool:
    """A string in a query builder field of another datasource than the query's: InfluxDB's `groupBy`, `select`,
    `tags`... in a query that has a PromQL or LogQL `expr`. The datasource never reads it."""
    match = _TARGET_FIELD.match(path)
    if match is None or match.group(2) not in _INFLUX_BUILDER:
        return False
    target: Any = doc.data
    for key, index in _STEP.findall(match.group(1)):
        if key and isinstance(target, dict):
            target = target.get(key)
        elif index and isinstance(target, list) and int(index) < len(target):
            target = target[int(index)]
        else:
            return False
    return isinstance(target, dict) and isinstance(target.get("expr"), str) and bool(target["expr"].strip())


@register
class UndefinedVariable(Rule):
    code = "DK123"
    name = "undefined-variable"
    severity = Severity.ERROR
    summary = ("A query or datasource uses a `$variable` the dashboard does not define (an error), or a title, "
               "description or link does (a warning).")
    why = ("Grafana leaves the text as it is: `$cluster` goes to Prometheus verbatim and the panel shows no data; in "
           "a title or a link the reader sees `$cluster`. Names in `__inputs` are defined: Grafana's import replaces "
           "them.")
    good = (Example(dashboard()),
            Example(dashboard(panel(datasource={"type": "prometheus", "uid": "${DS_PROMETHEUS}"}),
                              __inputs=[{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}]),
                    note="a dashboard exported for sharing externally"))
    bad = (Example(dashboard(panel(expr='sum(rate(http_requests_total{cluster="$cluster"}[5m]))'))),
           Example(dashboard(panel(title="Requests in $cluster")), note="a warning: only the title is wrong"))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        defined = _defined(doc)
        for name in sorted(_used_names(doc)):
            if name in defined or name in BUILTIN_VARIABLES or name.startswith("__") or name.isdigit():
                continue
            uses = [path for path in _uses(doc, name) if not path.startswith("links") and not _leftover(doc, path)]
            if not uses:
                continue
            in_queries = [path for path in uses if _in_a_query(path)]
            if in_queries:
                yield self.finding(doc, in_queries[0], f"${name} is not defined in templating")
            else:
                yield self.finding(doc, uses[0], f"${name} is not defined in templating: the text shows "
                                                 f"'${name}' as it is", Severity.WARNING)


@register
class UnusedVariable(Rule):
    code = "DK124"
    name = "unused-variable"
    severity = Severity.INFO
    summary = "A variable the dashboard shows as a picker is never used."
    why = ("A picker that changes nothing misleads whoever uses it during an incident. Hidden variables (`hide: 2`) "
           "are helpers nobody picks, and a variable panels or rows repeat by is used.")
    good = (Example(dashboard()),
            Example(dashboard(panel(repeat="instance"),
                              variables=[DS_VAR, query_var("instance", "label_values(up, instance)")]),
                    note="used by `repeat`, which names the variable without a $"),
            Example(dashboard(variables=[DS_VAR, {"type": "custom", "name": "region", "query": "eu,us",
                                                  "hide": 2}]),
                    note="a hidden helper variable"))
    bad = (Example(dashboard(variables=[DS_VAR, {"type": "custom", "name": "region", "query": "eu,us"}])),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        used = _used_names(doc)
        linked = any(link.get("includeVars") for link in as_list(doc.data.get("links")) if isinstance(link, dict))
        for index, var in enumerate(variables(doc.data)):
            name = var.get("name")
            if not name or not isinstance(name, str) or linked or var.get("hide") in (2, "2"):
                continue
            if name not in used and var.get("type") not in ("adhoc", "interval", "constant"):
                yield self.finding(doc, f"templating.list[{index}]", f"variable '{name}' is never used")


@register
class LabelValuesQuery(Rule):
    code = "DK125"
    name = "label-values-query"
    severity = Severity.ERROR
    summary = "A `label_values(...)` variable query is not valid PromQL."
    why = "The variable has no options, so every panel filtering on it is empty."
    aliases = ("template-label-promql-rule",)
    good = (Example(dashboard(variables=[DS_VAR, query_var("job", 'label_values(up{env="prod"}, job)')])),)
    bad = (Example(dashboard(variables=[DS_VAR, query_var("job", 'label_values(up{env="prod", job)')])),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for path, inner, _label in label_values_queries(doc):
            tree = parse(inner)
            if isinstance(tree, ValueError):
                yield self.finding(doc, path, f"label_values selector does not parse: {tree}")
