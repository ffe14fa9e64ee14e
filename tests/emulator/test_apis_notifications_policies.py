"""The routing tree, template groups, time intervals and inhibition rules under /apis over the provisioning API's
state, and the deprecation headers 13 puts on the legacy alerting routes (grafana-api.md §14.9)."""

from __future__ import annotations

import pytest

from .test_alerting_helpers import API, rule
from .test_apis_notifications_helpers import (
    GROUP,
    PROVENANCE,
    name_of,
    receiver,
)

BASE = f"{GROUP}/v1beta1/namespaces/default"
TREE = f"{BASE}/routingtrees/user-defined"
TIME_INTERVAL = {"name": "nights", "time_intervals": [{"times": [{"start_time": "22:00", "end_time": "24:00"}]}]}


def _tree(api, routes: list, **defaults) -> dict:
    current = api.get(TREE).json()
    current["spec"] = {"defaults": {"receiver": "grafana-default-email", **defaults}, "routes": routes}
    return current


def test_a_routing_tree_written_through_apis_is_the_policy_tree(api13) -> None:
    assert api13.post(f"{BASE}/receivers", json=receiver("ops")).status_code == 201
    routes = [
        {
            "receiver": "ops",
            "matchers": [
                {"type": "=", "label": "team", "value": "ops"},
                {"type": "=~", "label": "env", "value": "prod|staging"},
            ],
            "continue": True,
            "group_wait": "60s",
            "routes": [{"matchers": [{"type": "!=", "label": "severity", "value": "info"}], "continue": False}],
        }
    ]
    body = _tree(api13, routes, group_by=["alertname"], repeat_interval="4h")
    written = api13.put(TREE, json=body)
    assert written.status_code == 200, written.text
    assert written.json()["spec"]["routes"][0]["group_wait"] == "1m"

    assert api13.get(f"{API}/policies").json() == {
        "receiver": "grafana-default-email",
        "group_by": ["alertname"],
        "routes": [
            {
                "receiver": "ops",
                "object_matchers": [["team", "=", "ops"], ["env", "=~", "prod|staging"]],
                "continue": True,
                "routes": [{"object_matchers": [["severity", "!=", "info"]]}],
                "group_wait": "1m",
            }
        ],
        "repeat_interval": "4h",
    }


def test_a_policy_tree_written_through_provisioning_reads_back_as_matchers(api13) -> None:
    tree = {
        "receiver": "grafana-default-email",
        "routes": [
            {
                "receiver": "grafana-default-email",
                "match": {"b": "1"},
                "matchers": ['a=~"x|y"'],
                "object_matchers": [["c", "!~", "z"]],
            }
        ],
    }
    assert api13.put(f"{API}/policies", json=tree).status_code == 202

    read = api13.get(TREE).json()
    assert read["metadata"]["annotations"][PROVENANCE] == "api"
    (route,) = read["spec"]["routes"]
    assert route["matchers"] == [
        {"type": "=", "label": "b", "value": "1"},
        {"type": "=~", "label": "a", "value": "x|y"},
        {"type": "!~", "label": "c", "value": "z"},
    ]
    assert route["continue"] is False and read["spec"]["defaults"] == {"receiver": "grafana-default-email"}


def test_the_tree_guards_versions_and_references_and_resets_on_delete(api13) -> None:
    body = _tree(api13, [{"receiver": "nobody", "continue": False}])
    invalid = api13.put(TREE, json=body)
    assert invalid.status_code == 400
    assert invalid.json()["details"]["uid"] == "alerting.notifications.routes.invalidFormat"
    assert "receiver 'nobody' does not exist" in invalid.json()["message"]

    body = _tree(api13, [{"receiver": "grafana-default-email", "continue": True}])
    assert api13.put(TREE, json=body).status_code == 200
    stale = api13.put(TREE, json=body)
    assert (stale.status_code, stale.json()["reason"]) == (409, "Conflict")

    assert api13.post(f"{BASE}/routingtrees", json=body).status_code == 405
    assert api13.get(f"{BASE}/routingtrees/another").status_code == 404
    assert api13.delete(TREE).status_code == 200
    assert api13.get(f"{API}/policies").json() == {
        "receiver": "grafana-default-email",
        "group_by": ["grafana_folder", "alertname"],
    }


def test_template_groups_are_the_provisioning_templates(api13) -> None:
    created = api13.post(
        f"{BASE}/templategroups", json={"spec": {"title": "slack", "content": '{{ define "slack" }}hi{{ end }}'}}
    )
    assert created.status_code == 201, created.text
    assert created.json()["metadata"]["name"] == name_of("slack") and created.json()["spec"]["kind"] == "grafana"
    legacy = api13.get(f"{API}/templates/slack").json()
    assert legacy["template"] == '{{ define "slack" }}hi{{ end }}'
    assert legacy["version"] == created.json()["metadata"]["resourceVersion"]

    api13.put(f"{API}/templates/mail", json={"template": '{{ define "mail" }}x{{ end }}'})
    titles = [item["spec"]["title"] for item in api13.get(f"{BASE}/templategroups").json()["items"]]
    assert sorted(titles) == ["mail", "slack"]

    body = created.json()
    body["spec"]["title"] = "chat"
    renamed = api13.put(f"{BASE}/templategroups/{name_of('slack')}", json=body)
    assert renamed.status_code == 200 and renamed.json()["metadata"]["name"] == name_of("chat")
    assert api13.get(f"{API}/templates/slack").status_code == 404

    duplicate = api13.post(f"{BASE}/templategroups", json={"spec": {"title": "mail", "content": "x"}})
    assert (duplicate.status_code, duplicate.json()["details"]["uid"]) == (
        400,
        "alerting.notifications.templates.nameExists",
    )
    assert api13.delete(f"{BASE}/templategroups/{name_of('mail')}").status_code == 200
    assert api13.get(f"{API}/templates/mail").status_code == 404


