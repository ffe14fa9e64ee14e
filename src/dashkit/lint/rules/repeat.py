"""DK126: panels and rows repeated by a variable the dashboard does not define."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register
from ..walk import as_list, variables
from ._examples import DS_VAR, dashboard, panel, query_var

_CLUSTER = query_var("cluster", "label_values(up, cluster)")


@register
class RepeatByUnknownVariable(Rule):
    code = "DK126"
    name = "repeat-variable"
    severity = Severity.WARNING
    summary = "A panel or row repeats by a variable the dashboard does not define (names are case-sensitive)."
    why = ("Grafana finds no such variable and draws the panel once, unrepeated: the per-cluster (per-host...) view "
           "the dashboard promises is not there, and nothing says why.")
    good = (Example(dashboard(panel(repeat="cluster", repeatDirection="h",
                                    expr='sum(rate(http_requests_total{cluster="$cluster"}[$__rate_interval]))'),
                              variables=[DS_VAR, _CLUSTER])),)
    bad = (Example(dashboard(panel(repeat="cluster"))),
           Example(dashboard(panel(repeat="path"), variables=[DS_VAR, query_var("Path", "label_values(up, path)")])))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        names: set[str] | None = None
        for path, item, what in _repeated(doc.data):
            if names is None:
                names = {v["name"] for v in variables(doc.data) if isinstance(v.get("name"), str)}
            name = item["repeat"]
            if name in names:
                continue
            title = item.get("title") or ""
            yield self.finding(doc, f"{path}.repeat", f"{what} '{title}' repeats by '{name}', which is not a "
                                                      f"variable of this dashboard{_hint(name, names)}")


def _repeated(data: dict) -> Iterator[tuple[str, dict, str]]:
    """(path, panel or row, 'panel'|'row') of everything with a repeat: panels, rows, panels in rows, legacy rows."""
    scopes = [("panels", as_list(data.get("panels"))), ("rows", as_list(data.get("rows")))]
    for key, items in scopes:
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            if _repeats(item):
                yield f"{key}[{index}]", item, "row" if key == "rows" or item.get("type") == "row" else "panel"
            for inner_index, inner in enumerate(as_list(item.get("panels"))):
                if isinstance(inner, dict) and _repeats(inner):
                    yield f"{key}[{index}].panels[{inner_index}]", inner, "panel"


def _repeats(item: dict) -> bool:
    name = item.get("repeat")
    return isinstance(name, str) and bool(name.strip())


def _hint(name: str, names: set[str]) -> str:
    bare = name.strip().lstrip("$").strip("{}[]")
    if bare in names:
        return f"; write the name without '$': '{bare}'"
    same = sorted(n for n in names if n.lower() == bare.lower())
    return f"; did you mean '{same[0]}'?" if same else ""
