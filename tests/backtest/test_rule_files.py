"""A Prometheus rule file replayed with Prometheus' semantics agrees with `promtool test rules` on the same series:
the expected alerts of a promtool unit test are generated from the backtest's intervals (a minute before and at each
start and end), and promtool evaluates the rules itself. The file exercises `for`, keep_firing_for, flapping, a
recording rule of the same file (inlined), several series per alert and a templated label."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from .conftest import alerts, backtest, over
from .history import History, series

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is installed by scripts/test")

RULES = """\
groups:
  - name: errors
    interval: 1m
    rules:
      - record: service:error_ratio:rate2m
        expr: >-
          sum by (service) (rate(http_requests_total{status_code="500"}[2m]))
          / sum by (service) (rate(http_requests_total[2m]))
      - alert: ErrorRatioHigh
        expr: service:error_ratio:rate2m > 0.05
        for: 3m
        keep_firing_for: 2m
        labels: {severity: page}
      - alert: ErrorRatioVeryHigh
        expr: service:error_ratio:rate2m > 0.08
        for: 2m
        labels: {severity: info, team: '{{ $labels.service }}-team'}
      - alert: ErrorsAny
        expr: sum by (namespace, service) (rate(http_requests_total{status_code="500"}[2m])) > 1
        labels: {severity: ticket}
"""
MINUTE = 60


def _seconds(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


@pytest.fixture(scope="module")
def replayed(history: History, tmp_path_factory) -> tuple[Path, list[dict]]:
    folder = tmp_path_factory.mktemp("rules")
    (folder / "rules.yml").write_text(RULES)
    return folder, alerts(backtest(str(folder / "rules.yml"), *over(history), "--format", "json", project=None))


def _promtool_test(history: History, fired: list[dict]) -> dict:
    """A promtool unit test over the history's request counters, expecting at a few times what backtest found."""
    times = {history.start + 60 * MINUTE, history.end}
    for alert in fired:
        for interval in alert["firing"]:
            start = _seconds(interval["start"])
            times |= {start - MINUTE, start}
            if interval["end"] is not None:
                end = _seconds(interval["end"])
                times |= {end - MINUTE, end}
    checks = []
    for name in ("ErrorRatioHigh", "ErrorRatioVeryHigh", "ErrorsAny"):
        for t in sorted(t for t in times if history.start <= t <= history.end):
            firing = [a for a in fired if a["alert"] == name and any(
                _seconds(i["start"]) <= t and (i["end"] is None or t < _seconds(i["end"])) for i in a["firing"])]
            checks.append({"eval_time": f"{(t - history.start) // MINUTE}m", "alertname": name,
                           "exp_alerts": [{"exp_labels": {"alertname": name, **a["labels"]}} for a in firing]})
    inputs = [{"series": name, "values": " ".join(f"{v:.17g}" for v in values)}
              for name, values in series(history).items() if name.startswith("http_requests_total")]
    return {"rule_files": ["rules.yml"], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": inputs, "alert_rule_test": checks}]}


def _promtool(folder: Path, test: dict) -> subprocess.CompletedProcess:
    (folder / "test.yml").write_text(yaml.safe_dump(test, sort_keys=False))
    return subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=folder, capture_output=True, text=True,
                          timeout=120)


def test_the_rule_file_fires_as_promtool_says(replayed, history):
    folder, fired = replayed
    flappy = [a for a in fired if a["alert"] == "ErrorRatioHigh" and a["labels"]["service"] == "flappy"]
    assert len(flappy) == 1 and flappy[0]["pages"] >= 3  # the file really exercises the state machine
    assert {a["labels"]["service"] for a in fired if a["alert"] == "ErrorsAny" and a["pages"]} == {"flappy", "checkout"}
    assert {a["labels"].get("team") for a in fired if a["alert"] == "ErrorRatioVeryHigh"} == {"flappy-team",
                                                                                              "checkout-team"}
    result = _promtool(folder, _promtool_test(history, fired))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_promtool_would_notice_an_interval_off_by_one_evaluation(replayed, history):
    folder, fired = replayed
    wrong = [dict(a, firing=[dict(i) for i in a["firing"]]) for a in fired]
    first = next(a for a in wrong if a["alert"] == "ErrorRatioHigh" and a["firing"])
    first["firing"][0]["start"] = datetime.utcfromtimestamp(_seconds(first["firing"][0]["start"]) - MINUTE
                                                            ).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = _promtool(folder, _promtool_test(history, wrong))
    assert result.returncode != 0 and "ErrorRatioHigh" in result.stdout + result.stderr


def test_text_report_shows_flapping_and_keep_firing_for_bridging_a_dip(replayed, history):
    folder, fired = replayed
    result = backtest(str(folder / "rules.yml"), *over(history), project=None)
    assert result.code == 0, result.text
    flapping = [line for line in result.out.splitlines() if line.startswith("ErrorsAny") and "flapping" in line]
    assert flapping == ['ErrorsAny{namespace="lab", service="flappy"}: 8 pages, firing 49m, 1 flapping'], result.out
    # without keep_firing_for the alert resolves in the dip; with it, one interval spans it
    high, very_high = ({a["alert"]: a for a in fired if a["labels"]["service"] == "flappy"}[name]["firing"]
                       for name in ("ErrorRatioHigh", "ErrorRatioVeryHigh"))
    assert _seconds(high[0]["end"]) > _seconds(very_high[1]["start"]) > _seconds(very_high[0]["end"])
