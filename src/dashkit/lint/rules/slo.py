"""DK3xx: SLO definitions: valid specs, budgets that can be kept, and alerts that tell someone when they burn."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ...builders.slo_spec import SpecError, parse_document
from ...durations import format_duration, parse_duration
from ...slo.model import SLO
from ..model import DocKind, Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register

S = DocKind.SLO


def _spec(**slo) -> dict:
    base = {"name": "availability", "objective": 99.9, "sli": {"availability": {}},
            "alerting": {"name": "ApiAvailabilityBudgetBurn", "page_alert": {"labels": {"severity": "critical"}}}}
    return {"version": "dashkit/v1", "service": "api", "slos": [{**base, **slo}]}


def slos_of(doc: Document) -> list[SLO] | SpecError:
    """The SLO models of a document (already validated for a project), or the spec error. What Sloth accepts and
    dashkit's own format does not is set aside first (see `sloth_spec`)."""
    if "slos" in doc.facts:
        return doc.facts["slos"]
    cached = doc.facts.get("_slos")
    if cached is None:
        try:
            cached = parse_document(sloth_spec(doc.data)[0])
        except SpecError as exc:
            cached = exc
        doc.facts["_slos"] = cached
    return cached


SLI_PLUGIN_STAND_IN = "sloth_sli_plugin_stand_in[{{.window}}]"  # parses; no rule reads an SLO's queries
_ALERT_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def sloth_spec(data: Any) -> tuple[Any, list[tuple[str, str]]]:
    """A Sloth spec (`prometheus/v1`) as dashkit's checks read it, and (path, plugin id) for each SLI a plugin
    computes. Sloth accepts what dashkit's own format does not: SLO plugins (`slo_plugins` of the file, `plugins`
    of an SLO), which rework the rules Sloth generates; SLI plugins (`sli.plugin`), which generate the SLI's
    queries; and any alert name (Prometheus puts it in the `alertname` label, where `-` is fine). The spec is
    checked without the SLO plugins, with a stand-in for queries an SLI plugin makes (no check reads them) and for
    such alert names: objective, window, labels and alerting are still checked."""
    if not isinstance(data, Mapping) or data.get("version") != "prometheus/v1":
        return data, []
    slos = data.get("slos")
    plugin_slis: list[tuple[str, str]] = []
    out = {key: value for key, value in data.items() if key != "slo_plugins"}
    if isinstance(slos, list):
        cleaned = []
        for index, slo in enumerate(slos):
            if isinstance(slo, Mapping):
                slo = {key: value for key, value in slo.items() if key != "plugins"}
                sli = slo.get("sli")
                if isinstance(sli, Mapping) and len(sli) == 1 and isinstance(sli.get("plugin"), Mapping):
                    plugin_slis.append((f"slos[{index}].sli.plugin", str(sli["plugin"].get("id") or "")))
                    slo["sli"] = {"raw": {"error_ratio_query": SLI_PLUGIN_STAND_IN}}
                alerting = slo.get("alerting")
                name = alerting.get("name") if isinstance(alerting, Mapping) else None
                if isinstance(name, str) and name.strip() and not _ALERT_NAME.match(name):
                    slo["alerting"] = {**alerting, "name": "sloth_alert_name_stand_in"}
            cleaned.append(slo)
        out["slos"] = cleaned
    return out, plugin_slis


class SloRule(Rule):
    """A rule over each valid SLO of a document (invalid specs are DK301's business)."""

    applies_to = (S,)

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        result = slos_of(doc)
        if not isinstance(result, SpecError):
            for slo in result:
                for where, message in self.check_slo(slo):
                    yield self.finding(doc, f"{_index(slo, doc)}.{where}".strip("."), message)

    def check_slo(self, slo: SLO) -> Iterator[tuple[str, str]]:
        return iter(())


def _index(slo: SLO, doc: Document) -> str:
    names = [s.get("name") for s in doc.data.get("slos") or [] if isinstance(s, dict)]
    return f"slos[{names.index(slo.name)}]" if slo.name in names else ""


