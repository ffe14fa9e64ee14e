"""The whole corpus through --fix (in a copy): every file still JSON with the same queries (up to the rate()
ranges made $__rate_interval), no fixed finding left without a reason, and no finding of any rule that was not
there before."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CORPUS
from dashkit.lint.config import LintConfig
from dashkit.lint.documents import from_paths
from dashkit.lint.fix.engine import fix_documents, reread
from dashkit.lint.fix.report import FixReport
from dashkit.lint.model import Finding
from dashkit.lint.runner import lint
from dashkit.lint.walk import panels

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
FIXED_CODES = {"DK101", "DK105", "DK108", "DK115", "DK131"}
_BRACKETED = re.compile(r"\[([^\[\]]*)\]")
_REPLACEABLE = re.compile(r"^(?:\d+(?:ms|[smhdwy]))+$|^\$__interval$|^\$interval$")


@dataclass
class Run:
    root: Path
    texts: dict[Path, str]  # every JSON file before
    report: FixReport
    before: list[Finding]
    after: list[Finding]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("fix") / "corpus"
    shutil.copytree(CORPUS, root)
    texts = {path: path.read_text(encoding="utf-8") for path in root.rglob("*.json")}
    docs, _ = from_paths([root])
    before = lint(docs)
    report = fix_documents(docs, LintConfig(), [root])
    return Run(root, texts, report, before, lint(reread(docs, report)))


def _exprs(text: str) -> list[str]:
    data = json.loads(text)
    dashboards = [data.get("dashboard", data)] if isinstance(data, dict) else []
    return sorted(t["expr"] for d in dashboards if isinstance(d, dict) for ref in panels(d)
                  for t in ref.panel.get("targets") or [] if isinstance(t, dict) and isinstance(t.get("expr"), str))


def _same_but_ranges(before: str, after: str) -> bool:
    """`after` is `before` with some ranges (fixed durations, $__interval, $interval) made $__rate_interval."""
    if _BRACKETED.split(before)[::2] != _BRACKETED.split(after)[::2]:
        return False
    pairs = zip(_BRACKETED.findall(before), _BRACKETED.findall(after), strict=True)
    return all(old == new or (new == "$__rate_interval" and _REPLACEABLE.match(old.strip())) for old, new in pairs)


def test_the_corpus_gets_fixed(run):
    assert run.report.fixes > 1000
    assert len(run.report.written) > 50


def test_every_written_file_is_json_with_the_same_queries(run):
    for name in run.report.written:
        path = Path(name)
        before, after = _exprs(run.texts[path]), _exprs(path.read_text(encoding="utf-8"))
        unchanged = sorted(set(before) & set(after))
        rest_before = sorted(set(before) - set(unchanged))
        rest_after = sorted(set(after) - set(unchanged))
        assert len(rest_before) == len(rest_after), path
        for old in rest_before:
            assert any(_same_but_ranges(old, new) for new in rest_after), (path, old)


def test_every_range_made_rate_interval_is_one_the_report_names(run):
    reported = sum(len(f.what.split(" → ")[0].split(", ")) for file in run.report.files if file.written
                   for f in file.fixed if f.code == "DK131")
    added = sum(Path(name).read_text().count("$__rate_interval") - run.texts[Path(name)].count("$__rate_interval")
                for name in run.report.written)
    assert reported == added > 100
    for name in run.report.written:  # never an irate() over the zoom: that would be DK139's finding
        assert Path(name).read_text().count("irate(") == run.texts[Path(name)].count("irate(")


def test_no_finding_of_a_fixed_rule_is_left_without_a_reason(run):
    reasons = {(file.path, left.code, left.location) for file in run.report.files for left in file.left}
    skipped = {file.path for file in run.report.files if file.notes and not file.written}
    for finding in run.after:
        if finding.code in FIXED_CODES and finding.path.endswith(".json") and finding.path not in skipped:
            assert (finding.path, finding.code, finding.location) in reasons, finding
        if finding.code == "DK107":
            assert finding.location != "rows" or not finding.path.endswith(".json"), finding


def test_no_rule_finds_more_than_before_in_any_file(run):
    before = Counter((f.path, f.code) for f in run.before)
    after = Counter((f.path, f.code) for f in run.after)
    grown = {key: (before[key], count) for key, count in after.items() if count > before[key]}
    assert grown == {}
