"""What backtest replays, and what it reports as not replayable instead of guessing: Grafana rules over non-PromQL
datasources, classic conditions, Grafana's $__ variables, range queries (reduced in PromQL as a subquery, or not
replayable), hysteresis, label templates; Prometheus alerts reading recording rules of their own file (inlined only
when that gives the same series)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashkit.backtest.prometheus_rules import file_rules, inline_recordings
from dashkit.backtest.rules import grafana_group
from dashkit.builders import alert_rule, rule_group
from dashkit.errors import ConfigError

EXPR = 'sum(rate(http_requests_total{status_code="500"}[5m])) / sum(rate(http_requests_total[5m]))'


def group(*rules: dict, interval: int = 60) -> dict:
    return {"title": "g", "interval": interval, "rules": list(rules)}


def grafana_rule(**changes) -> dict:
    built = rule_group("g", [alert_rule("Errors", expr=EXPR, threshold=0.05, summary="errors")]).rules[0]
    rule = built.to_grafana()
    for ref, model in changes.pop("models", {}).items():
        query = next(q for q in rule["data"] if q["refId"] == ref)
        query["model"] = {**query["model"], **model}
    return {**rule, **changes}


def replay(rule: dict, types: dict | None = None):
    [parsed] = grafana_group(group(rule), "g", "alerts/x.py", types or {})
    return parsed


def test_a_dashkit_alert_is_replayed_as_grafana_evaluates_it():
    rule = replay(grafana_rule())
    assert rule.problem is None and rule.kind == "grafana" and rule.pending == 300 and rule.interval == 60
    assert [(q.key, q.expr) for q in rule.queries] == [("A", EXPR)]
    assert rule.condition == "C" and rule.value == "B" and rule.thresholds == (0.05,)
    assert rule.labels == {"severity": "warning"}


@pytest.mark.parametrize(("change", "problem"), [
    ({"data": [{"refId": "C", "datasourceUid": "@loki", "model": {"expr": "sum(rate({app=\"x\"}[5m]))"}}]},
     "query C reads datasource '@loki' (type loki), not Prometheus"),
    ({"data": [{"refId": "C", "datasourceUid": "abc123", "model": {"expr": "up"}}]},
     "query C reads datasource 'abc123' (a type dashkit does not know), not Prometheus"),
    ({"models": {"A": {"expr": "sum(rate(x[$__rate_interval]))"}}}, "uses Grafana's $__rate_interval"),
    ({"models": {"C": {"type": "classic_conditions"}}}, "classic condition, which cannot be replayed exactly"),
    ({"models": {"C": {"conditions": [{"evaluator": {"type": "gt", "params": [1]},
                                       "unloadEvaluator": {"type": "lt", "params": [0.5]}}]}}},
     "recovery threshold (hysteresis)"),
    ({"models": {"B": {"type": "resample"}}}, "of type 'resample' cannot be replayed"),
    ({"isPaused": True}, "the rule is paused"),
    ({"labels": {"severity": "{{ if gt $values.B.Value 1.0 }}critical{{ end }}"}}, "label severity is a template"),
])
def test_what_cannot_be_replayed_exactly_says_why(change, problem):
    if "data" in change:
        change = {"condition": "C", "data": change["data"]}
    rule = replay(grafana_rule(**change), {"@loki": "loki"})
    assert rule.problem is not None and problem in rule.problem


def test_a_reduced_range_query_is_replayed_in_promql_as_a_subquery():
    rule = replay(grafana_rule(models={"A": {"instant": False, "range": True, "interval": "30s"},
                                       "B": {"reducer": "mean"}}))
    assert rule.problem is None
    assert [(q.key, q.ref, q.expr) for q in rule.queries] == [("A/mean", "A", f"avg_over_time(({EXPR})[600s:30s])")]
    assert rule.expressions["B"]["expression"] == "A/mean"


def test_a_range_query_that_is_not_reduced_cannot_be_replayed():
    rule = grafana_rule(models={"A": {"instant": False, "range": True}})
    rule["data"] = [rule["data"][0], {**rule["data"][2], "model": {**rule["data"][2]["model"], "expression": "A"}}]
    assert "range query whose result is not reduced" in (replay(rule).problem or "")


def test_a_label_template_of_the_series_labels_is_replayed():
    assert replay(grafana_rule(labels={"team": "{{ $labels.service }}-team"})).problem is None


def test_grafana_recording_rules_are_not_alerts():
    assert grafana_group(group({"title": "r", "record": {"metric": "x", "from": "A"}, "data": []}), "g", "") == []


RECORDINGS = {
    "slo:errors:ratio5m": [("sum(rate(errors[5m]))", {"slo": "availability"}),
                           ("sum(rate(slow[5m]))", {"slo": "latency"})],
    "job:up:sum": [("sum by (job) (up)", {})],
}


def test_a_recording_rule_of_the_same_file_is_inlined_with_the_labels_it_sets():
    assert inline_recordings("job:up:sum == 0", RECORDINGS) == \
        'label_replace((sum by (job) (up)), "__name__", "job:up:sum", "", "") == 0'
    inlined = inline_recordings('slo:errors:ratio5m{slo="latency"} > 0.01', RECORDINGS)
    assert inlined.startswith('label_replace(label_replace((sum(rate(slow[5m]))), "__name__", "slo:errors:ratio5m"')
    assert inlined.endswith('"slo", "latency", "", "") > 0.01') and "errors[5m]" not in inlined
    both = inline_recordings("max(slo:errors:ratio5m) > 0.01", RECORDINGS)
    assert " or " in both and "errors[5m]" in both and "slow[5m]" in both


@pytest.mark.parametrize(("expr", "problem"), [
    ('slo:errors:ratio5m{job="api"} > 1', "by label job, which that rule does not set"),
    ("avg_over_time(job:up:sum[1h]) < 1", "with a range, offset or @"),
    ("job:up:sum offset 5m < 1", "with a range, offset or @"),
    ('slo:errors:ratio5m{slo="other"} > 1', "none of its definitions set"),
])
def test_a_recording_rule_that_cannot_be_inlined_exactly_is_reported(expr, problem):
    with pytest.raises(ValueError, match=problem):
        inline_recordings(expr, RECORDINGS)


def test_rule_files_give_their_alerts_and_refuse_what_holds_none(tmp_path: Path):
    rules = tmp_path / "rules.yml"
    rules.write_text("groups:\n  - name: api\n    interval: 30s\n    labels: {team: api}\n    rules:\n"
                     "      - record: job:errors:rate5m\n        expr: sum by (job) (rate(errors[5m]))\n"
                     "      - alert: Errors\n        expr: job:errors:rate5m > 1\n        for: 2m\n"
                     "        keep_firing_for: 1m\n        labels: {severity: page}\n")
    [alert] = file_rules([rules])
    assert (alert.alert, alert.interval, alert.pending, alert.keep_firing_for) == ("Errors", 30, 120, 60)
    assert alert.labels == {"team": "api", "severity": "page"} and "rate(errors[5m])" in alert.expr
    assert alert.thresholds == (1.0,) and alert.value is not None and "rate(errors[5m])" in alert.value
    only_recordings = tmp_path / "recordings.yml"
    only_recordings.write_text("groups:\n  - name: r\n    rules:\n      - record: a:b\n        expr: up\n")
    with pytest.raises(ConfigError, match="no alerting rules"):
        file_rules([only_recordings])
    dashboard = tmp_path / "notes.yml"
    dashboard.write_text("title: hello\n")
    with pytest.raises(ConfigError, match="not a dashboard or rule file"):
        file_rules([dashboard])
