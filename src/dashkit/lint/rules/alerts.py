"""DK2xx: alert and recording rules, Grafana-managed or in Prometheus rule files (plain, PrometheusRule,
multi-document): valid expressions, the annotations on-call needs, sane timings, templates, no duplicates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...durations import parse_duration
from ...gotemplate import template_errors
from ..model import DocKind, Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import as_dict, as_list
from ._examples import alert, grafana_group, grafana_rule, rules_file
from ._promql import parse, rule_queries

RULE_DOCS = (DocKind.PROMETHEUS_RULES, DocKind.GRAFANA_RULES)
P, G = DocKind.PROMETHEUS_RULES, DocKind.GRAFANA_RULES
_DASHBOARD_VARIABLE = re.compile(r"\$__\w+|\$\{\w+|\[\[\w+")
DEFAULT_EVALUATION_INTERVAL = 60.0  # Prometheus's global evaluation_interval when its configuration sets none


def alerting_rules(doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON path, rule) for each alerting rule (recording rules have no annotations or severity to check)."""
    if doc.kind is DocKind.PROMETHEUS_RULES:
        for g, group in enumerate(as_list(doc.data.get("groups"))):
            for r, rule in enumerate(as_list(as_dict(group).get("rules"))):
                if isinstance(rule, dict) and "alert" in rule:
                    yield f"groups[{g}].rules[{r}]", rule
    else:
        for r, rule in enumerate(as_list(doc.data.get("rules"))):
            if isinstance(rule, dict) and not rule.get("record"):
                yield f"rules[{r}]", rule


def _name(rule: dict[str, Any]) -> str:
    return str(rule.get("alert") or rule.get("title") or rule.get("record") or "")


def _intervals(doc: Document) -> Iterator[tuple[str, float | None, list[tuple[str, dict]]]]:
    """(group path, evaluation interval in seconds or None when the group sets none, [(rule path, rule)])."""
    if doc.kind is DocKind.PROMETHEUS_RULES:
        for g, group in enumerate(as_list(doc.data.get("groups"))):
            if isinstance(group, dict):
                rules = [(f"groups[{g}].rules[{r}]", rule) for r, rule in enumerate(as_list(group.get("rules")))
                         if isinstance(rule, dict)]
                interval = group.get("interval")
                yield f"groups[{g}]", None if interval in (None, "") else _seconds(interval), rules
    else:
        rules = [(f"rules[{r}]", rule) for r, rule in enumerate(as_list(doc.data.get("rules")))
                 if isinstance(rule, dict)]
        interval = doc.data.get("interval") or doc.facts.get("interval")
        yield "", None if interval in (None, "") else _seconds(interval), rules


def _seconds(value: Any) -> float:
    try:
        return parse_duration(value)
    except ValueError:
        return 60.0


@register
class InvalidRuleExpression(Rule):
    code = "DK201"
    name = "rule-expr-invalid"
    severity = Severity.ERROR
    summary = "An alert or recording rule's PromQL does not parse."
    why = "Prometheus refuses to load the whole rule file; Grafana marks the rule as erroring and never fires it."
    applies_to = RULE_DOCS
    good = (Example(rules_file(alert()), P), Example(grafana_group(), G))
    bad = (Example(rules_file(alert(expr="sum(rate(errors_total[5m]) > 1")), P),
           Example(grafana_group(grafana_rule(expr="sum(rate(errors_total[5m])")), G))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for query in rule_queries(doc):
            tree = parse(query.expr)
            if isinstance(tree, ValueError):
                yield self.finding(doc, query.path, f"invalid PromQL in '{query.panel_title}': {tree}")


class RequiredField(Rule):
    """An alerting rule must carry `section`.`key` (an annotation or a label) with a non-empty value."""

    section: str = "annotations"
    key: str = ""
    applies_to = RULE_DOCS

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for path, rule in alerting_rules(doc):
            value = as_dict(rule.get(self.section)).get(self.key)
            if isinstance(value, (list, dict)):
                continue  # DK211 reports the wrong type
            if not str(value or "").strip() and not self.stands_in(rule):
                what = "label" if self.section == "labels" else "annotation"
                yield self.finding(doc, f"{path}.{self.section}", f"alert '{_name(rule)}' has no {self.key} {what}")

    def stands_in(self, rule: dict[str, Any]) -> bool:
        """Whether something else in the rule does the field's job."""
        return False


@register
class MissingSummary(RequiredField):
    code = "DK202"
    name = "alert-summary"
    severity = Severity.WARNING
    summary = "An alert has no `summary` annotation."
    why = "The summary is the one line a notification shows; without it on-call gets a bare rule name."
    key = "summary"
    good = (Example(rules_file(alert()), P),)
    bad = (Example(rules_file(alert(annotations={"runbook_url": "https://runbooks.example.com/x"})), P),)


