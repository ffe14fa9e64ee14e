"""Dashboards through `dashboard.grafana.app` on 12 and 13, and the same objects through `/api` (grafana-api.md
§14.2-14.5)."""

from __future__ import annotations

import json
import re

import pytest
import requests

from dashkit.schema_v2 import classic_to_v2

from .apis_helpers import (
    DASHBOARDS,
    classic_spec,
    classic_version,
    create_dashboard,
    dashboard_body,
    dashboards,
    status_of,
    v2_version,
    with_metadata,
)


def test_a_created_dashboard_is_one_object_seen_through_apis_api_and_search(platform) -> None:
    version = classic_version(platform.major)
    created = create_dashboard(
        platform, version, dashboard_body("checkout", annotations={"team": "shop"}, labels={"tier": "1"})
    )
    meta = created["metadata"]
    assert (created["kind"], created["apiVersion"]) == ("Dashboard", f"{DASHBOARDS}/{version}")
    assert meta["name"] == "checkout" and meta["namespace"] == "default"
    assert meta["uid"] != "checkout" and re.fullmatch(r"[0-9a-f-]{36}", meta["uid"])
    assert meta["resourceVersion"].isdigit() and meta["generation"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["creationTimestamp"])
    assert meta["annotations"] == {"grafana.app/createdBy": "service-account:sa0001", "team": "shop"}
    assert created["spec"] == classic_spec() and created["status"] == {}

    legacy = platform.get("/api/dashboards/uid/checkout").json()
    assert meta["labels"] == {"grafana.app/deprecatedInternalID": str(legacy["dashboard"]["id"]), "tier": "1"}
    assert legacy["dashboard"]["version"] == legacy["meta"]["version"] == meta["generation"]
    assert legacy["dashboard"]["panels"] == classic_spec()["panels"]
    assert legacy["meta"]["apiVersion"] == version
    assert platform.get(dashboards(version, "checkout")).json() == created
    hits = platform.get("/api/search", params={"query": "Checkout"}).json()
    assert [(h["uid"], h["title"], h["tags"]) for h in hits] == [("checkout", "Checkout", ["team:shop"])]


def test_a_legacy_save_is_an_app_platform_object_too(platform) -> None:
    saved = platform.save({"uid": "legacy", "title": "Legacy", "panels": []}, message="first").json()
    item = platform.get(dashboards(classic_version(platform.major), "legacy")).json()
    assert item["metadata"]["generation"] == saved["version"] == 1
    assert item["metadata"]["annotations"]["grafana.app/message"] == "first"
    assert item["spec"] == {"title": "Legacy", "panels": []}  # no id/uid/version in a k8s spec (§14.2)
    stored = "v0alpha1" if platform.major == 13 else "v1beta1"
    assert platform.get("/api/dashboards/uid/legacy").json()["meta"]["apiVersion"] == stored
    if platform.major == 13:  # read at v1 what a legacy POST stored at v0alpha1 (§14.2, §14.4)
        assert item["status"] == {"conversion": {"failed": False, "storedVersion": "v0alpha1"}}


