"""The semantic diff names panels and targets, not list indices, and is quiet when nothing changed."""

import json

from dashkit.builders import Row, dashboard, overview_dashboard, stat, timeseries
from dashkit.diff import semantic_diff, short
from dashkit.kinds.base import get_kind
from dashkit.kinds.dashboard import dashboard_resource


def _dash(expr="rate(x[5m])", title="Error rate", extra_panel=False):
    panels = [
        {"id": 1, "title": "Requests", "targets": [{"refId": "A", "expr": "sum(rate(y[5m]))"}]},
        {"id": 2, "title": title, "targets": [{"refId": "A", "expr": expr}, {"refId": "B", "expr": "up"}]},
    ]
    if extra_panel:
        panels.append({"id": 3, "title": "Saturation", "targets": []})
    return {"title": "D", "uid": "d", "panels": panels}


def _diff(before, after):
    kind = get_kind("dashboard")
    return semantic_diff(kind.comparable(before, ""), kind.comparable(after, ""), kind.keyed_lists())


def test_changed_expression_is_named_by_panel_and_target():
    lines = _diff(_dash(), _dash(expr="rate(x[$__rate_interval])"))
    assert [line.render() for line in lines] == [
        '~ panel \'Error rate\' > target A: expr: "rate(x[5m])" -> "rate(x[$__rate_interval])"'
    ]


def test_added_panel_and_reordering():
    before = _dash()
    after = _dash(extra_panel=True)
    after["panels"].reverse()
    lines = _diff(before, after)
    assert [(line.op, line.path) for line in lines] == [("+", "panel 'Saturation'")]


def test_server_managed_fields_and_marker_are_ignored():
    live = {**_dash(), "id": 42, "version": 7, "tags": ["dashkit:team-a"],
            "dashkit": {"owner": "team-a"}}
    assert _diff(live, {**_dash(), "tags": []}) == []


def test_renamed_panel_is_one_change_not_remove_and_add():
    lines = _diff(_dash(), _dash(title="Errors %"))
    assert [(line.op, line.path) for line in lines] == [("~", "panel 'Errors %': title")]


# ---- panels: matched by what they are, named with their row ------------------------------------------------------

def _built(dashboard_json):
    kind = get_kind("dashboard")
    return kind.comparable(dashboard_resource(dashboard_json, (), "dashboards/orders.py").body, "")


def _orders(inserted=False, collapsed_logs=False):
    panels = [timeseries("Requests", "Requests per second.", "reqps", "sum(rate(http_requests_total[5m]))")]
    if inserted:
        panels.append(timeseries("Orders failed", "Failed orders.", "short", "sum(rate(orders_failed_total[5m]))"))
    panels += [timeseries("Orders placed", "Placed orders.", "short", "sum(rate(orders_placed_total[5m]))"),
               stat("Backlog", "Orders waiting.", "short", "sum(orders_queue_depth)")]
    return dashboard("Orders", [
        Row("search", [timeseries("Error rate", "Failed searches.", "percentunit", "sum(rate(search_errors[5m]))")]),
        Row("orders", panels),
        Row("logs", [timeseries("Log volume", "Lines per second.", "short", "sum(rate(log_lines[5m]))")],
            collapsed=collapsed_logs),
    ], uid="orders")


def _semantic(before, after):
    return semantic_diff(before, after, get_kind("dashboard").keyed_lists())


def test_a_panel_inserted_before_others_is_one_addition_and_the_others_only_move():
    lines = _semantic(_built(_orders()), _built(_orders(inserted=True)))
    assert [(line.op, line.path) for line in lines if line.op != "~"] == [("+", "row 'orders' > panel 'Orders failed'")]
    changed = [line for line in lines if line.op == "~"]
    assert changed and all(line.text.startswith("moved (") for line in changed)  # gridPos and renumbered ids only
    assert not any("title" in line.render() for line in lines)  # "Orders placed" is not renamed into anything
    placed = next(line for line in changed if line.path == "row 'orders' > panel 'Orders placed'")
    assert placed.render() == ("~ row 'orders' > panel 'Orders placed': "
                               "moved (gridPos.x: 12 -> 0; gridPos.y: 10 -> 18; id: 5 -> 6)")


