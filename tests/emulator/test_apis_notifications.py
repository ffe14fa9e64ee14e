"""Receivers under /apis/notifications.alerting.grafana.app are the provisioning API's contact points: one state,
two views; secrets stay hidden; versions, provenance and paging as grafana-api.md §14.9 describes."""

from __future__ import annotations

import pytest

from .conftest import Api
from .test_alerting_helpers import API
from .test_apis_notifications_helpers import (
    GROUP,
    PROVENANCE,
    RECEIVERS,
    WEBHOOK,
    name_of,
    receiver,
)

POINTS = f"{API}/contact-points"


def _create(api: Api, body: dict) -> dict:
    response = api.post(RECEIVERS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _decrypted_settings(api: Api, title: str) -> list[dict]:
    params = {"decrypt": "true", "format": "json", "name": title}
    (point,) = api.get(f"{POINTS}/export", params=params).json()["contactPoints"]
    return [integration["settings"] for integration in point["receivers"]]


def test_a_receiver_created_through_apis_is_a_contact_point_with_its_secrets_hidden(api13) -> None:
    email = {"type": "email", "settings": {"addresses": "ops@example.com"}, "disableResolveMessage": True}
    created = _create(api13, receiver("ops", WEBHOOK, email, annotations={PROVENANCE: "api"}))

    assert created["kind"] == "Receiver"
    assert created["apiVersion"] == "notifications.alerting.grafana.app/v1beta1"
    assert created["metadata"]["name"] == name_of("ops") and created["metadata"]["namespace"] == "default"
    assert created["metadata"]["annotations"][PROVENANCE] == "api"
    hook, mail = created["spec"]["integrations"]
    assert hook["settings"] == {"url": "https://hooks.test/alerts", "username": "bot"}
    assert hook["secureFields"] == {"password": True}
    assert hook["version"] == "v1" and hook["uid"]
    assert mail["disableResolveMessage"] is True and "secureFields" not in mail

    points = api13.get(POINTS, params={"name": "ops"}).json()
    assert sorted(p["uid"] for p in points) == sorted([hook["uid"], mail["uid"]])
    legacy_hook = next(p for p in points if p["type"] == "webhook")
    assert legacy_hook["settings"]["password"] == "[REDACTED]" and legacy_hook["provenance"] == "api"
    assert {"password": "s3cret", "url": "https://hooks.test/alerts", "username": "bot"} in _decrypted_settings(
        api13, "ops"
    )


def test_a_contact_point_created_through_provisioning_is_a_receiver(api13) -> None:
    point = api13.post(
        POINTS, json={"name": "pager", "type": "pagerduty", "settings": {"integrationKey": "k-1"}}
    ).json()

    got = api13.get(f"{RECEIVERS}/{name_of('pager')}")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["spec"]["title"] == "pager"
    (integration,) = body["spec"]["integrations"]
    assert integration["uid"] == point["uid"] and integration["type"] == "pagerduty"
    assert integration["settings"] == {} and integration["secureFields"] == {"integrationKey": True}
    annotations = body["metadata"]["annotations"]
    assert annotations[PROVENANCE] == "api"
    assert annotations["grafana.com/inUse/routes"] == "0" and annotations["grafana.com/access/canWrite"] == "true"
    assert "k-1" not in got.text


def test_secure_fields_keep_the_stored_secret_and_leaving_them_out_drops_it(api13) -> None:
    created = _create(api13, receiver("hooks"))
    (hook,) = created["spec"]["integrations"]
    kept = {**hook, "settings": {**hook["settings"], "username": "robot"}}
    body = {"metadata": {"name": created["metadata"]["name"]}, "spec": {"title": "hooks", "integrations": [kept]}}

    updated = api13.put(f"{RECEIVERS}/{name_of('hooks')}", json=body)
    assert updated.status_code == 200, updated.text
    assert _decrypted_settings(api13, "hooks") == [
        {"password": "s3cret", "url": "https://hooks.test/alerts", "username": "robot"}
    ]

    dropped = {key: value for key, value in kept.items() if key != "secureFields"}
    body["spec"]["integrations"] = [dropped]
    assert (
        "secureFields" not in api13.put(f"{RECEIVERS}/{name_of('hooks')}", json=body).json()["spec"]["integrations"][0]
    )
    assert _decrypted_settings(api13, "hooks") == [{"url": "https://hooks.test/alerts", "username": "robot"}]


def test_an_update_with_a_stale_resource_version_is_409(api13) -> None:
    created = _create(api13, receiver("hooks"))
    stale = created["metadata"]["resourceVersion"]
    created["spec"]["integrations"][0]["settings"]["username"] = "other"
    first = api13.put(f"{RECEIVERS}/{name_of('hooks')}", json=created)
    assert first.status_code == 200, first.text
    assert first.json()["metadata"]["resourceVersion"] != stale

    second = api13.put(f"{RECEIVERS}/{name_of('hooks')}", json=created)
    assert second.status_code == 409
    status = second.json()
    assert (status["kind"], status["reason"], status["code"]) == ("Status", "Conflict", 409)
    assert status["details"]["uid"] == "alerting.notifications.receivers.conflict"
    assert f"Provided version '{stale}' of receiver 'hooks'" in status["message"]


def test_a_create_must_not_name_the_object_nor_reuse_a_title(api13) -> None:
    named = api13.post(RECEIVERS, json={"metadata": {"name": "mine"}, **receiver("a")})
    assert (named.status_code, named.json()["message"]) == (400, "object's metadata.name should be empty")
    _create(api13, receiver("a"))
    again = api13.post(RECEIVERS, json=receiver("a"))
    assert again.status_code == 409
    assert again.json()["details"]["uid"] == "alerting.notifications.receivers.exists"


def test_an_unknown_receiver_is_a_404_status(api13) -> None:
    response = api13.get(f"{RECEIVERS}/{name_of('nobody')}")
    assert response.status_code == 404
    assert response.json() | {"details": None} == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Receiver not found",
        "reason": "NotFound",
        "details": None,
        "code": 404,
    }


