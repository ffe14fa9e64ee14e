"""DK212: alert annotations and labels that template a label the alert's query aggregates away."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..model import DocKind, Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import as_dict, as_list
from ._examples import alert, grafana_group, grafana_rule, rules_file
from ._labels import ResultLabels, result_labels

P, G = DocKind.PROMETHEUS_RULES, DocKind.GRAFANA_RULES
_LABEL_NAME = r"([A-Za-z_][A-Za-z0-9_]*)"
_DOLLAR_LABELS = re.compile(r"\$labels\." + _LABEL_NAME + r"|index\s+\$labels\s+\"" + _LABEL_NAME + '"')
_DOT_LABELS = re.compile(r"(?<![\w$)\]])\.Labels\." + _LABEL_NAME)
_SCOPE_CHANGE = re.compile(r"\{\{-?\s*(?:range|with|define|block|template)\b")
# Server-side expressions that pass the labels of their input through unchanged.
_LABEL_KEEPING_EXPRESSIONS = {"reduce", "threshold", "math", "resample"}


def templated_labels(text: str) -> list[str]:
    """Label names a Go template reads from the alert's labels: `$labels.x`, `index $labels "x"`, and `.Labels.x`
    where the dot is still the alert (no range/with/define in the text)."""
    names = [a or b for a, b in _DOLLAR_LABELS.findall(text)]
    if not _SCOPE_CHANGE.search(text):
        names += _DOT_LABELS.findall(text)
    return list(dict.fromkeys(names))


def _alert_queries(doc: Document) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(rule path, alerting rule, PromQL whose labels the alert's instances carry)."""
    if doc.kind is DocKind.PROMETHEUS_RULES:
        for g, group in enumerate(as_list(doc.data.get("groups"))):
            for r, rule in enumerate(as_list(as_dict(group).get("rules"))):
                if isinstance(rule, dict) and "alert" in rule and isinstance(rule.get("expr"), str):
                    yield f"groups[{g}].rules[{r}]", rule, rule["expr"]
        return
    for r, rule in enumerate(as_list(doc.data.get("rules"))):
        if isinstance(rule, dict) and not rule.get("record"):
            expr = _single_query(rule)
            if expr is not None:
                yield f"rules[{r}]", rule, expr


def _single_query(rule: dict[str, Any]) -> str | None:
    """The PromQL of a Grafana rule with one datasource query, whose expressions (reduce, threshold, math) keep its
    labels; None when several queries are combined or a classic condition drops the labels."""
    queries, expressions = [], []
    for query in as_list(rule.get("data")):
        model = as_dict(as_dict(query).get("model"))
        (expressions if as_dict(query).get("datasourceUid") == "__expr__" else queries).append(model)
    if len(queries) != 1 or not isinstance(queries[0].get("expr"), str):
        return None
    if any(model.get("type") not in _LABEL_KEEPING_EXPRESSIONS for model in expressions):
        return None
    return queries[0]["expr"]


@register
class AlertTemplateLabelMissing(Rule):
    code = "DK212"
    name = "alert-template-label"
    severity = Severity.WARNING
    summary = ("An alert's annotation or label uses `$labels.x` (`.Labels.x`) for a label its query aggregates away "
               "(`sum by (method)` with `$labels.instance`).")
    why = ("Templates see only the labels of the query's result: the notification says 'instance  is down' with "
           "a blank where the instance should be. Keep the label in `by (...)` or stop using it.")
    applies_to = (P, G)
    good = (Example(rules_file(alert(expr="sum by (instance) (rate(errors_total[5m])) > 1",
                                     annotations={"summary": "{{ $labels.instance }} serves errors",
                                                  "runbook_url": "https://runbooks.example.com/errors"})), P),
            Example(rules_file(alert(expr='up{job="api"} == 0',
                                     annotations={"summary": "{{ $labels.instance }} is down",
                                                  "runbook_url": "https://runbooks.example.com/up"})), P))
    bad = (Example(rules_file(alert(expr="sum by (method) (rate(errors_total[5m])) > 1",
                                    annotations={"summary": "{{ $labels.instance }} serves {{ $labels.method }} "
                                                            "errors",
                                                 "runbook_url": "https://runbooks.example.com/errors"})), P),
           Example(grafana_group(grafana_rule(annotations={
               "summary": "Errors on {{ .Labels.cluster }}",
               "runbook_url": "https://runbooks.example.com/errors"})), G))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for path, rule, expr in _alert_queries(doc):
            labels: ResultLabels | None = None
            own = set(as_dict(rule.get("labels"))) if doc.kind is DocKind.GRAFANA_RULES else set()
            for section in ("annotations", "labels"):
                for key, text in as_dict(rule.get(section)).items():
                    if not isinstance(text, str) or "abels" not in text:
                        continue
                    labels = labels or result_labels(expr)
                    missing = [n for n in templated_labels(text) if n not in own and labels.lacks(n)]
                    if missing:
                        yield self.finding(doc, f"{path}.{section}.{key}", _message(rule, section, key, missing,
                                                                                     labels))


def _message(rule: dict[str, Any], section: str, key: str, missing: list[str], labels: ResultLabels) -> str:
    name = rule.get("alert") or rule.get("title") or ""
    if labels.closed:
        kept = ", ".join(sorted(labels.names))
        result = f"its query keeps only {kept} ({labels.cause})" if kept else f"its query keeps no labels " \
                                                                                f"({labels.cause})"
    else:
        result = "its query drops it with without (...)"
    used = ", ".join(missing)
    return f"alert '{name}': {section[:-1]} {key} uses {used}, but {result}: it renders empty"