def test_a_changed_query_is_named_with_its_row_also_inside_a_collapsed_row():
    for collapsed in (False, True):
        before = _built(_orders(collapsed_logs=collapsed))
        after = json.loads(json.dumps(before).replace("log_lines", "log_lines_total").replace("search_errors",
                                                                                               "search_failures"))
        assert [line.path for line in _semantic(before, after)] == [
            "row 'search' > panel 'Error rate' > target A: expr",
            "row 'logs' > panel 'Log volume' > target A: expr",
        ], collapsed


def test_a_new_service_row_labels_its_panels_with_the_row():
    lines = _semantic(_built(overview_dashboard(["cart", "checkout", "search"])),
                      _built(overview_dashboard(["cart", "catalog", "checkout", "search"])))
    assert [line.path for line in lines if line.op == "+"] == [
        "row 'catalog'", "row 'catalog' > panel 'Request rate'", "row 'catalog' > panel 'Error rate'",
        "row 'catalog' > panel 'Latency p95'", "row 'catalog' > panel 'CPU saturation'"]
    assert all(line.text.startswith("moved") for line in lines if line.op == "~")  # checkout and search move down
    assert not any(line.op == "-" for line in lines)


def test_a_panel_moved_to_another_row_is_a_move_not_remove_and_add():
    saturation, uptime, errors = (stat("Saturation", "s", "percentunit", "x"), stat("Uptime", "u", "s", "y"),
                                  stat("Errors", "e", "percentunit", "z"))
    before = dashboard("D", [Row("a", [saturation, uptime]), Row("b", [errors])], uid="d")
    after = dashboard("D", [Row("a", [uptime]), Row("b", [errors, saturation])], uid="d")
    lines = _semantic(_built(before), _built(after))
    assert {line.op for line in lines} == {"~"}
    assert "row 'b' > panel 'Saturation'" in [line.path for line in lines]


def test_a_panel_whose_type_changed_is_one_change():
    before = _built(dashboard("D", [Row("a", [stat("Errors", "e", "percentunit", "x")])], uid="d"))
    after = _built(dashboard("D", [Row("a", [timeseries("Errors", "e", "percentunit", "x")])], uid="d"))
    lines = _semantic(before, after)
    assert all(line.path.startswith("row 'a' > panel 'Errors': ") for line in lines)  # its fields, not the panel
    assert "row 'a' > panel 'Errors': type" in [line.path for line in lines]


def test_two_panels_of_one_title_in_one_row_are_told_apart_by_id():
    panels = [{"id": 1, "type": "row", "title": "a"},
              {"id": 2, "type": "stat", "title": "Errors", "targets": [{"refId": "A", "expr": "x"}]},
              {"id": 3, "type": "stat", "title": "Errors", "targets": [{"refId": "A", "expr": "y"}]}]
    after = json.loads(json.dumps(panels).replace('"y"', '"z"'))
    lines = _semantic({"panels": panels}, {"panels": after})
    assert [line.path for line in lines] == ["row 'a' > panel 'Errors' (id 3) > target A: expr"]


# ---- order, long values -------------------------------------------------------------------------------------

def test_paths_come_in_natural_order():
    steps = [{"color": "green", "value": i} for i in range(12)]
    before = {"thresholds": {"steps": steps}, "x10": 1, "x2": 1, "x1": 1}
    after = {"thresholds": {"steps": [{**s, "value": s["value"] + 100} for s in steps]}, "x10": 2, "x2": 2, "x1": 2}
    paths = [line.path for line in semantic_diff(before, after, {})]
    assert paths == [f"thresholds.steps[{i}].value" for i in range(12)] + ["x1", "x2", "x10"]


def test_a_change_deep_in_a_long_query_is_shown_where_it_is():
    head = 'sum by (route) (rate(http_requests_total{job="api", code=~"5..", namespace="$namespace"}[5m])) / '
    before = {"expr": head + 'sum by (route) (rate(http_requests_total{job="api"}[5m]))'}
    after = {"expr": head + 'sum by (route) (rate(http_requests_total{job="api-v2"}[5m]))'}
    rendered = semantic_diff(before, after, {})[0].render()
    old, new = rendered.removeprefix("~ expr: ").split(" -> ")
    assert 'api-v2' in new and "api-v2" not in old
    for side in (old, new):
        assert side.startswith('"...') and len(side) <= 100
        inner = side.removeprefix('"...').removesuffix('"').removesuffix("...")
        json.loads(f'"{inner}"')  # cut between characters, never inside an escape


