"""Notification templates and mute timings through the provisioning API (grafana-api.md §7.8, §7.9; §11 item 24)."""

from __future__ import annotations

from .test_alerting_helpers import API, NO_PROVENANCE, rule

TEMPLATES = f"{API}/templates"
TIMINGS = f"{API}/mute-timings"
NIGHTS = {"name": "nights", "time_intervals": [{"times": [{"start_time": "00:00", "end_time": "06:00"}]}]}


def test_put_template_answers_202_with_the_stored_template(api) -> None:
    content = '{{ define "ops.title" }}[{{ .Status }}] {{ .CommonLabels.alertname }}{{ end }}'
    response = api.put(f"{TEMPLATES}/ops.title", json={"template": content})
    assert response.status_code == 202
    stored = response.json()
    assert (stored["name"], stored["template"], stored["provenance"]) == ("ops.title", content, "api")
    assert len(stored["version"]) == 16
    assert api.get(f"{TEMPLATES}/ops.title").json() == stored
    assert api.get(TEMPLATES).json() == [stored]


def test_a_template_without_define_is_wrapped_in_one(api) -> None:
    stored = api.put(f"{TEMPLATES}/plain", json={"template": "Alert: {{ .Status }}\n"}).json()
    assert stored["template"] == '{{ define "plain" }}\n  Alert: {{ .Status }}\n{{ end }}'


def test_template_versions_guard_concurrent_updates(api) -> None:
    first = api.put(f"{TEMPLATES}/t", json={"template": "one"}).json()
    second = api.put(f"{TEMPLATES}/t", json={"template": "two", "version": first["version"]})
    assert second.status_code == 202
    stale = api.put(f"{TEMPLATES}/t", json={"template": "three", "version": first["version"]})
    assert (stale.status_code, stale.json()["messageId"]) == (409, "alerting.notifications.conflict")
    unknown = api.put(f"{TEMPLATES}/other", json={"template": "x", "version": first["version"]})
    assert unknown.status_code == 404


def test_invalid_and_missing_templates(api) -> None:
    broken = api.put(f"{TEMPLATES}/broken", json={"template": "{{ if .Status }}firing"})
    assert (broken.status_code, broken.json()["messageId"]) == (400, "alerting.notifications.templates.invalidFormat")
    missing = api.get(f"{TEMPLATES}/nope")
    assert (missing.status_code, missing.json()["messageId"]) == (404, "alerting.notifications.templates.notFound")


def test_delete_template_answers_204_even_twice(api) -> None:
    api.put(f"{TEMPLATES}/t", json={"template": "x"})
    for _ in range(2):
        response = api.delete(f"{TEMPLATES}/t")
        assert (response.status_code, response.content) == (204, b"")
    assert api.get(TEMPLATES).json() == []


def test_a_provisioned_template_stays_provisioned(api) -> None:
    api.put(f"{TEMPLATES}/t", json={"template": "x"})
    refused = api.delete(f"{TEMPLATES}/t", headers=NO_PROVENANCE)
    assert (refused.status_code, refused.json()["messageId"]) == (403, "alerting.notifications.invalidProvenance")


def test_mute_timing_create_201_get_put_202_delete_204(api) -> None:
    created = api.post(TIMINGS, json=NIGHTS)
    assert created.status_code == 201
    assert created.json()["time_intervals"] == NIGHTS["time_intervals"] and created.json()["provenance"] == "api"
    assert api.get(f"{TIMINGS}/nights").json() == created.json()
    weekends = {"name": "nights", "time_intervals": [{"weekdays": ["Saturday", "sunday"]}]}
    assert api.post(TIMINGS, json=weekends).json()["messageId"] == "alerting.notifications.time-intervals.nameExists"
    updated = api.put(f"{TIMINGS}/nights", json=weekends)
    assert updated.status_code == 202 and updated.json()["version"] != created.json()["version"]
    assert updated.json()["time_intervals"] == [{"weekdays": ["saturday", "sunday"]}]
    deleted = api.delete(f"{TIMINGS}/nights")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert api.get(f"{TIMINGS}/nights").json()["messageId"] == "alerting.notifications.time-intervals.notFound"


def test_time_intervals_come_back_in_alertmanager_spelling(api) -> None:
    spec = {"weekdays": ["Monday:Friday"], "months": ["1:3", "december"], "days_of_month": ["1:5", "-1"]}
    body = api.post(TIMINGS, json={"name": "quarter", "time_intervals": [{**spec, "years": ["2030"]}]}).json()
    assert body["time_intervals"] == [
        {
            "weekdays": ["monday:friday"],
            "days_of_month": ["1:5", "-1"],
            "months": ["january:march", "december"],
            "years": ["2030"],
        }
    ]


def test_malformed_time_intervals_are_bad_request_data(api) -> None:
    for interval in ({"weekdays": ["funday"]}, {"times": [{"start_time": "06:00", "end_time": "05:00"}]}):
        response = api.post(TIMINGS, json={"name": "bad", "time_intervals": [interval]})
        assert (response.status_code, response.json()) == (400, {"message": "bad request data"})


def test_a_mute_timing_in_use_cannot_be_deleted(api) -> None:
    api.post(TIMINGS, json=NIGHTS)
    route = {"receiver": "grafana-default-email", "mute_time_intervals": ["nights"]}
    assert api.put(f"{API}/policies", json={"receiver": "grafana-default-email", "routes": [route]}).status_code == 202
    in_policy = api.delete(f"{TIMINGS}/nights")
    assert (in_policy.status_code, in_policy.json()["messageId"]) == (409, "alerting.notifications.time-intervals.used")
    api.delete(f"{API}/policies")
    api.folder("Ops", "ops")
    settings = {"receiver": "grafana-default-email", "mute_time_intervals": ["nights"]}
    api.post(f"{API}/alert-rules", json=rule(uid="quiet", notification_settings=settings))
    in_rule = api.delete(f"{TIMINGS}/nights")
    assert in_rule.status_code == 409 and in_rule.json()["extra"] == {"UsedByRules": ["quiet"]}
