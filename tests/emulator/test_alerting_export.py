"""Export endpoints: provisioning-file format, YAML by default (grafana-api.md §7.5; §11 item 25)."""

from __future__ import annotations

import pytest
import yaml

from .test_alerting_helpers import API, rule

EXPORT = f"{API}/alert-rules/export"


@pytest.fixture
def rules(api) -> None:
    api.folder("Ops", "ops")
    api.folder("Nested", "nested", parent="ops")
    api.put(
        f"{API}/folder/ops/rule-groups/cpu",
        json={"interval": 300, "rules": [rule(uid="a", labels={"cost": "$5"}, annotations={"note": "$value"})]},
    )
    api.post(f"{API}/alert-rules", json=rule(uid="b", title="Disk", folderUID="nested", ruleGroup="disk"))


def test_rules_export_is_yaml_by_default(api, rules) -> None:
    response = api.get(EXPORT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/yaml"
    assert "Content-Disposition" not in response.headers
    body = yaml.safe_load(response.text)
    assert body["apiVersion"] == 1
    assert [(g["folder"], g["name"], g["interval"]) for g in body["groups"]] == [
        ("Ops", "cpu", "5m"),
        ("Ops/Nested", "disk", "1m"),
    ]
    exported = body["groups"][0]["rules"][0]
    assert (exported["uid"], exported["title"], exported["for"], exported["isPaused"]) == ("a", "High CPU", "5m", False)
    assert exported["data"][0]["model"]["intervalMs"] == 1000
    assert exported["labels"] == {"cost": "$$5"}
    assert exported["annotations"] == {"note": "$value"}


def test_json_on_request_and_download_as_attachment(api, rules) -> None:
    by_query = api.get(EXPORT, params={"format": "json"})
    by_accept = api.get(EXPORT, headers={"Accept": "application/json"})
    assert by_query.headers["Content-Type"].startswith("application/json")
    assert by_query.json() == by_accept.json() == yaml.safe_load(api.get(EXPORT).text)
    download = api.get(EXPORT, params={"download": "true"})
    assert download.headers["Content-Disposition"] == 'attachment;filename="export.yaml"'


def test_rule_and_group_exports(api, rules) -> None:
    for path, params in (
        (f"{API}/alert-rules/b/export", {}),
        (EXPORT, {"ruleUid": "b"}),
        (f"{API}/folder/nested/rule-groups/disk/export", {}),
        (EXPORT, {"folderUid": "nested", "group": "disk"}),
        (EXPORT, {"folderUid": "nested"}),
    ):
        groups = yaml.safe_load(api.get(path, params=params).text)["groups"]
        assert [[r["uid"] for r in g["rules"]] for g in groups] == [["b"]], (path, params)


def test_export_argument_checks(api, rules) -> None:
    both = api.get(EXPORT, params={"ruleUid": "a", "group": "cpu"})
    assert both.status_code == 400
    assert both.json()["message"] == "group and folder should not be specified when a single rule is requested"
    lonely = api.get(EXPORT, params={"group": "cpu"})
    assert lonely.status_code == 400
    assert lonely.json()["message"] == "group name must be specified together with a single folder_uid parameter. Got 0"
    assert api.get(f"{API}/alert-rules/nope/export").status_code == 404


def test_nothing_to_export_is_404_with_an_empty_body(api) -> None:
    response = api.get(EXPORT)
    assert (response.status_code, response.content) == (404, b"")


def test_notification_exports(api) -> None:
    api.post(f"{API}/contact-points", json={"name": "pager", "type": "pagerduty", "settings": {"integrationKey": "k"}})
    api.post(f"{API}/mute-timings", json={"name": "nights", "time_intervals": [{"weekdays": ["monday"]}]})
    points = yaml.safe_load(api.get(f"{API}/contact-points/export").text)["contactPoints"]
    assert [p["name"] for p in points] == ["grafana-default-email", "pager"]
    assert points[1]["orgId"] == 1 and points[1]["receivers"][0]["settings"] == {"integrationKey": "[REDACTED]"}
    policies = api.get(f"{API}/policies/export", params={"format": "json"}).json()
    assert policies == {
        "apiVersion": 1,
        "policies": [{"orgId": 1, "receiver": "grafana-default-email", "group_by": ["grafana_folder", "alertname"]}],
    }
    timings = yaml.safe_load(api.get(f"{API}/mute-timings/export").text)
    assert timings == {
        "apiVersion": 1,
        "muteTimes": [{"orgId": 1, "name": "nights", "time_intervals": [{"weekdays": ["monday"]}]}],
    }
    assert api.get(f"{API}/mute-timings/none/export").status_code == 404
