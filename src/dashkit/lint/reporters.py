"""Findings as text, JSON, GitHub workflow annotations or SARIF 2.1.0. Each returns a string; never prints."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from .. import __version__
from ..wording import plural
from .model import Finding, Severity
from .registry import all_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def text(findings: list[Finding], style: Callable[..., str] = lambda s, **_: s, checked: int = 0) -> str:
    lines = []
    for f in findings:
        where = f"{f.path}:{f.line}" if f.line else f.path
        location = f" {f.location}" if f.location else ""
        subject = f" [{f.label}]" if f.label else ""
        lines.append(f"{where}:{location}{subject} {style(f.code, fg=_COLOR[f.severity], bold=True)} "
                     f"{style(f.severity.value, fg=_COLOR[f.severity])}: {f.message}")
    tally = Counter(f.severity for f in findings)
    checked_text = f" in {plural(checked, 'dashboard or rule group', 'dashboards and rule groups')}"
    summary = (f"{plural(len(findings), 'finding')} ({plural(tally[Severity.ERROR], 'error')}, "
               f"{plural(tally[Severity.WARNING], 'warning')}, {tally[Severity.INFO]} info)")
    if checked:
        summary += checked_text
    if not findings:
        summary = "No findings" + (checked_text if checked else "") + "."
    lines.append(style(summary, bold=True))
    return "\n".join(lines)


def as_json(findings: list[Finding]) -> str:
    """`json.dumps(..., indent=2, sort_keys=True)` of the findings and a summary, written out directly: with an
    indent the json module encodes in Python, which costs more than linting a dozen dashboards."""
    records = [f.to_json() for f in findings]
    summary = {s.value: sum(f.severity is s for f in findings) for s in Severity}
    if not all(type(value) in (str, int) for record in records for value in record.values()):
        return json.dumps({"findings": records, "summary": summary}, indent=2, sort_keys=True)
    quote = json.encoder.encode_basestring_ascii  # what json.dumps writes strings with

    def fields(mapping: dict[str, Any], indent: str) -> str:
        return ",\n".join(f"{indent}{quote(key)}: {quote(value) if type(value) is str else value}"
                          for key, value in sorted(mapping.items()))

    listed = ",\n".join("    {\n" + fields(record, "      ") + "\n    }" for record in records)
    return ("{\n  \"findings\": " + (f"[\n{listed}\n  ]" if records else "[]") + ",\n  \"summary\": {\n"
            + fields(summary, "    ") + "\n  }\n}")


def github(findings: list[Finding]) -> str:
    """Workflow commands: GitHub shows each on the pull request's diff."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for f in findings:
        props = [f"file={_escape_property(f.path)}"]
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f'{f.code} {f.rule}')}")
        message = f"{f.location}: {f.message}" if f.location else f.message
        lines.append(f"::{level[f.severity]} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def sarif(findings: list[Finding]) -> str:
    """SARIF 2.1.0, for GitHub code scanning and other viewers."""
    rules = all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for f in findings:
        region = {"startLine": f.line} if f.line else None
        physical: dict[str, Any] = {"artifactLocation": {"uri": f.path}}
        if region:
            physical["region"] = region
        location: dict[str, Any] = {"physicalLocation": physical}
        if f.location:
            location["logicalLocations"] = [{"fullyQualifiedName": f.location, "kind": "member"}]
        result: dict[str, Any] = {"ruleId": f.code, "level": _SARIF_LEVEL[f.severity],
                                  "message": {"text": f.message}, "locations": [location]}
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        results.append(result)
    driver = {
        "name": "dashkit",
        "version": __version__,
        "informationUri": "https://github.com/dashkit/dashkit",
        "rules": [{
            "id": rule.code, "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.why},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
            "help": {"text": f"{rule.summary} {rule.why}"},
        } for rule in rules],
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
    return json.dumps(log, indent=2)
