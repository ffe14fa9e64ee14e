"""DK137: LogQL in Loki queries: a stream selector and balanced syntax (what can be checked without Loki)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import datasource_of, datasource_type, doc_panels, targets
from ._examples import dashboard

_SELECTOR = re.compile(r'\{\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"')


def logql_problem(expr: str) -> str | None:
    """Why a LogQL query cannot be valid, or None. Checks brackets, quotes and the stream selector."""
    stack: list[str] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    quote = None
    escaped = False
    for char in expr:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = None
            continue
        if char in "\"`":
            quote = char
        elif char in "([{":
            stack.append(char)
        elif char in ")]}" and (not stack or stack.pop() != pairs[char]):
            return f"unbalanced '{char}'"
    if quote:
        return "unterminated string"
    if stack:
        return f"unclosed '{stack[-1]}'"
    if not _SELECTOR.search(expr):
        return 'no stream selector such as {app="api"}: every LogQL query starts from one'
    return None


def _logs(title: str, expr: str) -> dict:
    ds = {"type": "loki", "uid": "${loki}"}
    return {"id": 1, "type": "logs", "title": title, "description": "Error lines.", "datasource": ds,
            "gridPos": {"h": 8, "w": 24, "x": 0, "y": 0}, "targets": [{"refId": "A", "expr": expr, "datasource": ds}]}


_LOKI_VAR = [{"type": "datasource", "name": "loki", "query": "loki"}]


@register
class InvalidLogql(Rule):
    code = "DK137"
    name = "logql-invalid"
    severity = Severity.ERROR
    summary = "A Loki query is not valid LogQL (unbalanced brackets or quotes, no stream selector)."
    why = "Loki rejects it: the logs panel shows an error instead of the lines you need during an incident."
    aliases = ("target-logql-rule",)
    good = (Example(dashboard(_logs("Errors", '{app="api"} |= "error"'), variables=_LOKI_VAR)),)
    bad = (Example(dashboard(_logs("Errors", '{app="api" |= "error"'), variables=_LOKI_VAR)),
           Example(dashboard(_logs("Errors", '|= "error"'), variables=_LOKI_VAR)))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        for ref in doc_panels(doc):
            for index, target in targets(ref):
                expr = target.get("expr")
                if not isinstance(expr, str) or not expr.strip():
                    continue
                if datasource_type(datasource_of(ref.panel, target), doc.data) != "loki":
                    continue
                problem = logql_problem(expr)
                if problem:
                    yield self.finding(doc, f"{ref.path}.targets[{index}].expr", f"invalid LogQL: {problem}")
