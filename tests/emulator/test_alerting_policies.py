"""The notification policy tree through the provisioning API (grafana-api.md §7.7; §11 item 24)."""

from __future__ import annotations

import pytest

from .test_alerting_helpers import API, NO_PROVENANCE

POLICIES = f"{API}/policies"
DEFAULT = {"receiver": "grafana-default-email", "group_by": ["grafana_folder", "alertname"]}
TREE = {
    "receiver": "grafana-default-email",
    "group_by": ["grafana_folder", "alertname"],
    "group_wait": "30s",
    "group_interval": "300s",
    "repeat_interval": "4h",
    "routes": [
        {
            "receiver": "grafana-default-email",
            "object_matchers": [["team", "=", "ops"], ["severity", "=~", "critical|page"]],
            "continue": True,
            "routes": [{"object_matchers": [["env", "!=", "dev"]], "group_wait": "1m"}],
        }
    ],
}


def test_the_default_tree_routes_everything_to_the_default_email(api) -> None:
    assert api.get(POLICIES).json() == DEFAULT


def test_put_answers_202_and_the_tree_round_trips(api) -> None:
    response = api.put(POLICIES, json=TREE)
    assert (response.status_code, response.json()) == (202, {"message": "policies updated"})
    assert api.get(POLICIES).json() == {**TREE, "provenance": "api"}


@pytest.mark.parametrize(
    ("tree", "reason"),
    [
        ({"receiver": "nobody"}, "receiver 'nobody' does not exist"),
        ({**DEFAULT, "routes": [{"receiver": "pager"}]}, "receiver 'pager' does not exist"),
        (
            {**DEFAULT, "routes": [{"receiver": "grafana-default-email", "mute_time_intervals": ["weekends"]}]},
            "mute time interval 'weekends' does not exist",
        ),
        ({"group_by": ["alertname"]}, "root route must specify a default receiver"),
    ],
)
def test_a_tree_naming_unknown_things_is_refused(api, tree, reason) -> None:
    response = api.put(POLICIES, json=tree)
    assert response.status_code == 400
    assert response.json()["message"] == f"invalid object specification: {reason}"
    assert api.get(POLICIES).json() == DEFAULT


def test_malformed_matchers_are_bad_request_data(api) -> None:
    response = api.put(POLICIES, json={**DEFAULT, "routes": [{"object_matchers": [["team", "==", "ops"]]}]})
    assert (response.status_code, response.json()) == (400, {"message": "bad request data"})


def test_delete_resets_to_the_default_tree_and_unlocks_it(api) -> None:
    api.put(POLICIES, json=TREE)
    locked = api.put(POLICIES, json=DEFAULT, headers=NO_PROVENANCE)
    assert (locked.status_code, locked.json()["messageId"]) == (403, "alerting.notifications.invalidProvenance")
    reset = api.delete(POLICIES)
    assert (reset.status_code, reset.json()) == (202, DEFAULT)
    assert api.put(POLICIES, json=TREE, headers=NO_PROVENANCE).status_code == 202
    assert "provenance" not in api.get(POLICIES).json()