def test_create_conflicts_and_names(platform) -> None:
    version = classic_version(platform.major)
    create_dashboard(platform, version, dashboard_body("taken"))
    taken = platform.post(dashboards(version), json=dashboard_body("taken"))
    assert status_of(taken) == (409, "AlreadyExists", 'dashboards.dashboard.grafana.app "taken" already exists')
    assert taken.json()["details"] == {"name": "taken", "group": DASHBOARDS, "kind": "dashboards"}

    generated = platform.post(dashboards(version), json={"metadata": {"generateName": "gen-"}, "spec": classic_spec()})
    assert generated.status_code == 201
    assert re.fullmatch(r"gen-[a-z0-9]{5}", generated.json()["metadata"]["name"])

    nameless = platform.post(dashboards(version), json={"metadata": {}, "spec": classic_spec()})
    code, reason, message = status_of(nameless)
    assert (code, reason) == (422, "Invalid")
    assert message.endswith("metadata.name: Required value: name or generateName is required")

    with_rv = platform.post(dashboards(version), json={"metadata": {"name": "x", "resourceVersion": "1"},
                                                       "spec": classic_spec()})
    assert status_of(with_rv) == (500, "InternalError", "resourceVersion should not be set on objects to be created")
    untitled = platform.post(dashboards(version), json=dashboard_body("untitled", {"panels": []}))
    assert status_of(untitled)[:2] == (422, "Invalid")
    assert "spec.title: Required value" in untitled.json()["message"]
    bad_uid = platform.post(dashboards(version), json=dashboard_body("bad uid!"))
    assert status_of(bad_uid) == (400, "BadRequest", "uid contains illegal characters")
    wrong_kind = platform.post(dashboards(version), json={**dashboard_body("w"), "apiVersion": "folder.grafana.app/v1"})
    assert status_of(wrong_kind)[:2] == (400, "BadRequest")
    not_json = platform.post(dashboards(version), data=b"{nope", headers={"Content-Type": "application/json"})
    assert status_of(not_json)[:2] == (400, "BadRequest")


def test_a_missing_dashboard_is_a_not_found_status(platform) -> None:
    version = classic_version(platform.major)
    for method in ("GET", "PUT", "DELETE"):
        response = platform.request(method, dashboards(version, "ghost"), json=dashboard_body("ghost"))
        assert status_of(response) == (404, "NotFound", 'dashboards.dashboard.grafana.app "ghost" not found')


def test_update_with_a_stale_resource_version_is_a_conflict(platform) -> None:
    version = classic_version(platform.major)
    created = create_dashboard(platform, version, dashboard_body("locked"))
    changed = {**created, "spec": classic_spec("Locked v2")}
    first = platform.put(dashboards(version, "locked"), json=changed)
    assert first.status_code == 200
    assert first.json()["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    stale = platform.put(dashboards(version, "locked"), json={**created, "spec": classic_spec("Lost update")})
    assert status_of(stale) == (
        409,
        "Conflict",
        'Operation cannot be fulfilled on dashboards.dashboard.grafana.app "locked": the object has been modified; '
        "please apply your changes to the latest version and try again",
    )
    unconditional = {"metadata": {"name": "locked"}, "spec": classic_spec("Forced")}
    assert platform.put(dashboards(version, "locked"), json=unconditional).status_code == 200
    assert platform.get("/api/dashboards/uid/locked").json()["dashboard"]["title"] == "Forced"
    renamed = platform.put(dashboards(version, "locked"), json={"metadata": {"name": "other"}, "spec": classic_spec()})
    assert status_of(renamed)[:2] == (400, "BadRequest")


def test_generation_moves_only_with_the_spec_or_the_folder(platform) -> None:
    version = classic_version(platform.major)
    platform.folder("Shop", uid="shop")
    created = create_dashboard(platform, version, dashboard_body("gen"))
    meta = created["metadata"]

    relabelled = platform.put(dashboards(version, "gen"), json=with_metadata(created, labels={"a": "b"}))
    body = relabelled.json()
    assert body["metadata"]["generation"] == 1
    assert body["metadata"]["resourceVersion"] != meta["resourceVersion"]
    assert "grafana.app/updatedBy" not in body["metadata"]["annotations"]

    edited = platform.put(dashboards(version, "gen"), json={**body, "spec": classic_spec("Gen v2")}).json()
    assert edited["metadata"]["generation"] == 2
    assert edited["metadata"]["annotations"]["grafana.app/updatedBy"] == "service-account:sa0001"
    assert edited["metadata"]["annotations"]["grafana.app/createdBy"] == "service-account:sa0001"

    into_shop = {**edited["metadata"]["annotations"], "grafana.app/folder": "shop"}
    moved = platform.put(dashboards(version, "gen"), json=with_metadata(edited, annotations=into_shop)).json()
    assert moved["metadata"]["generation"] == 3
    legacy = platform.get("/api/dashboards/uid/gen").json()
    assert (legacy["meta"]["version"], legacy["meta"]["folderUid"]) == (3, "shop")
    versions = platform.get("/api/dashboards/uid/gen/versions").json()["versions"]
    assert [v["version"] for v in versions] == [3, 2, 1]


def test_delete_answers_a_success_status_and_both_views_lose_the_dashboard(platform) -> None:
    version = classic_version(platform.major)
    created = create_dashboard(platform, version, dashboard_body("doomed"))
    response = platform.delete(dashboards(version, "doomed"))
    assert response.status_code == 200
    assert response.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": "doomed", "group": DASHBOARDS, "kind": "dashboards", "uid": created["metadata"]["uid"]},
    }
    assert platform.get(dashboards(version, "doomed")).status_code == 404
    assert platform.get("/api/dashboards/uid/doomed").status_code == 404
    create_dashboard(platform, version, dashboard_body("guarded"))
    stale = platform.delete(dashboards(version, "guarded"), json={"preconditions": {"resourceVersion": "1"}})
    assert status_of(stale)[:2] == (409, "Conflict")
    assert platform.get(dashboards(version, "guarded")).status_code == 200


