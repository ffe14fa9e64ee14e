"""DK3xx: SLO definitions: valid specs, budgets that can be kept, and alerts that tell someone when they burn."""

from __future__ import annotations

from collections.abc import Iterator

from ...durations import format_duration, parse_duration
from ...slo.model import SLO
from ...slo.spec import SpecError, parse_document
from ..model import DocKind, Document, Finding, Severity
from ..registry import Example, LintContext, Rule, register

S = DocKind.SLO


def _spec(**slo) -> dict:
    base = {"name": "availability", "objective": 99.9, "sli": {"availability": {}},
            "alerting": {"name": "ApiAvailabilityBudgetBurn", "page_alert": {"labels": {"severity": "critical"}}}}
    return {"version": "dashkit/v1", "service": "api", "slos": [{**base, **slo}]}


def slos_of(doc: Document) -> list[SLO] | SpecError:
    """The SLO models of a document (already validated for a project), or the spec error."""
    if "slos" in doc.facts:
        return doc.facts["slos"]
    try:
        return parse_document(doc.data)
    except SpecError as exc:
        return exc


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
    why = "dashkit build refuses it, and Sloth-style generators would produce rules that measure nothing."
    applies_to = (S,)
    good = (Example(_spec(), S),)
    bad = (Example(_spec(objective=100), S), Example(_spec(objective=0.995), S),
           Example(_spec(sli={"latency": {"threshold": 0.3}}), S))

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        result = slos_of(doc)
        if isinstance(result, SpecError):
            yield self.finding(doc, result.key, str(result).removeprefix(f"{result.key}: "))


@register
class BudgetTooSmall(SloRule):
    code = "DK302"
    name = "slo-budget-too-small"
    severity = Severity.WARNING
    summary = "An SLO's error budget is less than 10 minutes of full outage over its window."
    why = ("Nobody can be paged, wake up and roll back inside it: the SLO is broken by the first incident and "
           "stops guiding decisions. 99.9% over 30 days allows 43 minutes; 99.99% only 4.")
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
