"""Run the enabled rules over documents; apply severity overrides and suppressions; sort the findings."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from . import parallel
from .config import LintConfig
from .model import Document, Finding, Severity
from .registry import all_rules
from .suppress import MISSING_REASON, in_document, linter_file


def lint(docs: list[Document], config: LintConfig | None = None, with_lines: bool = False) -> list[Finding]:
    """Findings, sorted; `with_lines` also finds each finding's line in its file (annotations need it)."""
    config = config or LintConfig()
    rules = [rule for rule in all_rules() if config.enabled(rule.code)]
    local = [rule for rule in rules if not rule.project_wide]

    def check(doc: Document) -> Iterator[Finding]:
        v2 = bool(doc.facts.get("schema_v2"))
        for rule in local:
            if doc.kind in rule.applies_to and not (v2 and rule.classic_only):
                yield from rule.check(doc, config.context)

    raw: list[tuple[Document, Finding]] = [(docs[i], f) for i, f in parallel.findings(docs, check)]
    by_path = {}
    for doc in docs:
        by_path.setdefault((doc.path, doc.prefix), doc)
    for rule in rules:
        if rule.project_wide:
            mine = [d for d in docs if d.kind in rule.applies_to
                    and not (rule.classic_only and d.facts.get("schema_v2"))]
            for finding in rule.check_all(mine, config.context):
                raw.append((by_path.get((finding.path, "")) or _doc_for(mine, finding), finding))
    findings: list[Finding] = []
    suppressions = {}
    for doc in docs:
        allowed, problems = in_document(doc)
        from_file = linter_file(doc)
        allowed.allowed.extend(from_file.allowed)
        allowed.downgraded |= from_file.downgraded
        suppressions[id(doc)] = allowed
        if config.enabled(MISSING_REASON):
            findings.extend(problems)
    for doc, finding in raw:
        rules_here = suppressions.get(id(doc)) if doc is not None else None
        if rules_here is not None and rules_here.hides(finding):
            continue
        severity = config.severity_of(finding.code, finding.severity)
        if rules_here is not None and finding.code in rules_here.downgraded and severity is Severity.ERROR:
            severity = Severity.WARNING
        line = doc.locate(finding.location) if with_lines and doc is not None and doc.locate is not None else None
        findings.append(dataclasses.replace(finding, severity=severity, line=line))
    return sorted(set(findings), key=lambda f: (f.path, f.line or 0, f.location, f.code, f.message))


def _doc_for(docs: list[Document], finding: Finding) -> Document | None:
    return next((d for d in docs if d.path == finding.path and finding.location.startswith(d.prefix)), None)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