def test_paging_returns_every_dashboard_once_in_name_order(platform) -> None:
    version = classic_version(platform.major)
    names = [f"page-{index:02d}" for index in range(23)]
    for name in reversed(names):
        platform.save({"uid": name, "title": name})
    seen: list[str] = []
    token, pages = "", 0
    while True:
        body = platform.get(dashboards(version), params={"limit": 5, "continue": token}).json()
        assert body["kind"] == "DashboardList" and body["apiVersion"] == f"{DASHBOARDS}/{version}"
        seen += [item["metadata"]["name"] for item in body["items"]]
        pages += 1
        token = body["metadata"].get("continue", "")
        if pages == 2:  # writes between pages neither repeat nor skip the others
            platform.delete(dashboards(version, "page-01"))
            platform.save({"uid": "page-00a", "title": "early"})
            platform.save({"uid": "page-99", "title": "late"})
        if not token:
            break
    assert "continue" not in body["metadata"] and body["metadata"]["resourceVersion"].isdigit()
    assert pages == 5
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert set(names) <= set(seen) and "page-99" in seen
    bad = platform.get(dashboards(version), params={"continue": "garbage"})
    assert status_of(bad)[:2] == (400, "BadRequest")


def test_a_list_without_limit_answers_at_most_50_items(platform) -> None:
    version = classic_version(platform.major)
    for index in range(52):
        platform.save({"uid": f"d{index:02d}", "title": f"D {index}"})
    first = platform.get(dashboards(version)).json()
    assert len(first["items"]) == 50 and first["metadata"]["continue"]
    rest = platform.get(dashboards(version), params={"continue": first["metadata"]["continue"]}).json()
    assert [i["metadata"]["name"] for i in rest["items"]] == ["d50", "d51"]


def test_dry_run_validates_and_answers_but_persists_nothing(platform_emulator, platform) -> None:
    version = classic_version(platform.major)
    requests.post(platform_emulator.url + "/__emulator/stats/reset", timeout=5)
    created = platform.post(dashboards(version) + "?dryRun=All", json=dashboard_body("dry"))
    assert created.status_code == 201
    assert created.json()["spec"]["title"] == "Checkout"
    assert "resourceVersion" not in created.json()["metadata"] and "generation" not in created.json()["metadata"]
    assert platform.get(dashboards(version, "dry")).status_code == 404

    real = create_dashboard(platform, version, dashboard_body("dry"))
    assert status_of(platform.post(dashboards(version) + "?dryRun=All", json=dashboard_body("dry")))[0] == 409
    update = platform.put(dashboards(version, "dry") + "?dryRun=All", json={**real, "spec": classic_spec("Maybe")})
    assert update.status_code == 200 and update.json()["spec"]["title"] == "Maybe"
    assert platform.get(dashboards(version, "dry")).json() == real
    stale = platform.put(dashboards(version, "dry") + "?dryRun=All", json=with_metadata(real, resourceVersion="1"))
    assert status_of(stale)[0] == 409
    assert platform.delete(dashboards(version, "dry") + "?dryRun=All").status_code == 200
    assert platform.get(dashboards(version, "dry")).json() == real
    bad = platform.post(dashboards(version) + "?dryRun=Some", json=dashboard_body("other"))
    assert status_of(bad)[:2] == (400, "BadRequest")
    assert requests.get(platform_emulator.url + "/__emulator/stats", timeout=5).json()["writes"] == 1


