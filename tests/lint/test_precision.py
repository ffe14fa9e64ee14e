"""Lint precision on real upstream dashboards and rule files: every finding is one someone judged, no finding judged
true goes missing, and no rule reports more findings judged false than it did (tests/lint/precision)."""

import pytest
from tests.lint.precision.harness import CORPUS, FILES, Expected, compare, failures, lint_sets, precision_by_rule


@pytest.fixture(scope="module")
def comparison():
    expected = Expected.load()
    return expected, compare(lint_sets(), expected)


def test_gathered_files_and_corpus_are_there():
    assert sorted(p.name for p in FILES.iterdir() if p.is_dir()), "tests/lint/precision/files holds no project"
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present: only the gathered files are linted")


def test_findings_match_the_judged_verdicts(comparison):
    expected, result = comparison
    problems = failures(result, expected)
    assert not problems, "lint precision changed on real files:\n\n" + "\n\n".join(problems)


def test_every_judged_rule_has_a_precision(comparison):
    _, result = comparison
    rows = {r.rule: r for r in precision_by_rule(result)}
    unjudged = sorted(rule for rule, r in rows.items() if r.reported and not r.judged)
    assert not unjudged, f"rules with findings but no verdict at all (judge at least a sample): {unjudged}"
