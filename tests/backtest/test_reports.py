"""The JSON report has exactly the documented shape (CI and other tools read it); the text report says what a
reviewer asks: pages, time firing, the change against the baseline."""

from __future__ import annotations

import json

from dashkit.backtest.engine import Alert, Backtest, RuleResult
from dashkit.backtest.report_json import as_json
from dashkit.backtest.report_text import as_text
from dashkit.backtest.rules import Rule
from dashkit.backtest.states import Interval

START, END = 1_795_392_000.0, 1_795_996_800.0  # 2026-11-23T00:00:00Z, 2026-11-30T00:00:00Z
RULE = Rule("prometheus", "HighErrorRate", "rules.yml: api", "rules.yml", labels={"severity": "critical"})


def run(*alerts: Alert) -> Backtest:
    result = RuleResult(RULE, list(alerts), evaluations=10080)
    for alert in alerts:
        alert.result = result
    return Backtest(START, END, [result])


def alert(service: str, intervals: list[Interval], pages: int) -> Alert:
    seconds = sum((END if i.end is None else i.end) - i.start for i in intervals)
    return Alert("HighErrorRate", {"service": service, "severity": "critical"}, intervals, pages, seconds, RULE)


CURRENT = run(alert("checkout", [Interval(START + 3600, START + 4320), Interval(END - 600, None)], 2))
BASELINE = run(alert("checkout", [Interval(START + 3000, START + 6000)], 1),
               alert("payments", [Interval(START, START + 60)], 0))


def test_json_has_exactly_the_documented_shape():
    doc = json.loads(as_json(CURRENT))
    assert doc == {
        "from": "2026-11-23T00:00:00Z", "to": "2026-11-30T00:00:00Z",
        "alerts": [{"alert": "HighErrorRate", "labels": {"service": "checkout", "severity": "critical"},
                    "firing": [{"start": "2026-11-23T01:00:00Z", "end": "2026-11-23T01:12:00Z"},
                               {"start": "2026-11-29T23:50:00Z", "end": None}],
                    "pages": 2, "firing_seconds": 1320}],
    }


def test_json_with_a_baseline_adds_one_key_of_the_same_shape():
    doc = json.loads(as_json(CURRENT, BASELINE, "origin/main"))
    assert list(doc) == ["from", "to", "alerts", "baseline"]
    assert list(doc["baseline"]) == ["ref", "alerts"] and doc["baseline"]["ref"] == "origin/main"
    assert [a["labels"]["service"] for a in doc["baseline"]["alerts"]] == ["checkout", "payments"]
    assert all(list(a) == ["alert", "labels", "firing", "pages", "firing_seconds"] for a in doc["baseline"]["alerts"])


def test_text_gives_pages_and_time_firing_against_the_baseline():
    lines = as_text(CURRENT, BASELINE, "origin/main").splitlines()
    assert lines[0] == 'HighErrorRate{service="checkout"}: 2 pages (baseline 1: +1), firing 22m (baseline 50m)'
    assert lines[1] == "  2026-11-23T01:00:00Z → 2026-11-23T01:12:00Z  12m"
    assert lines[2] == "  2026-11-29T23:50:00Z → still firing  10m"
    assert lines[3] == 'HighErrorRate{service="payments"}: 0 pages (baseline 0: ±0), firing 0s (baseline 1m)'
    assert lines[4] == "  2026-11-23T00:00:00Z → 2026-11-23T00:01:00Z  1m  (baseline)"
    assert lines[-1] == ("Replayed 1 rule over 2026-11-23T00:00:00Z – 2026-11-30T00:00:00Z (7d): 1 alert series fired,"
                         " 2 pages (baseline origin/main: 1 page, +1).")
