"""Per-document rules checked in a forked child and here: the same findings in the same order as one process makes,
and a child that fails costs nothing but time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashkit.lint import parallel
from dashkit.lint.documents import from_paths
from dashkit.lint.model import Finding, Severity
from dashkit.lint.runner import lint

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "prometheus-operator+kube-prometheus"


@pytest.fixture
def docs():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    found, _ = from_paths([CORPUS])
    assert len(found) >= parallel.MIN_DOCUMENTS
    return found


def test_the_findings_are_the_same_as_in_one_process(docs, monkeypatch):
    monkeypatch.setattr(parallel, "_can_fork", lambda count: False)
    alone = lint(docs, with_lines=True)
    monkeypatch.setattr(parallel, "_can_fork", lambda count: True)
    assert lint(docs, with_lines=True) == alone and alone


def test_a_child_that_fails_is_made_up_for_here(docs, monkeypatch):
    here = os.getpid()

    def check(doc):
        if os.getpid() != here:
            raise RuntimeError("the child fails")
        yield Finding("DK999", Severity.INFO, "seen", doc.path, "")

    monkeypatch.setattr(parallel, "_can_fork", lambda count: True)
    found = parallel.findings(docs, check)
    assert [index for index, _ in found] == list(range(len(docs)))


def test_no_fork_with_other_threads_few_documents_or_when_told(monkeypatch):
    assert not parallel._can_fork(parallel.MIN_DOCUMENTS - 1)
    monkeypatch.setenv("DASHKIT_LINT_WORKERS", "1")
    assert not parallel._can_fork(10_000)