def test_12_legacy_saves_bump_every_time_and_13_only_on_change(platform) -> None:
    first = platform.save({"uid": "same", "title": "Same"}).json()
    again = platform.save({"uid": "same", "title": "Same", "version": first["version"]}).json()
    assert again["version"] == (2 if platform.major == 12 else 1)
    changed = platform.save({"uid": "same", "title": "Changed", "version": again["version"]}).json()
    assert changed["version"] == again["version"] + 1
    stale = platform.save({"uid": "same", "title": "Stale", "version": 0})
    if platform.major == 13:
        assert (stale.status_code, stale.json()) == (
            409, {"message": "Dashboard already exists. Use overwrite flag to update."})
    else:
        assert (stale.status_code, stale.json()["status"]) == (412, "version-mismatch")


def test_13_legacy_save_refuses_v2_bodies_and_needs_a_title(platform) -> None:
    if platform.major != 13:
        pytest.skip("the k8s adapter checks are 13's (§14.5)")
    v2 = platform.save({"uid": "v2", **classic_to_v2(classic_spec(), "v2")})
    assert v2.status_code == 400 and "'apiVersion' and move the body into a 'spec' element" in v2.json()["message"]
    untitled = platform.save({"uid": "untitled"})
    assert untitled.json() == {"message": "Dashboard spec is missing required title property"}
    foreign = platform.save({"apiVersion": "folder.grafana.app/v1", "metadata": {"name": "f"}, "spec": {}})
    assert foreign.status_code == 400 and "non dashboard apiVersion" in foreign.json()["message"]
    unnamed = platform.save({"metadata": {"name": "n"}, "spec": {"title": "N"}})
    assert unnamed.json()["message"].endswith("missing an explicit apiVersion.")
    wrapped = platform.save({"apiVersion": "dashboard.grafana.app/v2", "metadata": {"name": "wrapped"},
                             "spec": classic_to_v2(classic_spec(), "v2")})
    assert wrapped.status_code == 200
    stored = platform.get(dashboards("v2", "wrapped")).json()
    assert stored["status"] == {} and "uid" not in stored["spec"] and stored["spec"]["elements"]
    unserved = platform.save({"apiVersion": "dashboard.grafana.app/v9", "metadata": {"name": "u"}, "spec": {}})
    assert unserved.status_code == 400


def test_v2_dashboards_are_406_on_12_and_down_converted_on_13_through_the_legacy_api(platform) -> None:
    v2 = v2_version(platform.major)
    create_dashboard(platform, v2, dashboard_body("modern", classic_to_v2(classic_spec(), v2)))
    response = platform.get("/api/dashboards/uid/modern")
    if platform.major == 12:
        assert (response.status_code, response.json()) == (406, {
            "message": "dashboard api version not supported, use "
                       "/apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/modern instead"})
    else:
        body = response.json()
        assert response.status_code == 200 and body["meta"]["apiVersion"] == "v2"
        assert body["dashboard"]["uid"] == "modern" and body["dashboard"]["version"] == 1
        panels = body["dashboard"]["panels"]
        assert [(p["id"], p["gridPos"], p["targets"]) for p in panels] == [
            (p["id"], p["gridPos"], p["targets"]) for p in classic_spec()["panels"]]
    hits = platform.get("/api/search", params={"dashboardUIDs": "modern"}).json()
    assert [(h["uid"], h["title"]) for h in hits] == [("modern", "Checkout")]


