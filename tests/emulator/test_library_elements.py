"""Library panels and variables through `/api/library-elements` on 11, 12 and 13, their connections to dashboards,
and what they do to folder deletes (grafana-api.md §15.2)."""

from __future__ import annotations

from typing import Any

import pytest

from .apis_helpers import (
    classic_version,
    create_dashboard,
    create_folder,
    dashboard_body,
    folder_body,
    folder_version,
    folders,
    status_of,
    v2_version,
)
from .test_alerting_helpers import API as PROVISIONING
from .test_alerting_helpers import NO_PROVENANCE, rule

API = "/api/library-elements"
DTO_FIELDS = [
    "id",
    "orgId",
    "folderId",
    "folderUid",
    "uid",
    "name",
    "kind",
    "type",
    "description",
    "model",
    "version",
    "meta",
]
META_FIELDS = ["folderName", "folderUid", "connectedDashboards", "created", "updated", "createdBy", "updatedBy"]
NOT_FOUND = {"message": "library element could not be found", "traceID": ""}
CLASH = {"message": "library element with that name or UID already exists", "traceID": ""}


def create(api, name: str = "CPU", **fields: Any) -> dict[str, Any]:
    body = {"name": name, "kind": 1, "model": {"type": "timeseries", "title": name}, **fields}
    response = api.post(API, json=body)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def error(response) -> tuple[int, dict[str, Any]]:
    return response.status_code, response.json()


