"""DK12x: dashboard variables: a datasource picker, job/instance filters, refresh, and variables that are
used but not defined, or defined but never used."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ...datasources import logical_name
from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import BUILTIN_VARIABLES, all_strings, as_list, panels, referenced_variables, targets, variables
from ._examples import DS_VAR, dashboard, panel, query_var
from ._promql import dashboard_queries, label_values_queries, parse


def _uses_prometheus(doc: Document) -> bool:
    return bool(dashboard_queries(doc))


@register
class DatasourceVariable(Rule):
    code = "DK120"
    name = "template-datasource"
    severity = Severity.INFO
    summary = "A Prometheus dashboard has no datasource variable (and no logical datasource names)."
    why = "A datasource picker lets one dashboard serve every Prometheus (clusters, regions, environments)."
    aliases = ("template-datasource-rule",)
    good = (Example(dashboard()),)
    bad = (Example(dashboard(panel(datasource={"type": "prometheus", "uid": "prom"},
                                   targets=[{"refId": "A", "expr": "up"}]), variables=[])),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        has_picker = any(v.get("type") == "datasource" for v in variables(doc.data))
        logical = any(logical_name(ds) for ref in panels(doc.data)
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
    summary = "A Prometheus dashboard has no variable to narrow its queries to a target (job, instance, service...)."
    why = "Without one every panel aggregates every target; a filter per job, instance or service keeps it usable."
    aliases = ("template-job-rule", "template-instance-rule")
    good = (Example(dashboard(variables=[DS_VAR, query_var("job", "label_values(up, job)"),
                                         query_var("instance", 'label_values(up{job=~"$job"}, instance)')])),)
    bad = (Example(dashboard()),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        names = {v.get("name") for v in variables(doc.data) if isinstance(v.get("name"), str)}
        if _uses_prometheus(doc) and not names & set(TARGET_LABELS):
            yield self.finding(doc, "templating.list", "no variable narrows the queries to a target: add one "
                                                       "such as job, instance or service")


@register
class VariableRefresh(Rule):
    code = "DK122"
    name = "variable-refresh"
    severity = Severity.INFO
    summary = "A query variable does not refresh when the time range changes."
    why = "Its options go stale: instances that appeared since the dashboard loaded cannot be picked."
    aliases = ("template-on-time-change-reload-rule",)
    good = (Example(dashboard(variables=[DS_VAR, query_var("job", "label_values(up, job)")])),)
    bad = (Example(dashboard(variables=[DS_VAR, query_var("job", "label_values(up, job)", refresh=1)])),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for index, var in enumerate(variables(doc.data)):
            if var.get("type") == "query" and var.get("refresh") not in (2, "2"):
                yield self.finding(doc, f"templating.list[{index}].refresh",
                                   f"variable '{var.get('name')}' should refresh on time range change (refresh: 2)")


def _defined(doc: Document) -> set[str]:
    return {str(v.get("name")) for v in variables(doc.data) if v.get("name")}


def _scopes(doc: Document) -> dict:
    """The dashboard without its variables' own names and current values (which are not usages)."""
    scopes = {k: v for k, v in doc.data.items() if k != "templating"}
    for index, var in enumerate(variables(doc.data)):
        scopes[f"templating.list[{index}]"] = {k: v for k, v in var.items()
                                               if k not in ("name", "current", "options", "label")}
    return scopes


def _used_names(doc: Document) -> set[str]:
    """Every variable name referenced anywhere (one regex pass over the serialised dashboard)."""
    cached = doc.facts.get("_used_variables")
    if cached is None:
        cached = doc.facts["_used_variables"] = referenced_variables(json.dumps(_scopes(doc)))
    return cached


def _first_use(doc: Document, name: str) -> str:
    for path, text in all_strings(_scopes(doc)):
        if ("$" in text or "[[" in text) and name in referenced_variables(text):
            return path
    return ""


@register
class UndefinedVariable(Rule):
    code = "DK123"
    name = "undefined-variable"
    severity = Severity.ERROR
    summary = "A query or title uses a `$variable` the dashboard does not define."
    why = "Grafana leaves the text as it is: `$cluster` goes to Prometheus verbatim and the panel shows no data."
    good = (Example(dashboard()),)
    bad = (Example(dashboard(panel(expr='sum(rate(http_requests_total{cluster="$cluster"}[5m]))'))),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        defined = _defined(doc)
        for name in sorted(_used_names(doc)):
            if name in defined or name in BUILTIN_VARIABLES or name.startswith("__") or name.isdigit():
                continue
            path = _first_use(doc, name)
            if path and not path.startswith("links"):
                yield self.finding(doc, path, f"${name} is not defined in templating")


@register
class UnusedVariable(Rule):
    code = "DK124"
    name = "unused-variable"
    severity = Severity.INFO
    summary = "A dashboard variable is never used."
    why = "A picker that changes nothing misleads whoever uses it during an incident."
    good = (Example(dashboard()),)
    bad = (Example(dashboard(variables=[DS_VAR, {"type": "custom", "name": "region", "query": "eu,us"}])),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        used = _used_names(doc)
        linked = any(link.get("includeVars") for link in as_list(doc.data.get("links")) if isinstance(link, dict))
        for index, var in enumerate(variables(doc.data)):
            name = var.get("name")
            if not name or not isinstance(name, str) or linked:
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