def test_reading_at_another_version_reports_the_stored_version(platform) -> None:
    classic, v2 = classic_version(platform.major), v2_version(platform.major)
    create_dashboard(platform, v2, dashboard_body("stored-v2", classic_to_v2(classic_spec(), v2)))
    create_dashboard(platform, classic, dashboard_body("stored-classic"))

    as_classic = platform.get(dashboards(classic, "stored-v2")).json()
    conversion = as_classic["status"]["conversion"]
    assert conversion["storedVersion"] == v2
    if platform.major == 13:
        assert conversion == {"failed": False, "storedVersion": "v2"}
        assert [p["title"] for p in as_classic["spec"]["panels"]] == ["Panel 1", "Panel 2"]
    else:
        assert conversion == {"failed": True, "storedVersion": "v2beta1",
                              "error": "backend conversion not yet implemented"}
    again = platform.get(dashboards(conversion["storedVersion"], "stored-v2")).json()
    assert again["status"] == {} and set(again["spec"]["elements"]) == {"panel-1", "panel-2"}

    up = platform.get(dashboards(v2, "stored-classic")).json()
    assert up["spec"]["layout"]["kind"] == "GridLayout"
    expected = {"conversion": {"failed": False, "storedVersion": classic}} if platform.major == 13 else {}
    assert up["status"] == expected
    listed = platform.get(dashboards(classic)).json()["items"]
    stored = {item["metadata"]["name"]: item["status"].get("conversion", {}).get("storedVersion") for item in listed}
    assert stored == {"stored-classic": None, "stored-v2": v2}


def test_12_reports_v0alpha1_reads_at_v1beta1_and_fails_v0alpha1_to_v2(platform) -> None:
    if platform.major != 12:
        pytest.skip("the 12-line conversion rules (§14.4)")
    create_dashboard(platform, "v0alpha1", dashboard_body("old"))
    assert platform.get(dashboards("v1beta1", "old")).json()["status"] == {
        "conversion": {"failed": False, "storedVersion": "v0alpha1"}}
    stub = platform.get(dashboards("v2beta1", "old")).json()
    assert stub["status"]["conversion"]["failed"] is True
    assert stub["spec"] == {"title": "Checkout", "elements": {}, "layout": {"kind": "GridLayout",
                                                                             "spec": {"items": []}}}


def test_a_v2_spec_that_does_not_decode_is_refused(platform) -> None:
    v2 = v2_version(platform.major)
    broken = platform.post(dashboards(v2), json=dashboard_body("broken", {"title": "B", "elements": [],
                                                                           "layout": {"kind": "GridLayout"}}))
    code, reason, message = status_of(broken)
    assert (code, reason) == (400, "BadRequest")
    assert message.startswith(f'Dashboard in version "{v2}" cannot be handled as a Dashboard: json: cannot unmarshal')


