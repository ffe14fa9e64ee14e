"""The plan a reviewer approves names what changed, through the CLI against the emulator: an inserted panel is one
addition, panels carry their row, routes read as routes, rules by title, a rotated secret by its env var, and no
internal key reaches the text or the JSON plan."""

import json

import pytest

from conftest import ALL_PROFILES

GRAFANA_PROFILES = ALL_PROFILES  # every test runs against Grafana 11, 12 and 13

ORDERS = '''\
from dashkit.builders import Row, dashboard, stat, timeseries

panels = [timeseries("Requests", "Requests per second.", "reqps", "sum(rate(http_requests_total[5m]))")]
if @INSERTED@:
    panels.append(timeseries("Orders failed", "Failed orders.", "short", "sum(rate(orders_failed_total[5m]))"))
panels += [timeseries("Orders placed", "Placed orders.", "short", "sum(rate(orders_placed_total[5m]))"),
           stat("Backlog", "Orders waiting.", "short", "sum(orders_queue_depth)")]
dashboard = dashboard("Orders", [
    Row("search", [timeseries("Error rate", "Failed searches.", "percentunit", "sum(rate(search_errors[5m]))")]),
    Row("orders", panels),
], uid="orders")
'''

OVERVIEW = '''\
from dashkit.builders import overview_dashboard

dashboard = overview_dashboard(@SERVICES@)
'''

ALERTS = '''\
from dashkit.builders import alert_rule, email, notification_policy, route, rule_group, slack

rule_group = rule_group("orders", [
    alert_rule("@PINNED@", "sum(rate(orders_failed_total[5m]))", threshold=1, summary="Orders fail", uid="@UID@"),
    alert_rule("@DERIVED@", "sum(orders_queue_depth)", threshold=100, summary="Orders wait"),
], folder="orders")

contact_points = [
    slack("orders-slack", webhook_url_env="SLACK_WEBHOOK_URL", channel="#orders"),
    email("search-email", ["search@example.com"]),
]

notification_policy = notification_policy(routes=[
    route("orders-slack", matchers=@MATCHERS@, group_wait="@WAIT@", group_by=@GROUP_BY@),
    route("search-email", matchers={"team": "search"}),
])
'''


def _orders(project, inserted: bool) -> None:
    project.write("dashboards/orders.py", ORDERS.replace("@INSERTED@", str(inserted)))


def _alerts(project, **changes) -> None:
    values = {"PINNED": "Orders failing", "UID": "orders-failing", "DERIVED": "Backlog growing",
              "MATCHERS": '{"team": "orders"}', "WAIT": "30s", "GROUP_BY": '["alertname", "team"]', **changes}
    source = ALERTS
    for name, value in values.items():
        source = source.replace(f"@{name}@", value)
    project.write("alerts/orders.py", source)


@pytest.fixture
def alerting(project, monkeypatch):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.example/T000/B000/first-secret-value")
    _alerts(project)
    return project


def _details(plan: dict) -> list[dict]:
    return [line for change in plan["changes"] for line in change.get("details", [])]


def _no_internal_keys(text: str) -> None:
    """Neither a NUL nor its JSON escape anywhere: not in a path, a value or an object key."""
    assert "\x00" not in text and "\\u0000" not in text
    for node in _walk(json.loads(text)):
        assert "\x00" not in node


def _walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
    elif isinstance(node, str):
        yield node


def _detail_lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.startswith("      ")]


def test_inserting_a_panel_is_one_addition_and_the_panels_after_it_only_move(grafana, project, dashkit):
    _orders(project, inserted=False)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    _orders(project, inserted=True)
    diff = dashkit("diff", "--env", "local")
    lines = _detail_lines(diff.out)
    assert [line for line in lines if not line.startswith("~")] == ["+ row 'orders' > panel 'Orders failed'"]
    assert ("~ row 'orders' > panel 'Orders placed': moved (gridPos.x: 12 -> 0; gridPos.y: 10 -> 18; id: 5 -> 6)"
            in lines)
    assert "title" not in diff.out  # nothing is renamed
    plan = dashkit("diff", "--env", "local", "--format", "json").out
    _no_internal_keys(plan)
    added = [d for d in _details(json.loads(plan)) if d["op"] == "+"]
    assert [(d["path"], d["new"]["title"]) for d in added] == [
        ("row 'orders' > panel 'Orders failed'", "Orders failed")]
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


