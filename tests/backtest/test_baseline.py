"""`--baseline REF`: the rules as they were at a git ref replayed next to the working tree's. A pull request that
raises a threshold shows fewer pages; the project may sit in a subfolder of the repository, and a helper module it
imports is read as it was at the ref too."""

from __future__ import annotations

import json

from .conftest import backtest, over
from .history import History


def test_raising_a_threshold_shows_fewer_pages_than_the_baseline(repository, history: History):
    project = repository / "ops" / "alerting"
    result = backtest(*over(history), "--baseline", "HEAD~1", project=project)
    assert result.code == 0, result.text
    line = next(line for line in result.out.splitlines() if line.startswith("CheckoutErrors"))
    assert line.startswith('CheckoutErrors{service="checkout"}: 1 page (baseline 2: -1), firing ')
    assert "(baseline " in line.split("firing", 1)[1]
    assert result.out.count("(baseline)") == 0  # the working tree's intervals are listed, not the baseline's
    assert "(baseline HEAD~1: 2 pages, -1)" in result.out.splitlines()[-1]


def test_json_carries_the_baseline_under_one_extra_key(repository, history: History):
    project = repository / "ops" / "alerting"
    result = backtest(*over(history), "--baseline", "HEAD~1", "--format", "json", project=project)
    assert result.code == 0, result.text
    doc = json.loads(result.out)
    assert set(doc) == {"from", "to", "alerts", "baseline"}
    assert doc["baseline"]["ref"] == "HEAD~1" and set(doc["baseline"]) == {"ref", "alerts"}
    [now], [then] = doc["alerts"], doc["baseline"]["alerts"]
    assert (now["pages"], then["pages"]) == (1, 2)
    assert then["firing_seconds"] > now["firing_seconds"]


def test_rule_files_are_compared_with_the_same_files_at_the_ref(repository, history: History):
    result = backtest(str(repository / "rules.yml"), *over(history), "--baseline", "HEAD~1", project=None)
    assert result.code == 0, result.text
    assert 'CheckoutErrors{service="checkout"}: 1 page (baseline 2: -1)' in result.out


def test_a_ref_that_does_not_exist_is_a_usage_error_naming_it(repository, history: History):
    result = backtest(*over(history), "--baseline", "no-such-branch", project=repository / "ops" / "alerting")
    assert result.code == 2
    assert "--baseline no-such-branch: no such commit, branch or tag" in result.err
    assert "Traceback" not in result.text


def test_a_ref_before_the_project_existed_says_so(repository, history: History):
    result = backtest(*over(history), "--baseline", "HEAD~2", project=repository / "ops" / "alerting")
    assert result.code == 2 and "the project folder ops/alerting does not exist at HEAD~2" in result.err
