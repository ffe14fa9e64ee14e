"""Rule groups through the provisioning API: whole-group replacement (grafana-api.md §7.4; §11 items 20, 22)."""

from __future__ import annotations

import pytest

from dashkit.emulator import Emulator

from .conftest import Api
from .test_alerting_helpers import API, NO_PROVENANCE, rule

GROUP = f"{API}/folder/ops/rule-groups/cpu"


@pytest.fixture
def ops(api) -> str:
    return api.folder("Ops", "ops")["uid"]


def _uids(api) -> list[str]:
    return [r["uid"] for r in api.get(GROUP).json()["rules"]]


def test_get_shows_the_group_and_a_missing_group_is_404(api, ops) -> None:
    missing = api.get(GROUP)
    assert missing.status_code == 404
    assert missing.json()["messageId"] == "alerting.alert-rule.notFound"
    api.put(GROUP, json={"interval": 300, "rules": [rule(uid="a")]})
    group = api.get(GROUP).json()
    assert (group["title"], group["folderUid"], group["interval"]) == ("cpu", "ops", 300)
    assert [r["uid"] for r in group["rules"]] == ["a"]


def test_put_replaces_the_whole_group_and_echoes_the_request(api, ops) -> None:
    api.put(GROUP, json={"interval": 60, "rules": [rule(uid="a", title="A"), rule(uid="b", title="B")]})
    request = {"title": "ignored", "interval": 60, "rules": [rule(uid="b", title="B2"), rule(title="C")]}
    response = api.put(GROUP, json=request)
    assert response.status_code == 200
    assert response.json() == {**request, "title": "cpu", "folderUid": "ops"}
    rules = api.get(GROUP).json()["rules"]
    assert [r["title"] for r in rules] == ["B2", "C"]
    assert rules[0]["uid"] == "b" and rules[1]["uid"][0].isalpha()
    assert api.get(f"{API}/alert-rules/a").status_code == 404


def test_array_order_is_group_order(api, ops) -> None:
    api.put(GROUP, json={"interval": 60, "rules": [rule(uid="a", title="A"), rule(uid="b", title="B")]})
    api.put(GROUP, json={"interval": 60, "rules": [rule(uid="b", title="B"), rule(uid="a", title="A")]})
    assert _uids(api) == ["b", "a"]


def test_without_rules_only_the_interval_changes_and_an_empty_list_deletes_all(api, ops) -> None:
    api.put(GROUP, json={"interval": 60, "rules": [rule(uid="a", title="A"), rule(uid="b", title="B")]})
    echo = api.put(GROUP, json={"interval": 120})
    assert echo.json() == {"title": "cpu", "folderUid": "ops", "interval": 120, "rules": None}
    group = api.get(GROUP).json()
    assert group["interval"] == 120 and [r["uid"] for r in group["rules"]] == ["a", "b"]
    assert api.put(GROUP, json={"interval": 120, "rules": []}).status_code == 200
    assert api.get(GROUP).status_code == 404


@pytest.mark.parametrize(("interval", "shown"), [(0, "0s"), (15, "15s"), (-10, "-10s"), (65, "1m5s")])
def test_interval_must_be_a_positive_multiple_of_10_seconds(api, ops, interval, shown) -> None:
    response = api.put(GROUP, json={"interval": interval, "rules": [rule()]})
    assert response.status_code == 400
    assert response.json()["message"] == (
        f"invalid alert rule: interval ({shown}) should be non-zero and divided exactly by scheduler interval: 10"
    )


def test_folder_group_and_org_come_from_the_path(api, ops) -> None:
    api.put(GROUP, json={"interval": 60, "rules": [rule(uid="a", folderUID="elsewhere", ruleGroup="x")]})
    stored = api.get(f"{API}/alert-rules/a").json()
    assert (stored["folderUID"], stored["ruleGroup"], stored["orgID"]) == ("ops", "cpu", 1)


