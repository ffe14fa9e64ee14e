"""Alert and notification builders: valid rules or a clear error at the call."""

import pytest

from dashkit.builders import (
    BuilderError,
    alert_rule,
    email,
    math_expression,
    mute_timing,
    notification_policy,
    pagerduty,
    prometheus_query,
    reduce_expression,
    route,
    rule_group,
    service_alerts,
    slack,
    template,
    threshold_expression,
    webhook,
)
from dashkit.builders.alerts import prometheus_expression


def test_simple_rule_is_query_reduce_threshold():
    rule = alert_rule("HighErrorRate", "sum(rate(errors[5m]))", threshold=0.05, severity="critical",
                      summary="Too many errors", pending="300s")
    body = rule.to_grafana()
    assert [q["refId"] for q in body["data"]] == ["A", "B", "C"] and body["condition"] == "C"
    assert body["data"][0]["datasourceUid"] == "@prometheus"
    assert body["data"][0]["relativeTimeRange"] == {"from": 600, "to": 0}
    assert body["data"][2]["model"]["conditions"][0]["evaluator"] == {"type": "gt", "params": [0.05]}
    assert body["for"] == "5m" and body["labels"] == {"severity": "critical"}
    assert prometheus_expression(rule) == "(sum(rate(errors[5m]))) > 0.05"


def test_math_rule_translates_to_promql():
    rule = alert_rule("Ratio", queries=[prometheus_query("A", "sum(a)"), prometheus_query("B", "sum(b)"),
                                        math_expression("C", "$A / $B > 2")], condition="C", summary="s")
    assert prometheus_expression(rule) == "(sum(a)) / (sum(b)) > 2"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: alert_rule("X", queries=[prometheus_query("A", "up"), threshold_expression("B", "A", ">", 1)],
                            condition="Z", summary="s"), "condition 'Z' names no query"),
        (lambda: alert_rule("X", queries=[prometheus_query("A", "up"), reduce_expression("B", "Q")],
                            condition="B", summary="s"), "reads 'Q', which is not a refId"),
        (lambda: alert_rule("X", "up", threshold=1, summary="s", pending="5 minutes"), "pending '5 minutes'"),
        (lambda: alert_rule("X", "up", threshold=1, summary="s", severity="page"), "severity must be one of"),
        (lambda: alert_rule("X", "up", threshold=1, summary="{{ if .x }}unclosed"), "not a valid template"),
        (lambda: alert_rule("X", "up", threshold=1, summary="s", dashboard_uid="d"), "together"),
        (lambda: alert_rule("X", "rate(x[$__rate_interval])", threshold=1, summary="s"), "fixed window"),
        (lambda: alert_rule("", "up", threshold=1, summary="s"), "non-empty title"),
        (lambda: rule_group("g", [alert_rule("X", "up", threshold=1, summary="s")], interval="15s"),
         "multiple of 10s"),
        (lambda: slack("s"), "webhook_url_env or token_env"),
        (lambda: slack("s", webhook_url_env="https://hooks.slack.com/services/T0/B0/x"), "NAME of an environment"),
        (lambda: email("e", ["not-an-address"]), "not an e-mail address"),
        (lambda: route("r", matchers=[("severity", "=~", "(unclosed")]), "invalid regular expression"),
        (lambda: mute_timing("m", times=[("06:00", "02:00")]), "ends before it starts"),
        (lambda: template("t", "no define here"), "define at least one"),
    ],
)
def test_invalid_definitions_fail_at_the_call(call, message):
    with pytest.raises(BuilderError) as info:
        call()
    assert message in str(info.value)


def test_contact_points_hold_only_env_var_names():
    point = slack("alerts", webhook_url_env="SLACK_WEBHOOK_URL", channel="#a")
    assert point.settings["url"] == {"$secret_env": "SLACK_WEBHOOK_URL"}
    assert pagerduty("pd", integration_key_env="PD_KEY").settings["integrationKey"] == {"$secret_env": "PD_KEY"}
    assert webhook("w", url="https://example.com/hook").settings["url"] == "https://example.com/hook"


def test_policy_tree_shape():
    tree = notification_policy("email", group_by=["alertname"], routes=[
        route("pd", matchers={"severity": "critical"}, continue_matching=True)])
    assert tree.to_grafana() == {
        "receiver": "email", "group_by": ["alertname"], "group_wait": "30s", "group_interval": "5m",
        "repeat_interval": "4h",
        "routes": [{"receiver": "pd", "object_matchers": [["severity", "=", "critical"]], "continue": True}],
    }
    assert tree.receivers() == {"email", "pd"}


def test_service_alerts_link_to_the_service_dashboard_panels():
    group = service_alerts("checkout")
    assert [r.title for r in group.rules] == ["HighErrorRate", "SlowResponseTime", "HighCPUUsage", "HighMemoryUsage"]
    error = group.rules[0].to_grafana()
    assert error["annotations"]["__dashboardUid__"] == "checkout-golden-signals"
    assert error["labels"] == {"severity": "critical", "service": "checkout"}
    assert [r.pending for r in group.rules] == ["5m", "10m", "15m", "10m"]