def test_time_intervals_are_the_provisioning_mute_timings(api13) -> None:
    created = api13.post(f"{BASE}/timeintervals", json={"spec": TIME_INTERVAL})
    assert created.status_code == 201, created.text
    assert created.json()["metadata"]["name"] == name_of("nights")
    assert api13.get(f"{API}/mute-timings/nights").json()["time_intervals"] == TIME_INTERVAL["time_intervals"]

    legacy = {"name": "weekends", "time_intervals": [{"weekdays": ["saturday", "sunday"]}]}
    assert api13.post(f"{API}/mute-timings", json=legacy).status_code == 201
    read = api13.get(f"{BASE}/timeintervals/{name_of('weekends')}").json()
    assert read["spec"] == legacy and read["metadata"]["annotations"][PROVENANCE] == "api"
    assert read["metadata"]["annotations"]["grafana.com/canUse"] == "true"


def test_a_time_interval_in_use_is_kept_and_a_rename_follows_into_the_tree(api13) -> None:
    api13.post(f"{BASE}/timeintervals", json={"spec": TIME_INTERVAL})
    route = {"receiver": "grafana-default-email", "continue": False, "mute_time_intervals": ["nights"]}
    assert api13.put(TREE, json=_tree(api13, [route])).status_code == 200

    refused = api13.delete(f"{BASE}/timeintervals/{name_of('nights')}")
    assert refused.status_code == 409
    assert refused.json()["details"]["uid"] == "alerting.notifications.time-intervals.used"

    current = api13.get(f"{BASE}/timeintervals/{name_of('nights')}").json()
    current["spec"]["name"] = "late"
    renamed = api13.put(f"{BASE}/timeintervals/{name_of('nights')}", json=current)
    assert renamed.status_code == 200 and renamed.json()["metadata"]["name"] == name_of("late")
    assert api13.get(f"{API}/policies").json()["routes"][0]["mute_time_intervals"] == ["late"]


def test_inhibition_rules_on_13(api13, client_at) -> None:
    spec = {"source_matchers": [{"type": "=", "label": "severity", "value": "critical"}], "equal": ["cluster"]}
    unnamed = api13.post(f"{BASE}/inhibitionrules", json={"spec": spec})
    assert (unnamed.status_code, unnamed.json()["reason"]) == (422, "Invalid")
    created = api13.post(f"{BASE}/inhibitionrules", json={"metadata": {"name": "quiet"}, "spec": spec})
    assert created.status_code == 201, created.text
    assert api13.get(f"{BASE}/inhibitionrules/quiet").json()["spec"] == spec
    assert [item["metadata"]["name"] for item in api13.get(f"{BASE}/inhibitionrules").json()["items"]] == ["quiet"]
    assert api13.post(f"{BASE}/inhibitionrules", json={"metadata": {"name": "quiet"}, "spec": spec}).status_code == 400
    assert api13.delete(f"{BASE}/inhibitionrules/quiet").status_code == 200
    assert api13.get(f"{BASE}/inhibitionrules/quiet").status_code == 404


def test_a_dry_run_answers_but_keeps_nothing(api13) -> None:
    dry = api13.post(f"{BASE}/receivers", params={"dryRun": "All"}, json=receiver("ops"))
    assert dry.status_code == 201 and dry.json()["spec"]["title"] == "ops"
    assert api13.get(f"{API}/contact-points", params={"name": "ops"}).json() == []


LEGACY_ROUTES = [
    ("GET", f"{API}/contact-points", "receivers"),
    ("GET", f"{API}/policies", "routingtrees"),
    ("GET", f"{API}/templates", "templategroups"),
    ("GET", f"{API}/mute-timings", "timeintervals"),
    ("GET", f"{API}/alert-rules", "alertrules"),
]


@pytest.mark.parametrize(("method", "path", "resource"), LEGACY_ROUTES)
def test_13_marks_the_legacy_alerting_routes_deprecated(api13, method, path, resource) -> None:
    response = api13.request(method, path)
    assert response.status_code == 200
    assert response.headers["Warning"].startswith('299 - "')
    assert response.headers["X-API-Deprecation-Date"] == "2026-04-07"
    assert response.headers["X-API-Replacement"].startswith("/apis/")
    assert response.headers["X-API-Replacement"].endswith(f"/namespaces/default/{resource}")


def test_13_deprecates_writes_and_errors_too_but_not_exports(api13) -> None:
    point = {"name": "p", "type": "email", "settings": {"addresses": "a@b.c"}}
    created = api13.post(f"{API}/contact-points", json=point)
    assert created.status_code == 202 and "X-API-Deprecation-Date" in created.headers
    missing = api13.get(f"{API}/alert-rules/nope")
    assert missing.status_code == 404 and "X-API-Replacement" in missing.headers
    api13.folder("ops", uid="ops")
    group = api13.put(f"{API}/folder/ops/rule-groups/cpu", json={"interval": 60, "rules": [rule()]})
    assert group.status_code == 200 and group.headers["X-API-Replacement"].endswith("/alertrules")
    for export in ("contact-points/export", "policies/export", "mute-timings/export", "alert-rules/export"):
        assert "Warning" not in api13.get(f"{API}/{export}").headers


@pytest.mark.parametrize("version", ["11.6.0", "12.2.0"])
def test_earlier_versions_do_not_deprecate_the_legacy_routes(client_at, version) -> None:
    api = client_at(version)
    for _, path, _ in LEGACY_ROUTES:
        response = api.get(path)
        assert response.status_code == 200
        assert not {"Warning", "X-API-Deprecation-Date", "X-API-Replacement"} & set(response.headers)
