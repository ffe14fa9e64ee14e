"""Every rule's examples (the same data the rule reference shows): bad ones flagged, good ones clean."""

import pytest
from scripts.rule_docs import PAGE

from dashkit.lint.config import LintConfig
from dashkit.lint.explain import reference_markdown
from dashkit.lint.model import Document
from dashkit.lint.registry import all_rules
from dashkit.lint.runner import lint

RULES = all_rules()
CASES = [(rule.code, "bad", i, ex) for rule in RULES for i, ex in enumerate(rule.bad)] + [
    (rule.code, "good", i, ex) for rule in RULES for i, ex in enumerate(rule.good)]


def _lint_example(code, example):
    doc = Document(example.kind, example.data, "example.json", label="example")
    return [f for f in lint([doc], LintConfig(select={code, "DK002"})) if f.code == code]


@pytest.mark.parametrize(("code", "verdict", "index", "example"), CASES,
                         ids=[f"{c}-{v}-{i}" for c, v, i, _ in CASES])
def test_rule_examples(code, verdict, index, example):
    findings = _lint_example(code, example)
    if verdict == "bad":
        assert findings, f"{code} should flag its bad example {index}"
    else:
        assert findings == [], f"{code} flagged its good example {index}: {findings}"


def test_every_rule_is_documented_and_has_examples():
    # tested with files, projects and a Prometheus
    offline_exempt = {"DK001", "DK003", "DK004", "DK102", "DK140", "DK141", "DK210"}
    for rule in RULES:
        assert rule.summary.endswith(".") and rule.why.endswith((".", ")")), rule.code
        if rule.code not in offline_exempt:
            assert rule.bad, f"{rule.code} has no bad example"
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))


def test_rule_reference_page_is_current():
    assert PAGE.read_text() == reference_markdown(), "run: .venv/bin/python scripts/rule_docs.py"