@register
class MissingRunbook(RequiredField):
    code = "DK203"
    name = "alert-runbook"
    severity = Severity.WARNING
    summary = "An alert has no `runbook_url` annotation."
    why = "At 3 a.m. the runbook link is the difference between acting and guessing."
    key = "runbook_url"
    good = (Example(rules_file(alert()), P),)
    bad = (Example(rules_file(alert(annotations={"summary": "Too many errors"})), P),
           Example(grafana_group(grafana_rule(annotations={"summary": "Too many errors"})), G))


@register
class MissingSeverity(RequiredField):
    code = "DK204"
    name = "alert-severity"
    severity = Severity.WARNING
    summary = "An alert has no `severity` label."
    why = ("Routing pages on severity: an alert without one goes to the default receiver, or nowhere. Another label "
           "that says how urgent the alert is can be routed on all the same: Sloth's `sloth_severity: page|ticket`, "
           "any `*_severity`, `priority` or `urgency` label, or a label whose value is `page` or `ticket`.")
    section, key = "labels", "severity"
    good = (Example(rules_file(alert()), P),
            Example(rules_file(alert(labels={"sloth_severity": "page", "team": "api"})), P,
                    note="Sloth's severity label (page or ticket)"))
    bad = (Example(rules_file(alert(labels={"team": "api"})), P),)

    def stands_in(self, rule: dict[str, Any]) -> bool:
        return _carries_urgency(as_dict(rule.get("labels")))


_URGENCY_LABELS = ("priority", "urgency")
_URGENCY_VALUES = ("page", "ticket", "pager", "paging")


def _carries_urgency(labels: dict[str, Any]) -> bool:
    """A label routing can tell a page from a ticket by: Sloth's `sloth_severity` (page, ticket), any
    `*_severity`, `priority` or `urgency` label, or a label whose value is page or ticket."""
    for name, value in labels.items():
        text = str(value or "").strip()
        if not text or isinstance(value, (list, dict)):
            continue
        name = str(name).lower()
        if name.endswith("severity") or name in _URGENCY_LABELS or text.lower() in _URGENCY_VALUES:
            return True
    return False