def library_panel(uid: str, panel_id: int = 1) -> dict[str, Any]:
    return {"id": panel_id, "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}, "libraryPanel": {"uid": uid, "name": "x"}}


def connected_uids(api, uid: str) -> list[str]:
    response = api.get(f"{API}/{uid}/connections")
    assert response.status_code == 200, response.text
    return [connection["connectionUid"] for connection in response.json()["result"]]


def test_create_answers_the_element_with_a_synced_sorted_model(versioned) -> None:
    model = {"title": "CPU", "type": "timeseries", "description": "busy", "options": {"z": 1, "a": 2}}
    element = create(versioned, uid="cpu", model=model)
    assert list(element) == DTO_FIELDS and list(element["meta"]) == META_FIELDS
    assert (element["uid"], element["kind"], element["version"], element["orgId"]) == ("cpu", 1, 1, 1)
    assert (element["type"], element["description"]) == ("timeseries", "busy")
    assert list(element["model"]) == ["description", "options", "title", "type"]
    assert list(element["model"]["options"]) == ["a", "z"]
    assert (element["folderId"], element["folderUid"], element["meta"]["folderName"], element["meta"]["folderUid"]) == (
        0,
        "",
        "",
        "",
    )
    meta = element["meta"]
    assert meta["connectedDashboards"] == 0 and meta["created"] == meta["updated"]
    assert meta["createdBy"] == {"id": 1001, "name": "sa-1-dashkit", "avatarUrl": meta["createdBy"]["avatarUrl"]}
    assert meta["createdBy"]["avatarUrl"].startswith("/avatar/") and meta["updatedBy"] == meta["createdBy"]
    bare = create(versioned, "Bare", model={"title": "no type"})
    assert (bare["type"], bare["description"], bare["model"]) == (
        "",
        "",
        {"description": "", "title": "no type", "type": ""},
    )
    assert create(versioned, "Generated")["uid"][0].isalpha()


def test_create_in_a_folder_fills_the_folder_fields(versioned) -> None:
    folder = versioned.folder("Ops", "ops")
    element = create(versioned, folderUid="ops")
    assert (element["folderId"], element["folderUid"]) == (folder["id"], "ops")
    assert (element["meta"]["folderName"], element["meta"]["folderUid"]) == ("Ops", "ops")
    by_id = create(versioned, "Deprecated id", folderId=folder["id"])
    assert by_id["folderUid"] == "ops"


def test_create_refusals(versioned) -> None:
    versioned.folder("Ops", "ops")
    bad_data = {"message": "bad request data"}
    failed = {"message": "Failed to create library element", "traceID": ""}
    cases = [
        ({"name": "A", "model": {}}, (400, bad_data)),
        ({"name": "A", "kind": 0, "model": {}}, (400, bad_data)),
        ({"name": "A", "kind": "1", "model": {}}, (400, bad_data)),
        ({"name": "A", "kind": 3, "model": {}}, (500, failed)),
        ({"name": "A", "kind": 1}, (500, failed)),
        ({"name": "A", "kind": 1, "model": [1, 2]}, (500, failed)),
        ({"name": "A", "kind": 1, "model": {"type": 7}}, (500, failed)),
        (
            {"name": "A", "kind": 1, "model": {}, "uid": "bad uid"},
            (400, {"message": "uid contains illegal characters", "traceID": ""}),
        ),
        (
            {"name": "A", "kind": 1, "model": {}, "uid": "x" * 41},
            (400, {"message": "uid too long, max 40 characters", "traceID": ""}),
        ),
        (
            {"name": "A", "kind": 1, "model": {}, "folderUid": "nowhere"},
            (400, {"message": "failed to get folder", "traceID": ""}),
        ),
        ({"name": "A", "kind": 1, "model": {}, "folderId": 999}, (404, {"message": "folder not found", "traceID": ""})),
    ]
    for body, expected in cases:
        assert error(versioned.post(API, json=body)) == expected, body
    assert error(versioned.post(API, data="{")) == (400, bad_data)
    assert versioned.get(API).json()["result"]["totalCount"] == 0


def test_names_are_unique_per_folder_and_kind_and_uids_per_org(versioned) -> None:
    versioned.folder("Ops", "ops")
    create(versioned, "CPU", uid="cpu")
    assert error(versioned.post(API, json={"name": "CPU", "kind": 1, "model": {}})) == (400, CLASH)
    assert error(versioned.post(API, json={"name": "Other", "kind": 1, "model": {}, "uid": "cpu"})) == (400, CLASH)
    create(versioned, "CPU", folderUid="ops")
    create(versioned, "CPU", kind=2, model={"type": "query"})
    create(versioned, "cpu")  # the database compares names case-sensitively
    assert versioned.get(API).json()["result"]["totalCount"] == 4


def test_a_variable_carries_its_name_in_the_model(versioned) -> None:
    variable = create(versioned, "env", kind=2, model={"type": "custom", "query": "a,b"})
    assert variable["kind"] == 2 and variable["model"] == {
        "description": "",
        "name": "env",
        "query": "a,b",
        "type": "custom",
    }


def test_get_by_uid_and_by_name(versioned) -> None:
    versioned.folder("Ops", "ops")
    general = create(versioned, "CPU", uid="cpu")
    in_ops = create(versioned, "CPU", uid="cpu-ops", folderUid="ops")
    read = versioned.get(f"{API}/cpu").json()["result"]
    assert list(read) == DTO_FIELDS and read["id"] == general["id"]
    assert (read["folderId"], read["folderUid"], read["meta"]["folderName"]) == (0, "general", "General")
    in_folder = versioned.get(f"{API}/cpu-ops").json()["result"]
    assert (in_folder["folderUid"], in_folder["meta"]["folderName"], in_folder["meta"]["folderUid"]) == (
        "ops",
        "Ops",
        "ops",
    )
    named = versioned.get(f"{API}/name/CPU").json()["result"]
    assert [e["uid"] for e in named] == ["cpu", "cpu-ops"] and named[1] == in_folder
    assert in_ops["id"] == in_folder["id"]
    assert error(versioned.get(f"{API}/nope")) == (404, NOT_FOUND)
    assert error(versioned.get(f"{API}/name/Nope")) == (404, NOT_FOUND)


def test_list_filters_orders_and_pages(versioned) -> None:
    ops = versioned.folder("Ops", "ops")
    create(versioned, "b-latency", uid="lat", model={"type": "timeseries", "description": "p99 Latency"})
    create(versioned, "a-errors", uid="err", model={"type": "stat"}, folderUid="ops")
    create(versioned, "c-env", uid="env", kind=2, model={"type": "custom"})

    def names(**params: Any) -> list[str]:
        response = versioned.get(API, params=params)
        assert response.status_code == 200, response.text
        return [e["name"] for e in response.json()["result"]["elements"]]

    assert names() == ["a-errors", "b-latency", "c-env"]
    assert names(sortDirection="alpha-desc") == ["c-env", "b-latency", "a-errors"]
    assert names(searchString="LATENCY") == ["b-latency"]  # the description matches too
    assert names(searchString="ERR") == ["a-errors"]
    assert names(kind=2) == ["c-env"]
    assert names(typeFilter="stat,custom") == ["a-errors", "c-env"]
    assert names(excludeUid="lat") == ["a-errors", "c-env"]
    assert names(folderFilterUIDs="ops") == ["a-errors"]
    assert names(folderFilterUIDs="general") == ["b-latency", "c-env"]
    assert names(folderFilter=str(ops["id"])) == ["a-errors"]
    assert names(folderFilter="0") == ["b-latency", "c-env"]
    both = versioned.get(API, params={"folderFilter": "0", "folderFilterUIDs": "ops"})
    assert error(both) == (500, {"message": "Failed to get library elements", "traceID": ""})
    page = versioned.get(API, params={"perPage": 2, "page": 2}).json()
    assert list(page) == ["result"] and list(page["result"]) == ["totalCount", "elements", "page", "perPage"]
    assert (page["result"]["totalCount"], page["result"]["page"], page["result"]["perPage"]) == (3, 2, 2)
    assert [e["name"] for e in page["result"]["elements"]] == ["c-env"]
    listed = {e["uid"]: e for e in versioned.get(API).json()["result"]["elements"]}
    assert (listed["lat"]["folderUid"], listed["lat"]["meta"]["folderName"]) == ("", "General")
    assert (listed["err"]["folderUid"], listed["err"]["meta"]["folderName"]) == ("ops", "Ops")
    assert versioned.get(API).json()["result"]["perPage"] == 100


def test_patch_bumps_the_version_and_keeps_what_it_does_not_send(versioned) -> None:
    versioned.folder("Ops", "ops")
    create(
        versioned, "CPU", uid="cpu", model={"type": "timeseries", "title": "CPU", "description": "d"}, folderUid="ops"
    )
    same = versioned.patch(f"{API}/cpu", json={"kind": 1, "version": 1})
    assert same.status_code == 200, same.text
    element = same.json()["result"]
    assert (element["version"], element["name"], element["model"]["title"]) == (2, "CPU", "CPU")
    # no folderUid in the body: the answer shows General's zero values, the element stays in its folder
    assert (element["folderId"], element["folderUid"], element["meta"]["folderName"]) == (0, "", "")
    assert versioned.get(f"{API}/cpu").json()["result"]["folderUid"] == "ops"
    changed = versioned.patch(
        f"{API}/cpu", json={"kind": 2, "version": 2, "name": "CPU busy", "model": {"title": "new", "type": "stat"}}
    ).json()["result"]
    assert (changed["version"], changed["name"], changed["kind"], changed["type"]) == (3, "CPU busy", 1, "stat")
    assert changed["model"] == {"description": "d", "title": "new", "type": "stat"}  # description kept from the element
    assert changed["meta"]["updatedBy"]["name"] == "sa-1-dashkit"


def test_patch_moves_and_renames_the_uid(versioned) -> None:
    versioned.folder("Ops", "ops")
    create(versioned, "CPU", uid="cpu")
    moved = versioned.patch(f"{API}/cpu", json={"kind": 1, "version": 1, "folderUid": "ops", "uid": "cpu-2"}).json()
    assert (moved["result"]["uid"], moved["result"]["folderUid"], moved["result"]["meta"]["folderName"]) == (
        "cpu-2",
        "ops",
        "Ops",
    )
    assert versioned.get(f"{API}/cpu").status_code == 404
    back = versioned.patch(f"{API}/cpu-2", json={"kind": 1, "version": 2, "folderUid": ""}).json()["result"]
    assert (back["folderId"], back["folderUid"]) == (0, "")
    assert versioned.get(f"{API}/cpu-2").json()["result"]["folderUid"] == "general"


def test_patch_refusals(versioned) -> None:
    versioned.folder("Ops", "ops")
    create(versioned, "CPU", uid="cpu")
    create(versioned, "Mem", uid="mem")
    create(versioned, "CPU", uid="cpu-ops", folderUid="ops")
    bad_data = (400, {"message": "bad request data"})
    cases = [
        ({"version": 1}, bad_data),
        ({"kind": 1}, bad_data),
        ({"kind": 1, "version": 0}, bad_data),
        ({"kind": 3, "version": 1}, (500, {"message": "Failed to update library element", "traceID": ""})),
        (
            {"kind": 1, "version": 5},
            (412, {"message": "the library element has been changed by someone else", "traceID": ""}),
        ),
        ({"kind": 1, "version": 1, "uid": "mem"}, (400, CLASH)),
        (
            {"kind": 1, "version": 1, "uid": "bad uid"},
            (400, {"message": "uid contains illegal characters", "traceID": ""}),
        ),
        (
            {"kind": 1, "version": 1, "uid": "y" * 41},
            (400, {"message": "uid too long, max 40 characters", "traceID": ""}),
        ),
        ({"kind": 1, "version": 1, "name": "Mem"}, (400, CLASH)),
        ({"kind": 1, "version": 1, "folderUid": "ops"}, (400, CLASH)),
        ({"kind": 1, "version": 1, "folderUid": "nowhere"}, (400, {"message": "failed to get folder", "traceID": ""})),
    ]
    for body, expected in cases:
        assert error(versioned.patch(f"{API}/cpu", json=body)) == expected, body
    assert error(versioned.patch(f"{API}/nope", json={"kind": 1, "version": 1})) == (404, NOT_FOUND)
    assert versioned.get(f"{API}/cpu").json()["result"]["version"] == 1


def test_dashboard_saves_connect_top_level_and_row_panels(versioned) -> None:
    create(versioned, "CPU", uid="cpu")
    create(versioned, "Mem", uid="mem")
    row = {"id": 10, "type": "row", "collapsed": True, "panels": [library_panel("mem", 11)]}
    saved = versioned.save({"title": "Host", "uid": "host", "panels": [library_panel("cpu"), row]})
    assert saved.status_code == 200, saved.text
    assert connected_uids(versioned, "cpu") == ["host"] and connected_uids(versioned, "mem") == ["host"]
    connections = versioned.get(f"{API}/cpu/connections").json()["result"]
    element = versioned.get(f"{API}/cpu").json()["result"]
    assert connections == [
        {
            "id": connections[0]["id"],
            "kind": 1,
            "elementId": element["id"],
            "connectionId": saved.json()["id"],
            "connectionUid": "host",
            "created": element["meta"]["created"],
            "createdBy": element["meta"]["createdBy"],
        }
    ]
    assert element["meta"]["connectedDashboards"] == 1
    versioned.save({"title": "Host", "uid": "host", "panels": [library_panel("mem")]}, overwrite=True)
    assert connected_uids(versioned, "cpu") == [] and connected_uids(versioned, "mem") == ["host"]
    assert error(versioned.get(f"{API}/nope/connections")) == (404, NOT_FOUND)


@pytest.mark.parametrize("reference", [{"uid": "missing", "name": "x"}, {"uid": "", "name": "x"}, {"name": "no uid"}])
def test_an_unknown_or_empty_uid_fails_after_the_save(versioned, reference: dict[str, Any]) -> None:
    create(versioned, "CPU", uid="cpu")
    versioned.save({"title": "Host", "uid": "host", "panels": [library_panel("cpu")]})
    panels = [library_panel("cpu"), {"id": 2, "libraryPanel": reference}]
    response = versioned.save({"title": "Host", "uid": "host", "panels": panels}, overwrite=True)
    assert error(response) == (500, {"message": "Error while connecting library panels", "traceID": ""})
    stored = versioned.get("/api/dashboards/uid/host").json()
    assert stored["meta"]["version"] == 2 and len(stored["dashboard"]["panels"]) == 2
    assert connected_uids(versioned, "cpu") == ["host"]


def test_deleting_a_dashboard_disconnects_it_and_delete_needs_no_connections(versioned) -> None:
    element = create(versioned, "CPU", uid="cpu")
    versioned.save({"title": "Host", "uid": "host", "panels": [library_panel("cpu")]})
    assert error(versioned.delete(f"{API}/cpu")) == (
        403,
        {"message": "the library element has connections", "traceID": ""},
    )
    assert versioned.delete("/api/dashboards/uid/host").status_code == 200
    assert connected_uids(versioned, "cpu") == []
    assert versioned.delete(f"{API}/cpu").json() == {"id": element["id"], "message": "Library element deleted"}
    assert error(versioned.get(f"{API}/cpu")) == (404, NOT_FOUND)
    assert error(versioned.delete(f"{API}/cpu")) == (404, NOT_FOUND)


def test_folder_delete_refuses_connected_elements_of_the_folder(versioned) -> None:
    versioned.folder("Ops", "ops")
    create(versioned, "CPU", uid="cpu", folderUid="ops")
    versioned.save({"title": "Host", "uid": "host", "panels": [library_panel("cpu")]}, folderUid="ops")
    refused = versioned.delete("/api/folders/ops")
    assert error(refused) == (
        403,
        {"message": "Folder could not be deleted because it contains library elements in use", "traceID": ""},
    )
    assert versioned.get(f"{API}/cpu").status_code == 200 and versioned.get("/api/folders/ops").status_code == 200
    versioned.save({"title": "Host", "uid": "host", "panels": []}, folderUid="ops", overwrite=True)
    assert versioned.delete("/api/folders/ops").status_code == 200
    assert versioned.get(f"{API}/cpu").status_code == 404


def test_folder_delete_removes_the_folders_elements_before_the_alert_rule_check(versioned) -> None:
    versioned.folder("Ops", "ops")
    create(versioned, "CPU", uid="cpu", folderUid="ops")
    assert versioned.post(f"{PROVISIONING}/alert-rules", json=rule(), headers=NO_PROVENANCE).status_code == 201
    refused = versioned.delete("/api/folders/ops")
    assert refused.status_code == 400 and refused.json()["messageId"] == "folder.not-empty"
    assert versioned.get(f"{API}/cpu").status_code == 404
    assert versioned.get("/api/folders/ops").status_code == 200


def test_a_connected_element_in_a_subfolder_fails_the_folder_delete(versioned) -> None:
    versioned.folder("Ops", "ops")
    versioned.folder("Team", "team", parent="ops")
    create(versioned, "CPU", uid="cpu", folderUid="team")
    create(versioned, "Own", uid="own", folderUid="ops")
    versioned.save({"title": "Elsewhere", "uid": "elsewhere", "panels": [library_panel("cpu")]})
    assert error(versioned.delete("/api/folders/ops")) == (500, {"message": "Folder API error", "traceID": ""})
    assert versioned.get("/api/folders/team").status_code == 200 and versioned.get(f"{API}/cpu").status_code == 200
    assert versioned.get(f"{API}/own").status_code == 404  # the folder's own elements were already deleted


def test_reads_need_read_and_writes_need_write_permissions(versioned) -> None:
    create(versioned, "CPU", uid="cpu")
    viewer = versioned.other("viewer-token")
    assert viewer.get(f"{API}/cpu").status_code == 200
    response = viewer.post(API, json={"name": "V", "kind": 1, "model": {}})
    assert response.status_code == 403 and response.json()["message"].endswith("library.panels:create")
    editor = versioned.other("editor-token")
    assert editor.patch(f"{API}/cpu", json={"kind": 1, "version": 1}).status_code == 200


def test_apis_dashboard_writes_connect_classic_and_v2_library_panels(platform) -> None:
    create(platform, "CPU", uid="cpu")
    create(platform, "Mem", uid="mem")
    classic = {"title": "Classic", "panels": [library_panel("cpu")]}
    create_dashboard(platform, classic_version(platform.major), dashboard_body("classic", classic))
    v2_spec = {
        "title": "V2",
        "elements": {
            "panel-1": {
                "kind": "LibraryPanel",
                "spec": {"id": 1, "title": "Mem", "libraryPanel": {"uid": "mem", "name": "Mem"}},
            }
        },
        "layout": {"kind": "GridLayout", "spec": {"items": []}},
    }
    create_dashboard(platform, v2_version(platform.major), dashboard_body("modern", v2_spec))
    assert connected_uids(platform, "cpu") == ["classic"] and connected_uids(platform, "mem") == ["modern"]
    broken = dashboard_body("broken", {"title": "Broken", "panels": [library_panel("gone")]})
    response = platform.post(
        f"/apis/dashboard.grafana.app/{classic_version(platform.major)}/namespaces/default/dashboards", json=broken
    )
    assert status_of(response) == (500, "InternalError", "Error while connecting library panels")
    deleted = platform.delete(
        f"/apis/dashboard.grafana.app/{classic_version(platform.major)}/namespaces/default/dashboards/classic"
    )
    assert deleted.status_code == 200 and connected_uids(platform, "cpu") == []


def test_apis_folder_delete_counts_library_elements_as_content(platform) -> None:
    version = folder_version(platform.major)
    create_folder(platform, folder_body("ops", "Ops"))
    create(platform, "CPU", uid="cpu", folderUid="ops")
    refused = platform.delete(folders(version, "ops"))
    assert status_of(refused) == (400, "BadRequest", "Folder cannot be deleted: folder is not empty")
    assert platform.delete(f"{API}/cpu").status_code == 200
    assert platform.delete(folders(version, "ops")).status_code == 200
