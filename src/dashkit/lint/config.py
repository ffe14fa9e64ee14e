"""Lint settings: `lint:` in dashkit.yaml, then command-line --select/--ignore on top."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..durations import parse_duration
from ..errors import ConfigError
from .model import Severity
from .registry import LintContext, expand_codes

_KEYS = {"select", "ignore", "severity", "scrape_interval", "exclude"}


@dataclass
class LintConfig:
    select: set[str] | None = None  # None: every rule
    ignore: set[str] = field(default_factory=set)
    severity: dict[str, Severity] = field(default_factory=dict)
    context: LintContext = field(default_factory=LintContext)
    exclude: list[str] = field(default_factory=list)  # glob patterns of files not to lint

    def enabled(self, code: str) -> bool:
        return (self.select is None or code in self.select) and code not in self.ignore

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)


def from_settings(raw: Mapping[str, Any] | None) -> LintConfig:
    config = LintConfig()
    if not raw:
        return config
    if not isinstance(raw, Mapping):
        raise ConfigError("dashkit.yaml: key 'lint' must be a mapping")
    for key in raw:
        if key not in _KEYS:
            raise ConfigError(f"dashkit.yaml: unknown key 'lint.{key}'", hint="allowed: " + ", ".join(sorted(_KEYS)))
    if "select" in raw:
        config.select = expand_codes(_strings(raw["select"], "lint.select"))
    config.ignore = expand_codes(_strings(raw.get("ignore", []), "lint.ignore"))
    severities = raw.get("severity", {})
    if not isinstance(severities, Mapping):
        raise ConfigError("dashkit.yaml: key 'lint.severity' must map codes to error, warning or info")
    for code, level in severities.items():
        try:
            value = Severity(str(level))
        except ValueError:
            raise ConfigError(f"dashkit.yaml: lint.severity.{code} must be error, warning or info") from None
        for expanded in expand_codes([str(code)]):
            config.severity[expanded] = value
    if "scrape_interval" in raw:
        try:
            config.context.scrape_interval = parse_duration(raw["scrape_interval"])
        except ValueError:
            raise ConfigError("dashkit.yaml: lint.scrape_interval must be a duration like '30s'") from None
    config.exclude = _strings(raw.get("exclude", []), "lint.exclude")
    return config


def apply_cli(config: LintConfig, select: Iterable[str], ignore: Iterable[str]) -> LintConfig:
    select, ignore = list(select), list(ignore)
    if select:
        config.select = expand_codes(select)
    if ignore:
        config.ignore |= expand_codes(ignore)
    return config


def _strings(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"dashkit.yaml: key '{key}' must be a list of strings")
    return list(value)