def test_a_long_object_is_summarised_with_what_it_leaves_out():
    value = {f"field{i}": "x" * 20 for i in range(10)}
    text = short(value)
    assert len(text) <= 100 and text.startswith('{"field0": ') and text.endswith("more keys}")


# ---- alerting: routes by matchers and receiver, rules by uid or title, secrets by env var ------------------------

def _kind_diff(kind_name, before, after):
    kind = get_kind(kind_name)
    return semantic_diff(kind.comparable(before, ""), kind.comparable(after, ""), kind.keyed_lists())


def _route(receiver, matchers, **fields):
    return {"receiver": receiver, "object_matchers": [list(m) for m in matchers], **fields}


def test_routes_read_as_routes_with_no_internal_keys():
    orders = _route("orders-slack", [("team", "=", "orders")], group_wait="30s", group_by=["alertname", "team"])
    before = {"routes": [orders, _route("search-slack", [("team", "=", "search")])]}
    after = {"routes": [
        {**orders, "object_matchers": [["team", "=", "orders"], ["env", "=", "prod"]], "group_wait": "1m",
         "group_by": ["team"]},
        _route("search-slack", [("team", "=", "search")],
               routes=[_route("pager", [("severity", "=~", "critical|page")])]),
        _route("team-b", [("team", "=", "b")]),
    ]}
    lines = _kind_diff("notification_policy", before, after)
    assert [line.render() for line in lines] == [
        '- route {team=orders, env=prod} -> orders-slack: group_by: "alertname"',
        '~ route {team=orders, env=prod} -> orders-slack: group_wait: "30s" -> "1m"',
        "~ route {team=orders, env=prod} -> orders-slack: object_matchers: {team=orders} -> {team=orders, env=prod}",
        '+ route {team=search} -> search-slack > route {severity=~"critical|page"} -> pager',
        "+ route {team=b} -> team-b",
    ]
    plan_json = json.dumps([line.to_json() for line in lines])
    assert "\\u0000" not in plan_json and "\x00" not in plan_json
    assert "group_by[" not in plan_json  # a label list is a set, not positions


def test_a_reordered_route_is_a_change_because_routes_are_tried_in_order():
    a, b = _route("a", [("team", "=", "a")]), _route("b", [("team", "=", "b")])
    lines = _kind_diff("notification_policy", {"routes": [a, b]}, {"routes": [b, a]})
    assert [(line.path, line.old, line.new) for line in lines] == [
        ("order of routes", ["route {team=a} -> a", "route {team=b} -> b"],
         ["route {team=b} -> b", "route {team=a} -> a"])]


def _rule(title, uid=None, expr="up"):
    rule = {"title": title, "condition": "A", "data": [{"refId": "A", "datasourceUid": "p", "model": {"expr": expr}}]}
    return {**rule, "uid": uid} if uid else rule


def test_rules_are_matched_by_uid_then_title_and_named_by_title():
    before = {"interval": 60, "rules": [_rule("High errors", "u1"), _rule("Slow", "u2"), _rule("Down")]}
    after = {"interval": 60,
             "rules": [_rule("High errors", "u9"), _rule("Slow requests", "u2"), _rule("Down", expr="x")]}
    assert [line.render() for line in _kind_diff("alert_rule_group", before, after)] == [
        '~ rule \'High errors\': uid: "u1" -> "u9"',
        '~ rule \'Slow requests\': title: "Slow" -> "Slow requests"',
        '~ rule \'Down\' > query A: model.expr: "up" -> "x"',
    ]


def test_a_rotated_secret_is_named_by_its_env_var_never_by_its_digest():
    live = {"name": "slack", "type": "slack", "settings": {"url": "[REDACTED]", "dashkitSecretDigest": "hmac-sha256:1"}}
    wanted = {"name": "slack", "type": "slack", "settings": {"url": {"$secret_env": "SLACK_WEBHOOK_URL"},
                                                             "dashkitSecretDigest": "hmac-sha256:2"}}
    lines = _kind_diff("contact_point", live, wanted)
    assert [line.render() for line in lines] == ["~ secret SLACK_WEBHOOK_URL changed"]
    assert "dashkitSecretDigest" not in json.dumps([line.to_json() for line in lines])
    first_digest = _kind_diff("contact_point", {**live, "settings": {"url": "[REDACTED]"}}, wanted)
    assert [line.render() for line in first_digest] == ["+ digest of secret SLACK_WEBHOOK_URL"]
