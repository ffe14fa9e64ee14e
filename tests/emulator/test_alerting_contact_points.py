"""Contact points through the provisioning API: secrets, validation, references (grafana-api.md §7.6; §11 item 24)."""

from __future__ import annotations

import pytest

from .test_alerting_helpers import API, NO_PROVENANCE, rule

POINTS = f"{API}/contact-points"
SLACK = {
    "name": "ops-slack",
    "type": "slack",
    "settings": {"url": "https://hooks.slack.test/T0/B0/secret", "username": "grafana", "x_custom": {"kept": True}},
}


def _create(api, body: dict) -> dict:
    response = api.post(POINTS, json=body)
    assert response.status_code == 202, response.text
    return response.json()


def _decrypted(api, name: str) -> dict:
    exported = api.get(f"{POINTS}/export", params={"decrypt": "true", "format": "json", "name": name}).json()
    return exported["contactPoints"][0]["receivers"][0]["settings"]


def test_every_org_starts_with_the_default_email_contact_point(api) -> None:
    (default,) = api.get(POINTS).json()
    assert {k: default[k] for k in ("name", "type", "settings", "disableResolveMessage")} == {
        "name": "grafana-default-email",
        "type": "email",
        "settings": {"addresses": "<example@email.com>"},
        "disableResolveMessage": False,
    }
    assert "provenance" not in default and default["uid"]


def test_create_answers_202_and_redacts_secrets(api) -> None:
    created = _create(api, SLACK)
    assert created["uid"][0].isalpha() and created["provenance"] == "api"
    assert created["settings"]["url"] == "[REDACTED]"
    listed = api.get(POINTS, params={"name": "ops-slack"}).json()
    assert listed == [created]
    assert listed[0]["settings"]["x_custom"] == {"kept": True} and listed[0]["settings"]["username"] == "grafana"
    assert _decrypted(api, "ops-slack")["url"] == "https://hooks.slack.test/T0/B0/secret"


def test_update_keeps_a_secret_sent_back_as_redacted(api) -> None:
    created = _create(api, SLACK)
    settings = {**created["settings"], "username": "alerts"}
    response = api.put(f"{POINTS}/{created['uid']}", json={**created, "settings": settings})
    assert (response.status_code, response.json()) == (202, {"message": "contactpoint updated"})
    assert _decrypted(api, "ops-slack") == {**SLACK["settings"], "username": "alerts"}
    replaced = {**settings, "url": "https://hooks.slack.test/new"}
    api.put(f"{POINTS}/{created['uid']}", json={**created, "settings": replaced})
    assert _decrypted(api, "ops-slack")["url"] == "https://hooks.slack.test/new"


def test_update_of_an_unknown_uid_is_404(api) -> None:
    assert api.put(f"{POINTS}/nope", json=SLACK).status_code == 404


@pytest.mark.parametrize(
    ("kind", "settings", "reason"),
    [
        ("carrier-pigeon", {}, "unknown type 'carrier-pigeon'"),
        ("slack", {"recipient": "#ops"}, "token must be specified when using the Slack chat API"),
        ("slack", {"token": "xoxb-1"}, "recipient must be specified when using the Slack chat API"),
        ("pagerduty", {}, "could not find integration key property in settings"),
        ("webhook", {"httpMethod": "POST"}, "required field 'url' is not specified"),
        ("email", {"addresses": ""}, "could not find addresses in settings"),
        ("telegram", {"bottoken": "t"}, "could not find Chat Id in settings"),
    ],
)
def test_invalid_contact_points_are_refused(api, kind, settings, reason) -> None:
    response = api.post(POINTS, json={"name": "bad", "type": kind, "settings": settings})
    assert response.status_code == 400
    assert response.json()["message"] == f"invalid object specification: {reason}"


def test_slack_with_token_and_recipient_is_fine_and_the_token_is_secret(api) -> None:
    created = _create(api, {"name": "bot", "type": "slack", "settings": {"token": "xoxb-1", "recipient": "#ops"}})
    assert created["settings"] == {"token": "[REDACTED]", "recipient": "#ops"}


def test_name_type_and_settings_are_required(api) -> None:
    for body in ({"type": "email", "settings": {}}, {"name": "x", "settings": {}}, {"name": "x", "type": "email"}):
        assert api.post(POINTS, json=body).json() == {"message": "bad request data"}


def test_delete_answers_202(api) -> None:
    created = _create(api, SLACK)
    response = api.delete(f"{POINTS}/{created['uid']}")
    assert (response.status_code, response.json()) == (202, {"message": "contactpoint deleted"})
    assert api.get(POINTS, params={"name": "ops-slack"}).json() == []


def test_a_contact_point_in_use_cannot_be_deleted(api) -> None:
    slack = _create(api, SLACK)
    api.put(f"{API}/policies", json={"receiver": "grafana-default-email", "routes": [{"receiver": "ops-slack"}]})
    referenced = api.delete(f"{POINTS}/{slack['uid']}")
    assert (referenced.status_code, referenced.json()["messageId"]) == (
        409,
        "alerting.notifications.contact-points.referenced",
    )
    api.delete(f"{API}/policies")
    api.folder("Ops", "ops")
    api.post(f"{API}/alert-rules", json=rule(notification_settings={"receiver": "ops-slack"}))
    used = api.delete(f"{POINTS}/{slack['uid']}")
    assert (used.status_code, used.json()["messageId"]) == (409, "alerting.notifications.contact-points.used-by-rule")


def test_renaming_a_contact_point_renames_its_references(api) -> None:
    slack = _create(api, SLACK)
    api.put(f"{API}/policies", json={"receiver": "grafana-default-email", "routes": [{"receiver": "ops-slack"}]})
    api.put(f"{POINTS}/{slack['uid']}", json={**slack, "name": "team-slack"})
    assert api.get(f"{API}/policies").json()["routes"] == [{"receiver": "team-slack"}]


def test_a_provisioned_contact_point_stays_provisioned(api) -> None:
    slack = _create(api, SLACK)
    response = api.put(f"{POINTS}/{slack['uid']}", json=slack, headers=NO_PROVENANCE)
    assert (response.status_code, response.json()["messageId"]) == (403, "alerting.notifications.invalidProvenance")
    plain = api.post(POINTS, json={**SLACK, "name": "ui-slack"}, headers=NO_PROVENANCE).json()
    assert "provenance" not in plain


def test_viewers_cannot_read_contact_points(client_for) -> None:
    assert client_for("viewer-token").get(POINTS).status_code == 403
