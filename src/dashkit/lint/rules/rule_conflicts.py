"""DK213: two rules of one file with the same name and labels but different expressions, whose results can be the
same series."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ... import promql_ast as ast
from ..model import DocKind, Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import as_dict, as_list
from ._examples import alert, rules_file
from ._labels import result_labels
from ._promql import parse

P = DocKind.PROMETHEUS_RULES


def _rules(doc: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    for g, group in enumerate(as_list(doc.data.get("groups"))):
        for r, rule in enumerate(as_list(as_dict(group).get("rules"))):
            if isinstance(rule, dict) and isinstance(rule.get("expr"), str):
                yield f"groups[{g}].rules[{r}]", rule


def _matchers_by_label(expr: str) -> dict[str, set[tuple[str, str]]]:
    """label -> the (operator, value) pairs the query's selectors filter it with."""
    tree = parse(expr)
    out: dict[str, set[tuple[str, str]]] = {}
    if isinstance(tree, ValueError):
        return out
    for selector in ast.selectors(tree):
        for label, op, value in selector.matchers:
            if label != "__name__":
                out.setdefault(label, set()).add((op, value))
    return out


def can_collide(first: str, second: str) -> bool:
    """Whether two queries can return a series with the same labels. They cannot when their results have different
    label sets, or when both keep a label that they filter to different values (`code=~"2.."` and `code=~"5.."`:
    one rule per status class, by design)."""
    a, b = result_labels(first), result_labels(second)
    if a.closed and b.closed and a.names != b.names:
        return False
    matchers_a, matchers_b = _matchers_by_label(first), _matchers_by_label(second)
    for label in matchers_a.keys() & matchers_b.keys():
        if not a.lacks(label) and not b.lacks(label) and matchers_a[label] != matchers_b[label]:
            return False
    return True


@register
class ConflictingRule(Rule):
    code = "DK213"
    name = "rule-name-conflict"
    severity = Severity.WARNING
    summary = ("Two rules of one file have the same name and labels but different expressions, and nothing in their "
               "results tells them apart.")
    why = ("Both write the same series: a recording rule's samples clash ('duplicate sample for timestamp') and an "
           "alert's state and annotations flip between the two definitions. promtool check rules warns about it; "
           "usually one is a stale copy. Rename one, or give them a distinguishing label.")
    applies_to = (P,)
    good = (Example(rules_file(alert(expr='sum by (job) (rate(errors_total{code=~"5.."}[5m])) > 1'),
                               alert(expr='sum by (job) (rate(errors_total{code=~"4.."}[5m])) > 1',
                                     labels={"severity": "warning"})), P),
            Example(rules_file({"record": "code:requests:rate5m",
                                "expr": 'sum by (code) (rate(requests_total{code=~"2.."}[5m]))'},
                               {"record": "code:requests:rate5m",
                                "expr": 'sum by (code) (rate(requests_total{code=~"5.."}[5m]))'}), P,
                    note="one rule per status class: the kept code label tells them apart"))
    bad = (Example(rules_file(alert(name="HostHighCpu", expr='avg by (instance) (rate(node_cpu_seconds_total'
                                                             '{mode!="idle"}[5m])) > 0.9'),
                              alert(name="HostHighCpu", expr="node_load5 / count by (instance) "
                                                             '(node_cpu_seconds_total{mode="idle"}) > 2')), P),)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        seen: dict[tuple[bool, str], list[tuple[str, dict, str]]] = {}
        for path, rule in _rules(doc):
            name = rule.get("alert") or rule.get("record")
            if not isinstance(name, str) or not name:
                continue
            labels, expr = as_dict(rule.get("labels")), rule["expr"]
            earlier = seen.setdefault(("alert" in rule, name), [])
            clash = next((where for where, other_labels, other in earlier if _same_labels(other_labels, labels)
                          and _differ(other, expr) and can_collide(other, expr)), None)
            if clash is not None:
                what = "alert" if "alert" in rule else "recording rule"
                yield self.finding(doc, f"{path}.expr", f"{what} '{name}' has the name and labels of {clash} with a "
                                                        "different expression, and their results can be the same "
                                                        "series")
            earlier.append((path, labels, expr))


def _same_labels(first: dict, second: dict) -> bool:
    return {str(k): str(v) for k, v in first.items()} == {str(k): str(v) for k, v in second.items()}


def _differ(first: str, second: str) -> bool:
    """Whether two expressions differ other than in white space (the same one twice is DK208's)."""
    return first != second and first.split() != second.split()