@register
class ConditionRef(Rule):
    code = "DK205"
    name = "alert-condition-ref"
    severity = Severity.ERROR
    summary = "A Grafana rule's condition, or one of its expressions, names a query that does not exist."
    why = "Grafana accepts the rule through the API but can never evaluate it: it sits in Error state."
    applies_to = (DocKind.GRAFANA_RULES,)
    good = (Example(grafana_group(), G),)
    bad = (Example(grafana_group(grafana_rule(condition="D")), G),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for r, rule in enumerate(as_list(doc.data.get("rules"))):
            if not isinstance(rule, dict):
                continue
            queries = [(q, query) for q, query in enumerate(as_list(rule.get("data"))) if isinstance(query, dict)]
            refs = [query.get("refId") for _, query in queries]
            if rule.get("condition") not in refs:
                yield self.finding(doc, f"rules[{r}].condition", f"rule '{_name(rule)}': condition "
                                   f"{rule.get('condition')!r} is not one of its refIds ({', '.join(map(str, refs))})")
            for q, query in queries:
                model = as_dict(query.get("model"))
                if query.get("datasourceUid") != "__expr__":
                    continue
                text = str(model.get("expression", ""))
                sources = re.findall(r"\$\{?([A-Za-z]\w*)", text) if model.get("type") == "math" else [text]
                for source in sources:
                    if source and source not in refs:
                        yield self.finding(doc, f"rules[{r}].data[{q}].model.expression",
                                           f"rule '{_name(rule)}': expression {query.get('refId')} reads "
                                           f"{source!r}, which is not a refId")


@register
class ForShorterThanInterval(Rule):
    code = "DK206"
    name = "alert-for-interval"
    severity = Severity.WARNING
    summary = "An alert's `for` is shorter than its group's evaluation interval."
    why = ("The rule is only evaluated every interval, so the effective `for` is the interval: the setting lies. "
           "A group that sets no interval runs at Prometheus's global `evaluation_interval`, which the file does "
           "not say: a `for` under the 1m default is then advice.")
    applies_to = RULE_DOCS
    good = (Example(rules_file(alert()), P),
            Example({"groups": [{"name": "fast", "rules": [alert(**{"for": "2m"})]}]}, P,
                    note="no interval, and a `for` no default evaluation interval exceeds"))
    bad = (Example(rules_file(alert(**{"for": "30s"}), interval="2m"), P),
           Example({"groups": [{"name": "fast", "rules": [alert(**{"for": "30s"})]}]}, P,
                   note="info: the group sets no interval, and the default 1m exceeds the `for`"))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for _, interval, rules in _intervals(doc):
            for path, rule in rules:
                if "alert" not in rule and "condition" not in rule:
                    continue
                pending = _seconds(rule.get("for", "0s"))
                if interval is None and 0 < pending < DEFAULT_EVALUATION_INTERVAL:
                    yield self.finding(doc, f"{path}.for", f"alert '{_name(rule)}': for {rule.get('for')} is shorter "
                                                           "than the default evaluation interval (1m), and the group "
                                                           "sets none", Severity.INFO)
                elif interval is not None and 0 < pending < interval:
                    yield self.finding(doc, f"{path}.for", f"alert '{_name(rule)}': for {rule.get('for')} is "
                                                           f"shorter than the evaluation interval")


@register
class InvalidTemplate(Rule):
    code = "DK207"
    name = "alert-template"
    severity = Severity.ERROR
    summary = "An annotation or label is not a valid Go template."
    why = "The notification fails to render: on-call gets an error text instead of the summary."
    applies_to = RULE_DOCS
    good = (Example(rules_file(alert(annotations={"summary": "{{ $labels.job }} is down",
                                                  "runbook_url": "https://runbooks.example.com/x"})), P),)
    bad = (Example(rules_file(alert(annotations={"summary": "{{ $labels.job is down",
                                                 "runbook_url": "https://runbooks.example.com/x"})), P),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for path, rule in alerting_rules(doc):
            for section in ("annotations", "labels"):
                for key, text in as_dict(rule.get(section)).items():
                    if (isinstance(text, str) and "{{" in text) or (isinstance(text, str) and "}}" in text):
                        problems = template_errors(text)
                        if problems:
                            yield self.finding(doc, f"{path}.{section}.{key}",
                                               f"alert '{_name(rule)}': {section[:-1]} {key}: {problems[0]}")


@register
class DuplicateRule(Rule):
    code = "DK208"
    name = "duplicate-rule"
    severity = Severity.ERROR
    summary = "The same rule is defined twice (same name, labels and expression, or the same Grafana uid or title)."
    why = ("Prometheus evaluates both and Alertmanager sends two notifications; Grafana keeps one rule per uid and "
           "(before 12.0) one title per folder.")
    applies_to = RULE_DOCS
    good = (Example(rules_file(alert(), alert(name="HighLatency")), P),)
    bad = (Example(rules_file(alert(), alert()), P),
           Example(grafana_group(grafana_rule(), grafana_rule(uid="other")), G))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        seen: dict[Any, str] = {}
        for _, _, rules in _intervals(doc):
            for path, rule in rules:
                if doc.kind is DocKind.PROMETHEUS_RULES:  # same output series computed the same way
                    expr = " ".join(str(rule.get("expr", "")).split())
                    labels = tuple(sorted((str(k), str(v)) for k, v in as_dict(rule.get("labels")).items()))
                    keys = [("rule", _name(rule), labels, expr)]
                else:
                    keys = [("uid", rule.get("uid")), ("title", rule.get("title"))]
                for key in keys:
                    if key[1] in (None, "") or not isinstance(key[1], (str, int, float)):
                        continue
                    if key in seen:
                        what = "uid" if key[0] == "uid" else "title" if key[0] == "title" else "name, labels and expr"
                        yield self.finding(doc, path, f"rule '{_name(rule)}' repeats the {what} of {seen[key]}")
                        break
                    seen[key] = path


@register
class DashboardVariableInRule(Rule):
    code = "DK209"
    name = "dashboard-variable-in-rule"
    severity = Severity.ERROR
    summary = "A Prometheus rule file uses a Grafana dashboard variable ($__rate_interval, $var)."
    why = "Prometheus does not interpolate Grafana variables: the rule file fails to load."
    applies_to = (DocKind.PROMETHEUS_RULES,)
    good = (Example(rules_file(alert()), P),)
    bad = (Example(rules_file(alert(expr="sum(rate(errors_total[$__rate_interval])) > 1")), P),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for query in rule_queries(doc):
            match = _DASHBOARD_VARIABLE.search(query.expr)
            if match:
                yield self.finding(doc, query.path, f"'{query.panel_title}' uses the Grafana variable "
                                                    f"{match.group(0)}; use a fixed duration such as [5m]")


@register
class DuplicateTitleInFolder(Rule):
    code = "DK210"
    name = "alert-title-in-folder"
    severity = Severity.WARNING
    summary = "Two Grafana-managed rules in the same folder have the same title."
    why = ("Grafana before 12.0 refuses the second one (titles were unique per folder until 12.0): the sync fails on "
           "those versions. Put each group in its own folder or give the rules distinct titles.")
    applies_to = (DocKind.GRAFANA_RULES,)
    project_wide = True

    def check_all(self, docs: list[Document], ctx: LintContext) -> Iterator[Finding]:
        seen: dict[tuple[str, str], str] = {}
        for doc in docs:
            folder = str(doc.data.get("folderUid") or doc.data.get("folder") or "")
            for path, rule in alerting_rules(doc):
                key = (folder, str(rule.get("title") or ""))
                if not key[1]:
                    continue
                if key in seen and seen[key] != doc.label:
                    yield self.finding(doc, f"{path}.title", f"rule '{key[1]}' has the same title as a rule of "
                                                             f"'{seen[key]}' in the same folder")
                seen.setdefault(key, doc.label)


@register
class MalformedRuleField(Rule):
    code = "DK211"
    name = "rule-field-type"
    severity = Severity.ERROR
    summary = ("A rule file field has the wrong type: labels or annotations that are not a mapping of strings, an "
               "`expr` that is not a string, a `for` that is not a duration, a rule that is not a mapping.")
    why = ("Prometheus refuses to load the whole rule file and Grafana rejects the rule group; the other checks "
           "cannot read such a rule either.")
    applies_to = RULE_DOCS
    good = (Example(rules_file(alert()), P), Example(grafana_group(), G))
    bad = (Example(rules_file(alert(labels={"severity": ["critical", "page"]})), P),
           Example(rules_file(alert(**{"for": 5})), P),
           Example(grafana_group(grafana_rule(annotations=["summary"])), G))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for path, message in _shape_problems(doc):
            yield self.finding(doc, path, message)


def _shape_problems(doc: Document) -> Iterator[tuple[str, str]]:
    if doc.kind is DocKind.GRAFANA_RULES:
        yield from _group_shape(doc.data, "", grafana=True)
        return
    groups = doc.data.get("groups")
    if not isinstance(groups, list):
        yield "groups", f"groups must be a list of rule groups, not {_kind(groups)}"
        return
    for g, group in enumerate(groups):
        if isinstance(group, dict):
            yield from _group_shape(group, f"groups[{g}].", grafana=False)
        else:
            yield f"groups[{g}]", f"a rule group must be a mapping with a name and rules, not {_kind(group)}"


def _group_shape(group: dict[str, Any], at: str, grafana: bool) -> Iterator[tuple[str, str]]:
    rules = group.get("rules")
    if not isinstance(rules, list):
        if rules is not None:
            yield f"{at}rules", f"rules must be a list, not {_kind(rules)}"
        return
    for r, rule in enumerate(rules):
        where = f"{at}rules[{r}]"
        if not isinstance(rule, dict):
            yield where, f"a rule must be a mapping, not {_kind(rule)}"
            continue
        for key in ("alert", "record", "title", "uid"):
            if key in rule and not isinstance(rule[key], str):
                yield f"{where}.{key}", f"{key} must be a string, not {_kind(rule[key])}"
        if "for" in rule and not _is_duration_text(rule["for"]):
            yield f"{where}.for", f"for must be a duration such as '5m', not {_kind(rule['for'])}"
        for section in ("labels", "annotations"):
            values = rule.get(section)
            if values is not None and not isinstance(values, dict):
                yield f"{where}.{section}", f"{section} must be a mapping of names to strings, not {_kind(values)}"
                continue
            for key, value in (values or {}).items():
                if isinstance(value, (list, dict)):
                    yield (f"{where}.{section}.{key}",
                           f"{section[:-1]} '{key}' must be a string, not {_kind(value)}")
        if grafana:
            yield from _queries_shape(rule.get("data"), f"{where}.data")
            continue
        expr = rule.get("expr", "")
        if isinstance(expr, bool) or not isinstance(expr, (str, int, float)):  # YAML reads `expr: 1` as a number
            yield f"{where}.expr", f"expr must be a PromQL string, not {_kind(expr)}"


def _queries_shape(data: Any, at: str) -> Iterator[tuple[str, str]]:
    """A Grafana rule's `data`: a list of query mappings, each with a mapping `model` whose `expr` is a string."""
    if not isinstance(data, list):
        if data is not None:
            yield at, f"data must be a list of queries, not {_kind(data)}"
        return
    for q, query in enumerate(data):
        model = query.get("model") if isinstance(query, dict) else None
        if not isinstance(query, dict):
            yield f"{at}[{q}]", f"a query must be a mapping, not {_kind(query)}"
        elif model is not None and not isinstance(model, dict):
            yield f"{at}[{q}].model", f"a query's model must be a mapping, not {_kind(model)}"
        elif isinstance(model, dict) and "expr" in model and not isinstance(model["expr"], str):
            yield f"{at}[{q}].model.expr", f"expr must be a PromQL string, not {_kind(model['expr'])}"


def _is_duration_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_duration(value)
    except ValueError:
        return False
    return True


def _kind(value: Any) -> str:
    """How a message names a wrong value without printing all of it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else type(value).__name__