@register
class InvalidSlo(Rule):
    code = "DK301"
    name = "slo-invalid"
    severity = Severity.ERROR
    summary = ("An SLO spec is invalid (an objective outside 0-100 or written as a ratio like 0.995, window, "
               "queries, window placeholder, latency threshold...).")
    why = ("dashkit build refuses it, and Sloth-style generators would produce rules that measure nothing. What "
           "Sloth accepts in its own format (`prometheus/v1`) is valid: plugins (`slo_plugins`, an SLO's `plugins`, "
           "`sli.plugin`) and alert names with `-`. dashkit checks the rest of such a spec, and says at info that it "
           "cannot check the queries an SLI plugin generates.")
    applies_to = (S,)
    good = (Example(_spec(), S),
            Example({"version": "prometheus/v1", "service": "api", "slo_plugins": {"chain": [
                {"id": "sloth.dev/core/debug/v1", "config": {"msg": "hi"}}]},
                "slos": [{"name": "requests", "objective": 99.9, "plugins": {"chain": [
                    {"id": "sloth.dev/contrib/info_labels/v1", "config": {"labels": {"team": "api"}}}]},
                    "sli": {"events": {"error_query": 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
                                       "total_query": "sum(rate(http_requests_total[{{.window}}]))"}},
                    "alerting": {"name": "ApiHighErrorRate"}}]}, S,
                note="Sloth's SLO plugins are Sloth's business, not an error"))
    bad = (Example(_spec(objective=100), S), Example(_spec(objective=0.995), S),
           Example(_spec(sli={"latency": {"threshold": 0.3}}), S))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        result = slos_of(doc)
        if isinstance(result, SpecError):
            yield self.finding(doc, result.key, str(result).removeprefix(f"{result.key}: "))
        if "slos" in doc.facts:
            return  # a project's SLOs: dashkit's own format, validated when built
        for where, plugin in sloth_spec(doc.data)[1]:
            named = f" '{plugin}'" if plugin else ""
            yield self.finding(doc, where, f"the SLI comes from the Sloth plugin{named}: dashkit cannot read the "
                                           "queries it generates, so they are not checked", Severity.INFO)


@register
class BudgetTooSmall(SloRule):
    code = "DK302"
    name = "slo-budget-too-small"
    severity = Severity.INFO
    summary = "An SLO's error budget is less than 10 minutes of full outage over its window."
    why = ("Nobody can be paged, wake up and roll back inside it: the SLO is broken by the first incident and "
           "stops guiding decisions. 99.9% over 30 days allows 43 minutes; 99.99% only 4. Advice: a tight objective "
           "is a choice the owners may have made on purpose (with automated rollback, or for a critical path).")
    good = (Example(_spec(), S),)
    bad = (Example(_spec(objective=99.99), S),)

    def check_slo(self, slo: SLO) -> Iterator[tuple[str, str]]:
        budget = parse_duration(slo.period) * slo.error_budget
        if budget < 600:
            yield "objective", (f"SLO '{slo.name}': {slo.objective:g}% over {slo.period} leaves "
                                f"{format_duration(budget)} of budget")


@register
class SloWithoutAlerts(SloRule):
    code = "DK303"
    name = "slo-without-alerts"
    severity = Severity.INFO
    summary = "An SLO has no burn-rate alerting."
    why = "An SLO nobody is told about is a number on a dashboard: the budget is gone before anyone looks."
    good = (Example(_spec(), S),)
    bad = (Example(_spec(alerting=None), S),)

    def check_slo(self, slo: SLO) -> Iterator[tuple[str, str]]:
        if slo.alerting is None:
            yield "", f"SLO '{slo.name}' has no alerting"


@register
class PageWithoutSeverity(SloRule):
    code = "DK304"
    name = "slo-page-severity"
    severity = Severity.WARNING
    summary = "An SLO's page alert carries no `severity` label to route it by."
    why = "Routing pages on severity: a page alert without one is sent like any other alert, or nowhere."
    good = (Example(_spec(), S),)
    bad = (Example(_spec(alerting={"name": "ApiBudgetBurn", "page_alert": {"labels": {"team": "api"}}}), S),)

    def check_slo(self, slo: SLO) -> Iterator[tuple[str, str]]:
        alerting = slo.alerting
        if alerting and not alerting.page.disable and "severity" not in {**alerting.labels, **alerting.page.labels}:
            yield "alerting.page_alert", f"SLO '{slo.name}': the page alert has no severity label"