def test_a_receiver_a_policy_routes_to_cannot_be_deleted(api13) -> None:
    _create(api13, receiver("ops"))
    tree = {
        "receiver": "grafana-default-email",
        "routes": [{"receiver": "ops", "object_matchers": [["team", "=", "a"]]}],
    }
    assert api13.put(f"{API}/policies", json=tree).status_code == 202

    refused = api13.delete(f"{RECEIVERS}/{name_of('ops')}")
    assert refused.status_code == 409
    assert refused.json()["details"]["uid"] == "alerting.notifications.receivers.used"
    assert refused.json()["message"] == "Receiver is used by one or more routes"
    assert (
        api13.get(f"{RECEIVERS}/{name_of('ops')}").json()["metadata"]["annotations"]["grafana.com/inUse/routes"] == "1"
    )

    assert api13.delete(f"{API}/policies").status_code == 202
    deleted = api13.delete(f"{RECEIVERS}/{name_of('ops')}")
    assert deleted.status_code == 200 and deleted.json()["spec"]["title"] == "ops"
    assert api13.get(POINTS, params={"name": "ops"}).json() == []


def test_a_stored_provenance_cannot_be_dropped_through_apis(api13) -> None:
    api13.post(POINTS, json={"name": "pager", "type": "pagerduty", "settings": {"integrationKey": "k-1"}})
    current = api13.get(f"{RECEIVERS}/{name_of('pager')}").json()
    current["metadata"]["annotations"].pop(PROVENANCE)

    refused = api13.put(f"{RECEIVERS}/{name_of('pager')}", json=current)
    assert refused.status_code == 403
    assert refused.json()["details"]["uid"] == "alerting.notifications.invalidProvenance"

    current["metadata"]["annotations"][PROVENANCE] = "api"
    assert api13.put(f"{RECEIVERS}/{name_of('pager')}", json=current).status_code == 200


@pytest.mark.parametrize(("version", "none"), [("12.2.0", "none"), ("13.0.0", "")])
def test_a_receiver_without_provenance_says_so_in_each_generation(client_at, version, none) -> None:
    api = client_at(version)
    (default,) = api.get(f"{GROUP}/v0alpha1/namespaces/default/receivers").json()["items"]
    assert default["spec"]["title"] == "grafana-default-email"
    assert default["metadata"]["annotations"][PROVENANCE] == none


