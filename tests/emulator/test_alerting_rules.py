"""Alert rules through the provisioning API (grafana-api.md §7.1-7.3; §11 items 17, 19-21, 23)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import requests

from dashkit.emulator import Emulator, EmulatorConfig

from .test_alerting_helpers import API, NO_PROVENANCE, rule


@pytest.fixture
def ops(api) -> str:
    return api.folder("Ops", "ops")["uid"]


def test_create_answers_201_with_a_generated_uid_and_the_normalised_rule(api, ops) -> None:
    response = api.post(f"{API}/alert-rules", json=rule(**{"for": "300s"}))
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_-]{0,39}", body["uid"])
    assert isinstance(body["id"], int) and body["orgID"] == 1
    assert (body["folderUID"], body["ruleGroup"], body["title"]) == ("ops", "cpu", "High CPU")
    assert (body["for"], body["keep_firing_for"]) == ("5m", "0s")
    assert body["provenance"] == "api"
    assert body["isPaused"] is False and body["notification_settings"] is None and body["record"] is None
    assert body["labels"] == {"severity": "warning"} and body["annotations"] == {"summary": "CPU is busy"}
    datetime.fromisoformat(body["updated"].replace("Z", "+00:00"))
    query, condition = body["data"]
    assert query["relativeTimeRange"] == {"from": 600, "to": 0}
    assert query["model"] == {
        "expr": "rate(cpu_seconds_total[5m])",
        "refId": "A",
        "intervalMs": 1000,
        "maxDataPoints": 43200,
    }
    assert condition["model"]["maxDataPoints"] == 43200 and condition["queryType"] == ""


def test_empty_labels_and_annotations_are_left_out(api, ops) -> None:
    body = api.post(f"{API}/alert-rules", json=rule(labels={}, annotations=None)).json()
    assert "labels" not in body and "annotations" not in body


def test_get_put_delete_round_trip(api, ops) -> None:
    created = api.post(f"{API}/alert-rules", json=rule(uid="cpu-high")).json()
    assert api.get(f"{API}/alert-rules/cpu-high").json() == created
    updated = api.put(f"{API}/alert-rules/cpu-high", json=rule(title="Very high CPU", keep_firing_for="2m"))
    assert updated.status_code == 200
    assert (updated.json()["id"], updated.json()["title"]) == (created["id"], "Very high CPU")
    assert updated.json()["keep_firing_for"] == "2m"
    assert [r["uid"] for r in api.get(f"{API}/alert-rules").json()] == ["cpu-high"]
    for _ in range(2):
        deleted = api.delete(f"{API}/alert-rules/cpu-high")
        assert (deleted.status_code, deleted.content) == (204, b"")
    missing = api.get(f"{API}/alert-rules/cpu-high")
    assert (missing.status_code, missing.content) == (404, b"")


def test_updating_an_unknown_rule_is_404_with_an_empty_body(api, ops) -> None:
    response = api.put(f"{API}/alert-rules/nope", json=rule())
    assert (response.status_code, response.content) == (404, b"")


def test_a_new_rule_takes_its_groups_interval_or_the_default(api, ops) -> None:
    api.put(f"{API}/folder/ops/rule-groups/cpu", json={"interval": 120, "rules": [rule(uid="first")]})
    api.post(f"{API}/alert-rules", json=rule(uid="second", title="Second"))
    group = api.get(f"{API}/folder/ops/rule-groups/cpu").json()
    assert group["interval"] == 120 and [r["uid"] for r in group["rules"]] == ["first", "second"]
    api.post(f"{API}/alert-rules", json=rule(uid="third", title="Third", ruleGroup="memory"))
    assert api.get(f"{API}/folder/ops/rule-groups/memory").json()["interval"] == 60


REFUSALS = [
    ({"folderUID": ""}, "folderUID must be set"),
    ({"folderUID": "nope"}, "folder does not exist"),
    ({"data": []}, "no queries or expressions are found"),
    ({"title": ""}, "title is empty"),
    ({"noDataState": "Maybe"}, "unknown NoData state option Maybe"),
    ({"execErrState": "Boom"}, "unknown Error state option Boom"),
    ({"for": "-5m"}, "field `for` cannot be negative"),
    ({"keep_firing_for": "-1m"}, "field `keep_firing_for` cannot be negative"),
    ({"labels": {"__grafana_receiver__": "x"}}, "system reserved label __grafana_receiver__ cannot be defined"),
    (
        {"uid": "bad uid!"},
        "cannot create rule with UID 'bad uid!': invalid format of UID. Only letters, numbers, '-' and '_' are allowed",
    ),
    ({"uid": "u" * 41}, f"cannot create rule with UID '{'u' * 41}': UID is longer than 40 symbols"),
    (
        {"annotations": {"__dashboardUid__": "dash"}},
        "both annotations __dashboardUid__ and __panelId__ must be specified",
    ),
    ({"annotations": {"__panelId__": "3"}}, "both annotations __dashboardUid__ and __panelId__ must be specified"),
    ({"notification_settings": {"receiver": "nobody"}}, "receiver 'nobody' does not exist"),
    (
        {"notification_settings": {"receiver": "grafana-default-email", "mute_time_intervals": ["never"]}},
        "mute time interval 'never' does not exist",
    ),
]


@pytest.mark.parametrize(("change", "reason"), REFUSALS, ids=[r for _, r in REFUSALS])
def test_invalid_rules_are_refused_with_400(api, ops, change, reason) -> None:
    response = api.post(f"{API}/alert-rules", json=rule(**change))
    assert response.status_code == 400
    assert response.json()["message"] == f"invalid alert rule: {reason}"
    assert api.get(f"{API}/alert-rules").json() == []


def test_a_query_must_look_back_in_time(api, ops) -> None:
    data = rule()["data"]
    data[0]["relativeTimeRange"] = {"from": 0, "to": 0}
    response = api.post(f"{API}/alert-rules", json=rule(data=data))
    assert response.status_code == 400
    assert response.json()["messageId"] == "alerting.alert-rule.invalidRelativeTime"


def test_durations_must_be_strings(api, ops) -> None:
    response = api.post(f"{API}/alert-rules", json=rule(**{"for": 300}))
    assert (response.status_code, response.json()["message"]) == (400, "bad request data")


def test_provenance_is_api_unless_disabled(api, ops) -> None:
    plain = api.post(f"{API}/alert-rules", json=rule(uid="ui-editable"), headers=NO_PROVENANCE).json()
    assert "provenance" not in plain
    assert "provenance" not in api.get(f"{API}/alert-rules/ui-editable").json()
    changed = api.put(f"{API}/alert-rules/ui-editable", json=rule()).json()
    assert changed["provenance"] == "api"


def test_a_provisioned_rule_cannot_be_released_one_rule_at_a_time(api, ops) -> None:
    api.post(f"{API}/alert-rules", json=rule(uid="locked"))
    put = api.put(f"{API}/alert-rules/locked", json=rule(), headers=NO_PROVENANCE)
    assert put.status_code == 500
    assert put.json()["message"] == "cannot change provenance from 'api' to ''"
    delete = api.delete(f"{API}/alert-rules/locked", headers=NO_PROVENANCE)
    assert delete.status_code == 409
    assert delete.json()["messageId"] == "alerting.provenanceMismatch"
    assert delete.json()["message"] == "cannot delete with provided provenance '', needs 'api'"
    assert api.get(f"{API}/alert-rules/locked").status_code == 200


def test_titles_are_unique_per_folder_before_12(api, ops, emulator_factory) -> None:
    api.post(f"{API}/alert-rules", json=rule(uid="one"))
    duplicate = api.post(f"{API}/alert-rules", json=rule(uid="two", ruleGroup="other"))
    assert duplicate.status_code == 400
    assert duplicate.json()["message"] == (
        "[alerting.alert-rule.conflict] conflicting alert rule found [rule_uid: 'two', title: 'High CPU', "
        "namespace_uid: 'ops']: rule title under the same organisation and folder should be unique"
    )
    emu = emulator_factory(grafana_version="12.0.0")
    headers = {"Authorization": "Bearer admin-token"}
    requests.post(emu.url + "/api/folders", json={"title": "Ops", "uid": "ops"}, headers=headers, timeout=5)
    for uid in ("one", "two"):
        response = requests.post(emu.url + f"{API}/alert-rules", json=rule(uid=uid), headers=headers, timeout=5)
        assert response.status_code == 201


def test_reads_need_provisioning_read_and_writes_provisioning_write(client_for, ops) -> None:
    viewer = client_for("viewer-token")
    for response, action in (
        (viewer.get(f"{API}/alert-rules"), "alert.provisioning:read"),
        (viewer.post(f"{API}/alert-rules", json=rule()), "alert.provisioning:write"),
    ):
        assert response.status_code == 403
        assert response.json()["message"].endswith(f"Permissions needed: {action}")
    assert client_for("editor-token").post(f"{API}/alert-rules", json=rule()).status_code == 201
    assert len(client_for(auth=("admin", "admin")).get(f"{API}/alert-rules").json()) == 1


def test_rules_live_in_the_callers_org(api, client_for, ops) -> None:
    api.post(f"{API}/alert-rules", json=rule())
    other = client_for("org2-token")
    assert other.get(f"{API}/alert-rules").json() == []
    refused = other.post(f"{API}/alert-rules", json=rule())
    assert refused.json()["message"] == "invalid alert rule: folder does not exist"


def test_folder_with_rules_needs_force_delete_rules(api, ops) -> None:
    api.folder("Nested", "nested", parent="ops")
    api.post(f"{API}/alert-rules", json=rule(uid="deep", folderUID="nested"))
    refused = api.delete("/api/folders/ops")
    assert refused.status_code == 400
    assert refused.json()["messageId"] == "folder.not-empty"
    assert refused.json()["message"] == "Folder cannot be deleted: folder is not empty"
    assert api.get(f"{API}/alert-rules/deep").status_code == 200
    assert api.delete("/api/folders/ops", params={"forceDeleteRules": "true"}).status_code == 200
    assert api.get(f"{API}/alert-rules").json() == []


def test_grafana_10_refuses_with_its_own_message(emulator_factory) -> None:
    emu = emulator_factory(grafana_version="10.4.0")
    headers = {"Authorization": "Bearer admin-token"}
    requests.post(emu.url + "/api/folders", json={"title": "Ops", "uid": "ops"}, headers=headers, timeout=5)
    requests.post(emu.url + f"{API}/alert-rules", json=rule(), headers=headers, timeout=5)
    refused = requests.delete(emu.url + "/api/folders/ops", headers=headers, timeout=5)
    assert (refused.status_code, refused.json()) == (
        400,
        {"message": "folder cannot be deleted: folder contains alert rules"},
    )


def test_rules_survive_a_restart(tmp_path: Path) -> None:
    config = EmulatorConfig(port=0, data=tmp_path / "state.json", tokens={"t": {}})
    headers = {"Authorization": "Bearer t"}
    emu = Emulator(config).start()
    try:
        requests.post(emu.url + "/api/folders", json={"title": "Ops", "uid": "ops"}, headers=headers, timeout=5)
        created = requests.post(emu.url + f"{API}/alert-rules", json=rule(), headers=headers, timeout=5).json()
    finally:
        emu.stop()
    emu = Emulator(config).start()
    try:
        again = requests.get(emu.url + f"{API}/alert-rules/{created['uid']}", headers=headers, timeout=5)
        assert again.json() == created
    finally:
        emu.stop()
