"""`POST /__emulator/ui-edit`: a person saves a dashboard in Grafana's UI, which stores schema v2 on 12 and 13."""

from __future__ import annotations

import requests

from .apis_helpers import classic_version, create_dashboard, dashboard_body, dashboards, v2_version

OWNED = {
    "grafana.app/managedBy": "kubectl",
    "grafana.app/managerId": "dashkit:platform-team",
    "grafana.app/managerAllowsEdits": "true",
    "grafana.app/sourcePath": "dashboards/checkout.py",
}


def _ui_edit(base_url: str, **body) -> requests.Response:
    return requests.post(base_url + "/__emulator/ui-edit", json=body, timeout=5)


def test_a_ui_save_converts_to_schema_v2_and_keeps_the_annotations(platform_emulator, platform) -> None:
    classic, v2 = classic_version(platform.major), v2_version(platform.major)
    created = create_dashboard(platform, classic, dashboard_body("checkout", annotations=OWNED))
    response = _ui_edit(platform_emulator.url, uid="checkout", change={"title": "Checkout (edited)"})
    assert response.status_code == 200
    answer = response.json()
    assert (answer["uid"], answer["apiVersion"], answer["version"]) == ("checkout", v2, 2)

    stored = platform.get(dashboards(v2, "checkout")).json()
    meta = stored["metadata"]
    assert stored["status"] == {} and meta["generation"] == 2
    assert meta["resourceVersion"] == answer["resourceVersion"] != created["metadata"]["resourceVersion"]
    assert {k: meta["annotations"][k] for k in OWNED} == OWNED
    assert meta["annotations"]["grafana.app/updatedBy"] == "user:u0001"
    assert meta["annotations"]["grafana.app/createdBy"] == "service-account:sa0001"
    assert stored["spec"]["title"] == "Checkout (edited)"
    assert set(stored["spec"]["elements"]) == {"panel-1", "panel-2"}
    panel = stored["spec"]["elements"]["panel-1"]["spec"]
    assert panel["vizConfig"]["group"] == "timeseries"
    query = panel["data"]["spec"]["queries"][0]["spec"]["query"]
    assert (query["kind"], query["group"], query["datasource"]) == ("DataQuery", "prometheus", {"name": "prom-local"})

    # a client listing at the classic version can tell, and re-read at the stored version
    listed = platform.get(dashboards(classic)).json()["items"]
    assert listed[0]["status"]["conversion"]["storedVersion"] == v2
    legacy = platform.get("/api/dashboards/uid/checkout")
    if platform.major == 12:
        assert legacy.status_code == 406
    else:
        assert legacy.json()["meta"]["apiVersion"] == "v2" and legacy.json()["meta"]["version"] == 2
        assert legacy.json()["meta"]["updatedBy"] == "admin"


def test_a_manager_that_denies_edits_blocks_the_ui_unless_forced(platform_emulator, platform) -> None:
    denying = {**OWNED, "grafana.app/managerAllowsEdits": "false"}
    create_dashboard(platform, classic_version(platform.major), dashboard_body("locked", annotations=denying))
    refused = _ui_edit(platform_emulator.url, uid="locked")
    assert (refused.status_code, refused.json()) == (400, {"message": "Cannot save provisioned dashboard"})
    forced = _ui_edit(platform_emulator.url, uid="locked", force=True, user="admin")
    assert forced.status_code == 200 and forced.json()["apiVersion"] == v2_version(platform.major)


def test_a_classic_ui_save_and_bad_requests(platform_emulator, platform) -> None:
    classic = classic_version(platform.major)
    create_dashboard(platform, classic, dashboard_body("plain"))
    same = _ui_edit(platform_emulator.url, uid="plain", as_v2=False)
    assert same.json()["apiVersion"] == classic and same.json()["version"] == 1  # nothing changed: no new generation
    edited = _ui_edit(platform_emulator.url, uid="plain", as_v2=False, change={"tags": ["edited"]})
    assert edited.json()["version"] == 2
    assert platform.get(dashboards(classic, "plain")).json()["spec"]["tags"] == ["edited"]
    assert _ui_edit(platform_emulator.url, uid="ghost").status_code == 404
    assert _ui_edit(platform_emulator.url, uid=7).status_code == 400


def test_grafana_11_has_no_schema_v2_but_the_ui_still_saves(api, emulator) -> None:
    api.save({"uid": "eleven", "title": "Eleven"})
    refused = _ui_edit(emulator.url, uid="eleven", as_v2=True)
    assert refused.status_code == 400 and "no schema v2" in refused.json()["message"]
    saved = _ui_edit(emulator.url, uid="eleven", change={"title": "Eleven (edited)"})
    assert saved.status_code == 200 and saved.json()["version"] == 2
    body = api.get("/api/dashboards/uid/eleven").json()
    assert body["dashboard"]["title"] == "Eleven (edited)" and "apiVersion" not in body["meta"]
