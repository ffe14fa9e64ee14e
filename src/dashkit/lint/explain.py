"""The rule reference: `dashkit lint --explain CODE` and docs/rules.md, both from the registered rules."""

from __future__ import annotations

import json

from .registry import Example, Rule, all_rules


def explain(rule: Rule, examples: bool = True) -> str:
    lines = [f"{rule.code} {rule.name} ({rule.severity.value})", "", rule.summary, "", f"Why: {rule.why}"]
    if rule.aliases:
        lines += ["", "Replaces grafana/dashboard-linter: " + ", ".join(rule.aliases)]
    if rule.classic_only:
        lines += ["", _CLASSIC_ONLY]
    if examples:
        for title, items in (("Bad", rule.bad), ("Good", rule.good)):
            for example in items[:1]:
                lines += ["", f"{title}:", _example_text(example)]
    return "\n".join(lines)


_CLASSIC_ONLY = "About the classic JSON model only: not run on schema-v2 dashboards (elements and layout)."


def _example_text(example: Example) -> str:
    return json.dumps(example.data, indent=2, sort_keys=True)


def reference_markdown() -> str:
    rules = all_rules()
    out = [
        "# Lint rules",
        "",
        "`dashkit lint` checks dashboards (ours or anyone's JSON) and alert rules (Grafana-managed, Prometheus rule "
        "files, PrometheusRule resources). Exit status 1 when any finding is an error.",
        "",
        "Select or ignore rules with `--select`/`--ignore` (codes, prefixes such as `DK13`, or names) or in "
        "`dashkit.yaml` under `lint:` (`select`, `ignore`, `severity: {DK111: warning}`, `scrape_interval`, "
        "`exclude`). Suppress one finding with a reason in the dashboard or panel JSON: "
        '`"dashkitLint": {"DK111": "why this is fine"}`; grafana/dashboard-linter `.lint` files are read too.',
        "",
        "Schema-v2 dashboards (Grafana 12+ `elements` and `layout`) are checked by the same rules through the "
        "down-conversion Grafana applies, and findings name the v2 element, variable or annotation; the few rules "
        "about the classic model only say so below.",
        "",
        "This page is generated from the rules themselves (`scripts/rule_docs.py`); their examples are also the "
        "tests.",
        "",
        "| code | name | severity | summary |",
        "|---|---|---|---|",
    ]
    out += [f"| [{r.code}](#{r.code.lower()}) | {r.name} | {r.severity.value} | {r.summary} |" for r in rules]
    for rule in rules:
        out += ["", f"## {rule.code}", "", f"**{rule.name}** ({rule.severity.value}). {rule.summary}", "",
                f"*Why:* {rule.why}"]
        if rule.aliases:
            out += ["", "Replaces grafana/dashboard-linter's " + ", ".join(f"`{a}`" for a in rule.aliases) + "."]
        if rule.classic_only:
            out += ["", _CLASSIC_ONLY]
        for title, items in (("Flagged", rule.bad), ("Fine", rule.good)):
            for example in items:
                note = f": {example.note}" if example.note else ""
                out += ["", f"{title} ({example.kind.value}){note}:", "", "```json", _example_text(example), "```"]
    return "\n".join(out) + "\n"
