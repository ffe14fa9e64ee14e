"""Creating, updating and deleting datasources through `/api/datasources` on 11, 12 and 13 (grafana-api.md §15.1),
and secrets that never come back out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

FULL_FIELDS = [
    "id",
    "uid",
    "orgId",
    "name",
    "type",
    "typeLogoUrl",
    "access",
    "url",
    "user",
    "database",
    "basicAuth",
    "basicAuthUser",
    "withCredentials",
    "isDefault",
    "jsonData",
    "secureJsonFields",
    "version",
    "readOnly",
]
LIST_FIELDS = [
    "id",
    "uid",
    "orgId",
    "name",
    "type",
    "typeName",
    "typeLogoUrl",
    "access",
    "url",
    "user",
    "database",
    "basicAuth",
    "isDefault",
    "jsonData",
    "readOnly",
]
SECRET = "s3cr3t-value-never-shown"


def create(api, **fields: Any) -> dict[str, Any]:
    body = {"type": "prometheus", "access": "proxy", **fields}
    response = api.post("/api/datasources", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def error(response: requests.Response) -> tuple[int, dict[str, Any]]:
    return response.status_code, response.json()


def test_create_answers_the_full_datasource_with_sorted_keys(versioned) -> None:
    created = create(versioned, name="Metrics", uid="metrics", url="http://prom:9090", jsonData={"httpMethod": "POST"})
    assert list(created) == ["datasource", "id", "message", "name"]
    ds = created["datasource"]
    assert (created["message"], created["name"], created["id"]) == ("Datasource added", "Metrics", ds["id"])
    assert list(ds) == FULL_FIELDS
    assert (ds["uid"], ds["orgId"], ds["version"], ds["readOnly"], ds["isDefault"]) == ("metrics", 1, 1, False, False)
    assert ds["jsonData"] == {"httpMethod": "POST"} and ds["secureJsonFields"] == {}
    read = versioned.get("/api/datasources/uid/metrics").json()
    assert read == ds and list(read) == FULL_FIELDS
    assert versioned.get("/api/datasources/name/Metrics").json() == ds
    assert versioned.get(f"/api/datasources/{ds['id']}").json() == ds
    listed = {item["uid"]: item for item in versioned.get("/api/datasources").json()}
    assert list(listed["metrics"]) == LIST_FIELDS and listed["metrics"]["typeName"] == "Prometheus"


def test_configured_datasources_are_provisioned_read_only(versioned) -> None:
    seeded = versioned.get("/api/datasources/uid/prom-local").json()
    assert list(seeded) == FULL_FIELDS and seeded["readOnly"] is True
    assert all(item["readOnly"] for item in versioned.get("/api/datasources").json())
    update = {"name": "Prometheus", "type": "prometheus", "access": "proxy"}
    assert error(versioned.put("/api/datasources/uid/prom-local", json=update)) == (
        403,
        {"message": "Cannot update read-only data source"},
    )
    for path in ("/api/datasources/uid/prom-local", "/api/datasources/name/Prometheus"):
        assert error(versioned.delete(path)) == (403, {"message": "Cannot delete read-only data source"})
    assert versioned.get("/api/datasources/uid/prom-local").status_code == 200


def test_an_editable_configured_datasource_is_not_read_only(emulator_factory) -> None:
    emu = emulator_factory(datasources=[{"uid": "e", "name": "E", "type": "loki", "editable": True}])
    response = requests.get(emu.url + "/api/datasources/uid/e", headers={"Authorization": "Bearer admin-token"})
    assert response.json()["readOnly"] is False


def test_type_and_access_are_required_and_fields_typed(versioned) -> None:
    for body in (
        {"access": "proxy"},
        {"type": "prometheus"},
        {"type": "", "access": "proxy"},
        {"type": "prometheus", "access": "proxy", "isDefault": "yes"},
        {"type": "prometheus", "access": "proxy", "secureJsonData": {"password": 1}},
    ):
        assert error(versioned.post("/api/datasources", json=body)) == (400, {"message": "bad request data"})
    assert error(versioned.post("/api/datasources", data="{not json")) == (400, {"message": "bad request data"})


def test_a_missing_name_becomes_the_first_free_type_name(versioned) -> None:
    names = [create(versioned, type="loki")["name"] for _ in range(2)]
    assert names == ["loki-1", "loki-2"]  # the seeded "Loki" takes `loki`: names compare case-insensitively
    assert create(versioned, type="graphite")["name"] == "graphite"
    assert create(versioned, type="graphite", name="")["name"] == "graphite-1"


def test_the_first_datasource_of_an_org_is_the_default_and_is_default_moves(versioned) -> None:
    org2 = versioned.other("org2-token")
    first = create(org2, name="First")["datasource"]
    second = create(org2, name="Second")["datasource"]
    assert (first["isDefault"], second["isDefault"]) == (True, False)
    third = create(org2, name="Third", isDefault=True)["datasource"]
    defaults = {ds["name"]: ds["isDefault"] for ds in org2.get("/api/datasources").json()}
    assert third["isDefault"] and defaults == {"First": False, "Second": False, "Third": True}


def test_an_invalid_url_is_refused(versioned) -> None:
    for url in ("http://bad host", "http://host:port", "http://host/%zz", "http://[::1", "://x"):
        response = versioned.post("/api/datasources", json={"type": "loki", "access": "proxy", "url": url})
        assert error(response) == (400, {"message": "Validation error, invalid URL", "traceID": ""}), url
    assert create(versioned, name="NoScheme", url="loki.internal:3100")["datasource"]["url"] == "loki.internal:3100"


def test_a_taken_name_or_uid_is_409(versioned) -> None:
    create(versioned, name="Taken", uid="taken")
    assert error(versioned.post("/api/datasources", json={"name": "Taken", "type": "loki", "access": "proxy"})) == (
        409,
        {"message": "data source with the same name already exists", "traceID": ""},
    )
    response = versioned.post("/api/datasources", json={"name": "Other", "uid": "taken", "type": "loki", "access": "x"})
    assert error(response) == (409, {"message": "data source with the same uid already exists", "traceID": ""})
    assert create(versioned, name="taken")["name"] == "taken"  # an exact match only
    assert create(versioned, name="Odd uid", uid="has spaces!")["datasource"]["uid"] == "has spaces!"


def test_update_is_a_lenient_optimistic_lock_and_sets_version_to_body_plus_one(versioned) -> None:
    create(versioned, name="Locked", uid="locked")
    base = {"name": "Locked", "type": "prometheus", "access": "proxy"}
    updated = versioned.put("/api/datasources/uid/locked", json={**base, "version": 1}).json()
    assert list(updated) == ["datasource", "id", "message", "name"]
    assert (updated["message"], updated["datasource"]["version"]) == ("Datasource updated", 2)
    assert (
        versioned.put("/api/datasources/uid/locked", json={**base, "version": 7}).json()["datasource"]["version"] == 8
    )
    stale = versioned.put("/api/datasources/uid/locked", json={**base, "version": 3})
    assert error(stale) == (
        409,
        {"message": "Datasource has already been updated by someone else. Please reload and try again", "traceID": ""},
    )
    unconditional = versioned.put("/api/datasources/uid/locked", json=base).json()
    assert unconditional["datasource"]["version"] == 1


def test_update_writes_columns_as_xorm_does(versioned) -> None:
    create(
        versioned,
        name="Cols",
        uid="cols",
        url="http://a:1",
        user="reader",
        database="db",
        basicAuth=True,
        basicAuthUser="bob",
        withCredentials=True,
        jsonData={"keep": "me"},
    )
    response = versioned.put(
        "/api/datasources/uid/cols", json={"name": "Renamed", "type": "loki", "access": "direct", "uid": "cols-2"}
    )
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    ds = response.json()["datasource"]
    assert (ds["uid"], ds["name"], ds["type"], ds["access"]) == ("cols-2", "Renamed", "loki", "direct")
    assert (ds["url"], ds["basicAuthUser"]) == ("http://a:1", "bob")  # empty values keep the stored ones
    assert (ds["user"], ds["database"], ds["basicAuth"], ds["withCredentials"], ds["jsonData"]) == (
        "",
        "",
        False,
        False,
        {},
    )
    assert versioned.get("/api/datasources/uid/cols").status_code == 404
    assert versioned.get("/api/datasources/uid/cols-2").json() == ds


def test_update_refusals(versioned) -> None:
    create(versioned, name="One", uid="one")
    create(versioned, name="Two", uid="two")
    base = {"name": "One", "type": "prometheus", "access": "proxy"}
    for missing in ("name", "type", "access"):
        body = {k: v for k, v in base.items() if k != missing}
        assert error(versioned.put("/api/datasources/uid/one", json=body)) == (400, {"message": "bad request data"})
    assert error(versioned.put("/api/datasources/uid/nope", json=base)) == (404, {"message": "Data source not found"})
    assert error(versioned.put("/api/datasources/uid/one", json={**base, "url": "http://a b"})) == (
        400,
        {"message": "Validation error, invalid URL", "traceID": ""},
    )
    assert error(versioned.put("/api/datasources/uid/one", json={**base, "name": "Two"})) == (
        409,
        {"message": "Failed to update datasource: data source with the same name already exists", "traceID": ""},
    )


def test_is_default_on_update_clears_the_others(versioned) -> None:
    create(versioned, name="NewDefault", uid="nd")
    body = {"name": "NewDefault", "type": "prometheus", "access": "proxy", "isDefault": True}
    assert versioned.put("/api/datasources/uid/nd", json=body).json()["datasource"]["isDefault"] is True
    assert [ds["name"] for ds in versioned.get("/api/datasources").json() if ds["isDefault"]] == ["NewDefault"]


def test_delete_by_uid_and_by_name(versioned) -> None:
    first = create(versioned, name="ByUid", uid="by-uid")["datasource"]
    second = create(versioned, name="By Name")["datasource"]
    assert versioned.delete("/api/datasources/uid/by-uid").json() == {
        "id": first["id"],
        "message": "Data source deleted",
    }
    assert versioned.delete("/api/datasources/name/By%20Name").json() == {
        "id": second["id"],
        "message": "Data source deleted",
    }
    for path in ("/api/datasources/uid/by-uid", "/api/datasources/name/By%20Name"):
        assert error(versioned.get(path)) == (404, {"message": "Data source not found"})
        assert error(versioned.delete(path)) == (404, {"message": "Data source not found"})


def test_writes_need_datasource_permissions(versioned) -> None:
    editor = versioned.other("editor-token")
    response = editor.post("/api/datasources", json={"type": "loki", "access": "proxy"})
    assert response.status_code == 403 and response.json()["message"].endswith("Permissions needed: datasources:create")
    assert editor.delete("/api/datasources/uid/prom-local").status_code == 403


def test_secure_json_data_is_write_only_and_merged_on_update(versioned) -> None:
    created = create(versioned, name="Secret", uid="secret", secureJsonData={"password": SECRET, "token": SECRET})
    assert created["datasource"]["secureJsonFields"] == {"password": True, "token": True}
    base = {"name": "Secret", "type": "prometheus", "access": "proxy"}
    merged = versioned.put("/api/datasources/uid/secret", json={**base, "secureJsonData": {"apiKey": SECRET}}).json()
    assert merged["datasource"]["secureJsonFields"] == {"apiKey": True, "password": True, "token": True}
    emptied = versioned.put("/api/datasources/uid/secret", json={**base, "secureJsonData": {"token": ""}}).json()
    assert emptied["datasource"]["secureJsonFields"] == {"apiKey": True, "password": True}
    assert versioned.get("/api/datasources/uid/secret").json()["secureJsonFields"] == {"apiKey": True, "password": True}


def test_secrets_never_appear_in_reads_stats_logs_or_the_state_file(emulator_factory, tmp_path: Path, capfd) -> None:
    state = tmp_path / "state.json"
    emu = emulator_factory(data=state, verbose=True)
    headers = {"Authorization": "Bearer admin-token"}
    body = {"name": "Vault", "uid": "vault", "type": "loki", "access": "proxy", "secureJsonData": {"password": SECRET}}
    answers = [requests.post(emu.url + "/api/datasources", json=body, headers=headers, timeout=5)]
    update = {**body, "version": 1, "secureJsonData": {"token": SECRET}}
    answers.append(requests.put(emu.url + "/api/datasources/uid/vault", json=update, headers=headers, timeout=5))
    for path in ("/api/datasources", "/api/datasources/uid/vault", "/api/datasources/name/Vault"):
        answers.append(requests.get(emu.url + path, headers=headers, timeout=5))
    answers.append(requests.get(emu.url + "/__emulator/stats", timeout=5))
    assert all(answer.status_code == 200 for answer in answers)
    emu.stop()
    logged = capfd.readouterr()
    assert "emulator: PUT /api/datasources/uid/vault -> 200" in logged.err
    outputs = [answer.text for answer in answers] + [logged.out, logged.err, state.read_text()]
    assert not [text for text in outputs if SECRET in text]
    assert '"secureJsonFields":{"password":true,"token":true}' in answers[-2].text