def test_a_new_service_row_labels_its_panels_with_the_row(grafana, project, dashkit):
    project.write("dashboards/overview.py", OVERVIEW.replace("@SERVICES@", '["cart", "checkout"]'))
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    project.write("dashboards/overview.py", OVERVIEW.replace("@SERVICES@", '["cart", "checkout", "search"]'))
    lines = _detail_lines(dashkit("diff", "--env", "local").out)
    assert lines == ["+ row 'search'", "+ row 'search' > panel 'Request rate'", "+ row 'search' > panel 'Error rate'",
                     "+ row 'search' > panel 'Latency p95'", "+ row 'search' > panel 'CPU saturation'"]


def test_a_route_change_reads_as_a_route_in_text_and_json(grafana, alerting, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    _alerts(alerting, MATCHERS='{"team": "orders", "env": "prod"}', WAIT="1m", GROUP_BY='["team"]')
    diff = dashkit("diff", "--env", "local")
    assert _detail_lines(diff.out) == [
        '- route {team=orders, env=prod} -> orders-slack: group_by: "alertname"',
        '~ route {team=orders, env=prod} -> orders-slack: group_wait: "30s" -> "1m"',
        "~ route {team=orders, env=prod} -> orders-slack: object_matchers: {team=orders} -> {team=orders, env=prod}",
    ]
    plan = dashkit("diff", "--env", "local", "--format", "json").out
    _no_internal_keys(plan)
    matchers = next(d for d in _details(json.loads(plan)) if d["path"].endswith("object_matchers"))
    assert matchers["new"] == [["team", "=", "orders"], ["env", "=", "prod"]]


def test_rule_title_and_uid_changes_read_by_rule_title(grafana, alerting, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    _alerts(alerting, PINNED="Orders failing fast", DERIVED="Backlog too long")
    diff = dashkit("diff", "--env", "local")
    assert _detail_lines(diff.out) == [
        "~ rule 'Orders failing fast': title: \"Orders failing\" -> \"Orders failing fast\"",  # same uid
        "- rule 'Backlog growing'",  # a uid dashkit derives from the title: a new rule in Grafana
        "+ rule 'Backlog too long'",
    ]
    _no_internal_keys(dashkit("diff", "--env", "local", "--format", "json").out)
    _alerts(alerting, UID="orders-failing-v2")
    assert _detail_lines(dashkit("diff", "--env", "local").out) == [
        "~ rule 'Orders failing': uid: \"orders-failing\" -> \"orders-failing-v2\""]


def test_a_rotated_secret_says_which_env_var_changed(grafana, alerting, dashkit, monkeypatch):
    config = alerting.root / "dashkit.yaml"
    config.write_text(config.read_text() + "    secret_digest_key_env: DK_KEY\n")
    monkeypatch.setenv("DK_KEY", "a-key-only-the-ci-holds")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.example/T000/B000/second-secret-value")
    diff = dashkit("diff", "--env", "local")
    assert "~ contact_point orders-slack" in diff.out
    assert _detail_lines(diff.out) == ["~ secret SLACK_WEBHOOK_URL changed"]
    plan = dashkit("diff", "--env", "local", "--format", "json").out
    _no_internal_keys(plan)
    assert "dashkitSecretDigest" not in plan and "hmac-sha256" not in plan

    config.write_text(config.read_text().replace("    secret_digest_key_env: DK_KEY\n", ""))
    assert dashkit("sync", "--env", "local", "--yes").code == 0  # the digest goes: "- digest of secret ..."
    rotate = dashkit("diff", "--env", "local", "--rotate-secrets")
    assert _detail_lines(rotate.out) == ["~ secret SLACK_WEBHOOK_URL re-sent (--rotate-secrets)"]
