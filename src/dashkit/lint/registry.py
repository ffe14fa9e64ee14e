"""Lint rules are small registered classes: a code, a name, a severity, a summary, why it matters, and good and
bad examples that drive both the parametrised test and the generated rule reference."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .metric_types import MetricTypes, well_known
from .model import DocKind, Document, Finding, Severity


@dataclass(frozen=True)
class Example:
    """A document (dashboard JSON, or rule file / Grafana rule group data) and what it shows."""

    data: dict[str, Any]
    kind: DocKind = DocKind.DASHBOARD
    note: str = ""


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    summary: ClassVar[str]
    why: ClassVar[str]
    applies_to: ClassVar[tuple[DocKind, ...]] = (DocKind.DASHBOARD,)
    aliases: ClassVar[tuple[str, ...]] = ()  # grafana/dashboard-linter rule names this rule replaces
    good: ClassVar[tuple[Example, ...]] = ()
    bad: ClassVar[tuple[Example, ...]] = ()
    project_wide: ClassVar[bool] = False  # check_all() sees every document (duplicate uids)
    classic_only: ClassVar[bool] = False  # about the classic JSON model only: not run on schema-v2 dashboards

    def check(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        return iter(())

    def check_all(self, docs: list[Document], ctx: LintContext) -> Iterator[Finding]:
        return iter(())

    def finding(self, doc: Document, location: str, message: str, severity: Severity | None = None) -> Finding:
        """A finding at the rule's severity, or at `severity` when this one is more (or less) certain."""
        return Finding(code=self.code, severity=severity or self.severity, message=message, path=doc.path,
                       location=doc.where(location), label=doc.label, rule=self.name)


@dataclass
class LintContext:
    scrape_interval: float = 15.0  # seconds; rate() ranges shorter than twice this lose samples
    metric_types: MetricTypes = field(default_factory=well_known)  # counter or gauge, and who says so
    prometheus: str | None = None  # the --prometheus URL: metric names are then checked there, not guessed


_RULES: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    for attr in ("code", "name", "summary", "why"):
        if not getattr(cls, attr, None):
            raise RuntimeError(f"lint rule {cls.__name__} has no {attr}")
    if cls.code in _RULES:
        raise RuntimeError(f"lint rule code {cls.code} registered twice")
    _RULES[cls.code] = cls()
    return cls


def all_rules() -> list[Rule]:
    from . import rules

    for info in pkgutil.iter_modules(rules.__path__):
        importlib.import_module(f"{rules.__name__}.{info.name}")
    return [_RULES[code] for code in sorted(_RULES)]


def find_rule(code_or_name: str) -> Rule | None:
    key = code_or_name.strip()
    for rule in all_rules():
        if key.upper() == rule.code or key == rule.name or key in rule.aliases:
            return rule
    return None


def expand_codes(items: Iterable[str]) -> set[str]:
    """Codes from a --select/--ignore list: full codes, prefixes ('DK1', 'DK12'), rule names or aliases."""
    out: set[str] = set()
    codes = [r.code for r in all_rules()]
    for item in items:
        for part in (p.strip() for p in item.split(",")):
            if not part:
                continue
            rule = find_rule(part)
            if rule is not None:
                out.add(rule.code)
                continue
            matched = [c for c in codes if c.startswith(part.upper())]
            if not matched:
                from ..errors import ConfigError

                raise ConfigError(f"unknown lint rule or code prefix '{part}'",
                                  hint="list them with: dashkit lint --explain all")
            out.update(matched)
    return out