def test_client_annotations_stay_on_the_receiver_until_it_is_deleted(api13) -> None:
    manager = {"grafana.app/managedBy": "kubectl", "grafana.app/managerId": "dashkit-ops"}
    created = _create(api13, receiver("ops", annotations=manager))
    assert created["metadata"]["annotations"]["grafana.app/managerId"] == "dashkit-ops"
    read = api13.get(f"{RECEIVERS}/{name_of('ops')}").json()
    assert {key: read["metadata"]["annotations"][key] for key in manager} == manager

    for point in api13.get(POINTS, params={"name": "ops"}).json():
        assert api13.delete(f"{POINTS}/{point['uid']}").status_code == 202
    api13.post(POINTS, json={"name": "ops", "type": "email", "settings": {"addresses": "a@example.com"}})
    assert "grafana.app/managerId" not in api13.get(f"{RECEIVERS}/{name_of('ops')}").json()["metadata"]["annotations"]


def test_renaming_a_receiver_renames_its_routes_and_replaces_its_annotations(api13) -> None:
    created = _create(api13, receiver("ops", annotations={"grafana.app/managerId": "dashkit-ops"}))
    tree = {"receiver": "grafana-default-email", "routes": [{"receiver": "ops"}]}
    assert api13.put(f"{API}/policies", json=tree).status_code == 202

    created["spec"]["title"] = "oncall"
    created["metadata"]["annotations"] = {PROVENANCE: "api"}
    renamed = api13.put(f"{RECEIVERS}/{name_of('ops')}", json=created)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["metadata"]["name"] == name_of("oncall")
    assert renamed.json()["metadata"]["annotations"] == {PROVENANCE: "api"}
    assert api13.get(f"{API}/policies").json()["routes"] == [{"receiver": "oncall"}]
    assert api13.get(f"{RECEIVERS}/{name_of('ops')}").status_code == 404


def test_lists_are_sorted_by_name_and_page_with_continue(api13) -> None:
    for title in ("c", "a", "b"):
        _create(api13, receiver(title))
    everything = api13.get(RECEIVERS).json()
    assert everything["kind"] == "ReceiverList" and "continue" not in everything["metadata"]
    names = [item["metadata"]["name"] for item in everything["items"]]
    assert names == sorted(names) and len(names) == 4

    first = api13.get(RECEIVERS, params={"limit": 3}).json()
    second = api13.get(RECEIVERS, params={"limit": 3, "continue": first["metadata"]["continue"]}).json()
    assert [item["metadata"]["name"] for item in first["items"] + second["items"]] == names
    assert "continue" not in second["metadata"]


def test_12_serves_only_v0alpha1_and_11_no_notifications_api(client_at) -> None:
    twelve = client_at("12.2.0")
    assert twelve.get(f"{GROUP}/v0alpha1/namespaces/default/receivers").status_code == 200
    missing = twelve.get(f"{GROUP}/v1beta1/namespaces/default/receivers")
    assert (
        missing.status_code == 404 and missing.json()["message"] == "the server could not find the requested resource"
    )
    assert twelve.get(f"{GROUP}/v0alpha1/namespaces/default/inhibitionrules").status_code == 404

    thirteen = client_at("13.0.0")
    for version in ("v1beta1", "v0alpha1"):
        assert thirteen.get(f"{GROUP}/{version}/namespaces/default/receivers").status_code == 200

    assert client_at("11.6.0").get(f"{GROUP}/v0alpha1/namespaces/default/receivers").status_code == 404


def test_the_provisioning_permissions_apply_and_other_orgs_are_forbidden(client_at) -> None:
    viewer = client_at("13.0.0", "viewer-token")
    assert viewer.get(POINTS).status_code == viewer.get(RECEIVERS).status_code == 403
    assert viewer.get(RECEIVERS).json()["kind"] == "Status"
    assert client_at("13.0.0", "editor-token").post(RECEIVERS, json=receiver("x")).status_code == 201
    assert client_at("13.0.0", "org2-token").get(RECEIVERS).status_code == 403
    assert client_at("13.0.0", "org2-token").get(f"{GROUP}/v1beta1/namespaces/org-2/receivers").status_code == 200
