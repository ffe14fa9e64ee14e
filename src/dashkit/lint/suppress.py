"""Suppressions: in a dashboard or panel (`"dashkitLint": {"DK107": "why this is fine"}`), and
grafana/dashboard-linter `.lint` files next to the dashboards, so its users can switch without losing them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import DocKind, Document, Finding, Severity
from .registry import all_rules
from .walk import as_dict, as_list, doc_panels

KEY = "dashkitLint"
MISSING_REASON = "DK002"


@dataclass
class Suppressions:
    """Per document: (location prefix, code) pairs that are allowed, and codes downgraded to warnings."""

    allowed: list[tuple[str, str]] = field(default_factory=list)
    downgraded: set[str] = field(default_factory=set)

    def hides(self, finding: Finding) -> bool:
        return any((finding.code == code and (finding.location == where or finding.location.startswith(
            (where + ".", where + "[")))) or (finding.code == code and where == "") for where, code in self.allowed)


def in_document(doc: Document) -> tuple[Suppressions, list[Finding]]:
    found = Suppressions()
    problems: list[Finding] = []
    if doc.kind is not DocKind.DASHBOARD:
        return found, problems
    holders = [("", doc.data)] + [(ref.path, ref.panel) for ref in doc_panels(doc, include_rows=True)]
    for where, holder in holders:
        entries = holder.get(KEY)
        if entries is None:
            continue
        key_path = f"{where}.{KEY}" if where else KEY
        if not isinstance(entries, dict):
            problems.append(_problem(doc, key_path, f'{KEY} must map rule codes to reasons, e.g. {{"DK107": "..."}}'))
            continue
        for code, reason in entries.items():
            if not isinstance(reason, str) or not reason.strip():
                problems.append(_problem(doc, f"{key_path}.{code}", f"suppression of {code} needs a reason"))
                continue
            found.allowed.append((doc.where(where), str(code).upper()))
    return found, problems


def _problem(doc: Document, where: str, message: str) -> Finding:
    return Finding(MISSING_REASON, Severity.ERROR, message, doc.path, doc.where(where), doc.label,
                   rule="suppression-without-reason")


def linter_file(doc: Document) -> Suppressions:
    """grafana/dashboard-linter's `.lint` next to the dashboard file: rule-wide or per-panel exclusions, and
    `warnings` (rules it only warns about)."""
    found = Suppressions()
    lint_file = Path(doc.path).parent / ".lint"
    if doc.kind is not DocKind.DASHBOARD or not lint_file.is_file():
        return found
    import yaml

    from ..safe_yaml import safe_load

    try:
        config = as_dict(safe_load(lint_file.read_text(encoding="utf-8")))
    except (yaml.YAMLError, UnicodeDecodeError):
        return found
    by_alias = {alias: rule.code for rule in all_rules() for alias in (rule.name, *rule.aliases)}
    for section, target in (("exclusions", found.allowed), ("warnings", None)):
        for name, spec in as_dict(config.get(section)).items():
            code = by_alias.get(name)
            if code is None:
                continue
            entries = (spec or {}).get("entries") if isinstance(spec, dict) else None
            if target is None:
                found.downgraded.add(code)
                continue
            if not entries:
                target.append(("", code))
                continue
            for entry in as_list(entries):
                target.extend((where, code) for where in _entry_locations(doc, as_dict(entry)))
    return found


def _entry_locations(doc: Document, entry: dict[str, Any]) -> list[str]:
    if entry.get("dashboard") not in (None, doc.data.get("title")):
        return []
    if "panel" not in entry:
        return [doc.where("")]
    out = []
    for ref in doc_panels(doc):
        if ref.panel.get("title") == entry["panel"]:
            where = ref.path
            if "targetIdx" in entry:
                where += f".targets[{entry['targetIdx']}]"
            out.append(doc.where(where))
    return out
