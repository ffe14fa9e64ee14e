"""What lint works on (Documents) and what it reports (Findings)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class DocKind(str, enum.Enum):
    DASHBOARD = "dashboard"
    PROMETHEUS_RULES = "prometheus_rules"  # {"groups": [...]}: a rule file or a PrometheusRule spec
    GRAFANA_RULES = "grafana_rules"  # a Grafana-managed rule group {"name"/"title", "interval", "rules": [...]}
    SLO = "slo"  # an SLO spec (dashkit/v1 or Sloth's prometheus/v1)


@dataclass
class Document:
    """One thing to lint, with where it came from. `prefix` is prepended to JSON paths (for documents inside a
    bigger file, e.g. a PrometheusRule's spec, or the n-th document of a multi-document YAML)."""

    kind: DocKind
    data: dict[str, Any]
    path: str  # the file a finding names: a JSON/YAML file, or the definition module that built it
    label: str = ""  # human name: the dashboard title, the rule group name
    prefix: str = ""
    locate: Callable[[str], int | None] | None = None  # JSON path -> line in `path`, when known
    facts: dict[str, Any] = field(default_factory=dict)  # context: group interval, folder, yaml doc index...
    translate: Callable[[str], str] | None = None  # data path -> path in the file, when data is a converted form

    def where(self, json_path: str) -> str:
        if self.translate is not None:
            json_path = self.translate(json_path)
        if self.prefix and json_path:
            joins = json_path.startswith("[") or self.prefix.endswith(" ")  # "[doc 2] " names a document
            return self.prefix + json_path if joins else f"{self.prefix}.{json_path}"
        return self.prefix.rstrip() or json_path


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    path: str  # file
    location: str  # JSON path inside the file, e.g. panels[3].targets[0].expr
    label: str = ""  # the dashboard or rule group it is about
    line: int | None = None
    rule: str = ""  # the rule's name

    def to_json(self) -> dict[str, Any]:
        out = {"code": self.code, "rule": self.rule, "severity": self.severity.value, "message": self.message,
               "file": self.path, "location": self.location, "subject": self.label}
        if self.line is not None:
            out["line"] = self.line
        return out
