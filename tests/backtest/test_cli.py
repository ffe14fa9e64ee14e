"""`dashkit backtest` as a command: one clear message and the documented exit code for each expected failure (no
traceback), a rule whose query fails reported while the others still run (exit 1), reports written whole to --out,
and credentials in the Prometheus URL never shown."""

from __future__ import annotations

from pathlib import Path

from tests.lint.prometheus_fixture import free_port

from .conftest import REPO, backtest, over
from .history import History

GOOD_AND_BROKEN = """\
groups:
  - name: api
    rules:
      - alert: ErrorsAny
        expr: sum by (service) (rate(http_requests_total{status_code="500"}[5m])) > 1
      - alert: Broken
        expr: sum(rate(http_requests_total[5m]) > 1
"""
LOKI_PROVISIONING = """\
apiVersion: 1
groups:
  - orgId: 1
    name: logs
    folder: platform
    interval: 1m
    rules:
      - uid: logs-errors
        title: LogErrors
        condition: A
        data:
          - refId: A
            datasourceUid: loki-uid
            relativeTimeRange: {from: 600, to: 0}
            model: {expr: 'sum(count_over_time({app="api"} |= "error" [5m])) > 10', datasource: {type: loki}}
        for: 5m
"""


def test_a_failing_query_fails_its_rule_and_the_others_are_still_reported(history: History, tmp_path: Path):
    rules = tmp_path / "rules.yml"
    rules.write_text(GOOD_AND_BROKEN)
    result = backtest(str(rules), *over(history), project=None)
    assert result.code == 1, result.text
    assert 'ErrorsAny{service="checkout"}: 1 page' in result.out
    assert "Failed (1 rule):" in result.out
    failure = next(line for line in result.out.splitlines() if line.startswith("  Broken in"))
    assert "its expression: bad_data:" in failure and "parse error" in failure
    assert "Traceback" not in result.text


def test_json_stays_parseable_and_what_cannot_be_replayed_goes_to_stderr(history: History, tmp_path: Path):
    rules = tmp_path / "logs.yml"
    rules.write_text(LOKI_PROVISIONING)
    result = backtest(str(rules), *over(history), "--format", "json", project=None)
    assert result.code == 0, result.text
    assert result.out.startswith("{") and '"alerts": []' in result.out
    assert "warning: LogErrors in" in result.err and "(type loki), not Prometheus" in result.err


def test_an_unreachable_prometheus_is_exit_4_and_its_password_is_never_shown(tmp_path: Path):
    url = f"http://admin:hunter2-secret@127.0.0.1:{free_port()}"
    result = backtest("--prometheus", url, "--from", "-1h")
    assert result.code == 4, result.text
    assert "cannot be reached" in result.err and "hint:" in result.err
    assert "hunter2" not in result.text and "Traceback" not in result.text


def test_usage_errors_are_exit_2_with_one_message(history: History, tmp_path: Path):
    cases = {
        ("--from", "last tuesday"): "--from 'last tuesday' is not a time",
        ("--from", "-1h", "--to", "-2h"): "is not before --to",
        ("rules.yml", "--target", "alert_rule_group/*"): "--target selects the project's rule groups",
        ("--target", "dashboard/*"): "selects no alert rule group",
        ("--target", "alert_rule_group/no-such-group"): "matches no resource",
    }
    for args, message in cases.items():
        result = backtest("--prometheus", history.url, *args)
        assert result.code == 2 and message in result.err, (args, result.text)
        assert "Traceback" not in result.text
    missing = backtest("--from", "-1h")
    assert missing.code == 2 and "--prometheus" in missing.err
    not_a_url = backtest("--prometheus", "prometheus:9090")
    assert not_a_url.code == 2 and "is not an http(s) URL" in not_a_url.err


def test_outside_a_project_without_rule_files_says_how_to_start(history: History, tmp_path: Path):
    result = backtest("--prometheus", history.url, project=tmp_path)
    assert result.code == 2 and "holds no dashkit.yaml" in result.err


def test_out_replaces_the_file_whole_and_prints_a_summary(history: History, tmp_path: Path):
    report = tmp_path / "backtest.json"
    report.write_text("old report that is much longer than nothing " * 1000)
    result = backtest(*over(history), "--target", "alert_rule_group/services/payments/*", "--format", "json",
                      "--out", str(report))
    assert result.code == 0 and result.out == ""
    assert result.err.startswith(f"Wrote {report}: Replayed 4 rules over")
    assert report.read_text().startswith("{") and "old report" not in report.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["backtest.json"]  # no temporary file left behind


def test_help_says_what_it_does_and_how_to_call_it(capsys):
    assert backtest("--help", project=REPO).code == 0
    shown = capsys.readouterr().out
    assert "Replay alert rules over the history a Prometheus holds" in shown
    assert "--baseline REF" in shown and "--format [text|json|html]" in shown and "Exit status:" in shown