def test_a_rule_listed_in_another_group_moves_there(api, ops) -> None:
    api.post(f"{API}/alert-rules", json=rule(uid="mover", ruleGroup="memory"))
    api.put(GROUP, json={"interval": 60, "rules": [rule(uid="mover")]})
    assert api.get(f"{API}/alert-rules/mover").json()["ruleGroup"] == "cpu"
    assert api.get(f"{API}/folder/ops/rule-groups/memory").status_code == 404


def test_group_rules_are_validated(api, ops) -> None:
    response = api.put(GROUP, json={"interval": 60, "rules": [rule(title="")]})
    assert (response.status_code, response.json()["message"]) == (400, "invalid alert rule: title is empty")
    missing_folder = api.put(f"{API}/folder/nope/rule-groups/cpu", json={"interval": 60, "rules": [rule()]})
    assert missing_folder.json()["message"] == "invalid alert rule: folder does not exist"
    same_titles = api.put(GROUP, json={"interval": 60, "rules": [rule(uid="a"), rule(uid="b")]})
    assert same_titles.status_code == 400 and "alerting.alert-rule.conflict" in same_titles.json()["message"]


def test_a_group_may_be_released_to_the_ui(api, ops) -> None:
    api.put(GROUP, json={"interval": 60, "rules": [rule(uid="a")]})
    assert api.get(f"{API}/alert-rules/a").json()["provenance"] == "api"
    released = api.put(GROUP, json={"interval": 120, "rules": [rule(uid="a")]}, headers=NO_PROVENANCE)
    assert released.status_code == 200
    assert "provenance" not in api.get(f"{API}/alert-rules/a").json()


def test_unchanged_rules_keep_their_provenance(api, ops) -> None:
    body = {"interval": 60, "rules": [rule(uid="a")]}
    api.put(GROUP, json=body)
    api.put(GROUP, json=body, headers=NO_PROVENANCE)
    assert api.get(f"{API}/alert-rules/a").json()["provenance"] == "api"


def test_file_provisioned_rules_cannot_be_changed_through_the_api(api, ops, emulator: Emulator) -> None:
    api.put(GROUP, json={"interval": 60, "rules": [rule(uid="a")]})
    org = emulator.runtime.store.org(1)
    assert org is not None
    org.extras["alerting"]["rules"]["a"]["provenance"] = "file"  # as if read from a provisioning file
    update = api.put(GROUP, json={"interval": 60, "rules": [rule(uid="a", title="Changed")]})
    assert (update.status_code, update.json()["messageId"]) == (409, "alerting.provenanceMismatch")
    assert update.json()["message"] == "cannot update with provided provenance 'api', needs 'file'"
    delete = api.delete(GROUP)
    assert (delete.status_code, delete.json()["message"]) == (
        409,
        "cannot delete with provided provenance 'api', needs 'file'",
    )


def test_delete_removes_the_group(api, ops) -> None:
    api.put(GROUP, json={"interval": 60, "rules": [rule(uid="a", title="A"), rule(uid="b", title="B")]})
    response = api.delete(GROUP)
    assert (response.status_code, response.content) == (204, b"")
    assert api.get(f"{API}/alert-rules").json() == []
    assert api.delete(GROUP).status_code == 404


@pytest.mark.parametrize(("version", "deleted"), [("10.4.0", False), ("11.0.0", True), ("11.6.0", True)])
def test_group_delete_exists_from_11(emulator_factory, version, deleted) -> None:
    emu = emulator_factory(grafana_version=version)
    api = Api(emu.url)
    try:
        api.folder("Ops", "ops")
        assert api.put(GROUP, json={"interval": 60, "rules": [rule(uid="a")]}).status_code == 200
        response = api.delete(GROUP)
        if deleted:
            assert (response.status_code, response.content) == (204, b"")
            assert api.get(GROUP).status_code == 404
        else:  # 10.x has no such route: Grafana's not-found handler answers, before any auth or RBAC
            assert (response.status_code, response.json()) == (404, {"message": "Not found"})
            assert Api(emu.url, token="viewer-token").delete(GROUP).status_code == 404
            assert [r["uid"] for r in api.get(GROUP).json()["rules"]] == ["a"]
    finally:
        api.close()