def test_state_survives_a_restart_with_every_app_platform_field(tmp_path, emulator_factory) -> None:
    path = tmp_path / "state.json"
    emu = emulator_factory(grafana_version="13", data=str(path))
    api_url = emu.url
    headers = {"Authorization": "Bearer admin-token"}
    body = dashboard_body("kept", classic_to_v2(classic_spec(), "v2"), annotations={
        "grafana.app/managedBy": "kubectl", "grafana.app/managerId": "dashkit"})
    created = requests.post(api_url + dashboards("v2"), json=body, headers=headers, timeout=5).json()
    emu.stop()
    again = emulator_factory(grafana_version="13", data=str(path))
    reloaded = requests.get(again.url + dashboards("v2", "kept"), headers=headers, timeout=5).json()
    assert reloaded == created
    later = requests.put(again.url + dashboards("v2", "kept"), json=reloaded, headers=headers, timeout=5).json()
    assert int(later["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])


def test_a_state_file_from_before_the_profiles_loads_and_is_served_through_apis(tmp_path, emulator_factory) -> None:
    version_row = {"id": 1, "version": 3, "parentVersion": 2, "restoredFrom": 0, "created": "2024-05-01T10:00:00Z",
                   "createdBy": "admin", "message": "", "data": {"id": 2, "uid": "old", "title": "Old", "version": 3}}
    state = {
        "format": "dashkit-emulator/1", "nextId": 3, "nextVersionId": 2,
        "orgs": [{
            "id": 1, "name": "Main Org.", "extras": {},
            "folders": [{"id": 1, "uid": "f", "title": "F", "description": "", "parent_uid": "", "version": 1,
                         "created": "2024-05-01T10:00:00Z", "created_by": "admin",
                         "updated": "2024-05-01T10:00:00Z", "updated_by": "admin"}],
            "dashboards": [{"id": 2, "uid": "old", "title": "Old", "folderUid": "f",
                            "created": "2024-05-01T10:00:00Z", "createdBy": "admin",
                            "updated": "2024-05-01T10:00:00Z", "updatedBy": "admin", "versions": [version_row]}],
        }],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(state))
    emu = emulator_factory(grafana_version="13", data=str(path))
    headers = {"Authorization": "Bearer admin-token"}
    item = requests.get(emu.url + dashboards("v1", "old"), headers=headers, timeout=5).json()
    assert item["metadata"]["generation"] == 3 and item["metadata"]["resourceVersion"].isdigit()
    assert item["metadata"]["annotations"] == {"grafana.app/folder": "f"}
    assert item["spec"] == {"title": "Old"}
    folder = requests.get(emu.url + "/apis/folder.grafana.app/v1/namespaces/default/folders/f", headers=headers,
                          timeout=5).json()
    assert folder["metadata"]["uid"] and folder["metadata"]["resourceVersion"].isdigit()
    legacy = requests.get(emu.url + "/api/dashboards/uid/old", headers=headers, timeout=5).json()
    assert legacy["meta"]["version"] == 3 and legacy["meta"]["apiVersion"] == "v0alpha1"


def test_a_page_size_cap_ends_pages_early_without_losing_items(emulator_factory) -> None:
    emu = emulator_factory(grafana_version="13", list_max_page_bytes=3000)
    headers = {"Authorization": "Bearer admin-token"}
    for index in range(6):
        body = dashboard_body(f"big-{index}", classic_spec(f"Big {index}", panels=3))
        assert requests.post(emu.url + dashboards("v1"), json=body, headers=headers, timeout=5).status_code == 201
    seen, sizes, token = [], [], ""
    while True:
        page = requests.get(emu.url + dashboards("v1"), params={"limit": 500, "continue": token}, headers=headers,
                            timeout=5).json()
        seen += [item["metadata"]["name"] for item in page["items"]]
        sizes.append(len(page["items"]))
        token = page["metadata"].get("continue", "")
        if not token:
            break
    assert seen == [f"big-{index}" for index in range(6)]
    assert len(sizes) > 1 and max(sizes) < 6


def test_a_metadata_only_list_answers_metadata_and_pages_the_same():
    """`Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1` (the generic Kubernetes API
    server's metadata-only list, which Grafana's own code uses) gives each object's metadata, no spec."""
    from dashkit.emulator import Emulator, EmulatorConfig

    emulator = Emulator(EmulatorConfig(port=0, grafana_version="13.0.0"))
    emulator.start()
    try:
        import requests

        session = requests.Session()
        session.auth = ("admin", "admin")
        base = f"{emulator.url}/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"
        for i in range(3):
            reply = session.post(base, json={"metadata": {"name": f"d{i}", "annotations": {"a": str(i)}},
                                             "spec": {"title": f"D{i}", "panels": []}})
            assert reply.status_code == 201, reply.text
        accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
        first = session.get(base, params={"limit": 2}, headers={"Accept": accept}).json()
        assert first["kind"] == "PartialObjectMetadataList" and first["apiVersion"] == "meta.k8s.io/v1"
        assert [i["kind"] for i in first["items"]] == ["PartialObjectMetadata"] * 2
        assert all("spec" not in i for i in first["items"])
        assert first["items"][0]["metadata"]["annotations"]["a"] == "0"
        rest = session.get(base, params={"limit": 2, "continue": first["metadata"]["continue"]},
                           headers={"Accept": accept}).json()
        assert [i["metadata"]["name"] for i in rest["items"]] == ["d2"] and "continue" not in rest["metadata"]
        assert session.get(base).json()["kind"] == "DashboardList"  # a plain list is unchanged
    finally:
        emulator.stop()
