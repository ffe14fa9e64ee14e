"""Instance endpoints, authentication, org selection and RBAC (grafana-api.md §2, §3; §11 items 26-28)."""

from __future__ import annotations

import re

import requests

from dashkit.emulator import Emulator


def test_health_needs_no_credentials_and_is_pretty_printed(emulator: Emulator) -> None:
    response = requests.get(emulator.url + "/api/health", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert response.text.startswith("{\n  ")
    body = response.json()
    assert body["database"] == "ok"
    assert body["version"] == "11.6.0"
    assert "commit" in body


def test_health_reports_a_failing_database(emulator: Emulator) -> None:
    requests.post(emulator.url + "/__emulator/health", json={"database": "failing"}, timeout=5)
    response = requests.get(emulator.url + "/api/health", timeout=5)
    assert response.status_code == 503
    assert response.json()["database"] == "failing"


def test_frontend_settings_report_the_configured_version(emulator_factory) -> None:
    emu = emulator_factory(grafana_version="12.1.0")
    response = requests.get(
        emu.url + "/api/frontend/settings", headers={"Authorization": "Bearer admin-token"}, timeout=5
    )
    build = response.json()["buildInfo"]
    assert build["version"] == "12.1.0"
    assert build["versionString"] == "Grafana v12.1.0"


def test_user_and_org_describe_the_caller(client_for) -> None:
    sa = client_for("admin-token")
    assert sa.get("/api/user").json()["login"] == "sa-1-dashkit"
    assert sa.get("/api/org").json() == {
        "id": 1,
        "name": "Main Org.",
        "address": {"address1": "", "address2": "", "city": "", "zipCode": "", "state": "", "country": ""},
    }
    admin = client_for(auth=("admin", "admin"))
    user = admin.get("/api/user").json()
    assert user["login"] == "admin"
    assert user["orgId"] == 1
    assert admin.get("/api/org", headers={"X-Grafana-Org-Id": "2"}).json()["name"] == "Second Org."


def test_no_credentials_is_401_auth_unauthorized(client_for) -> None:
    response = client_for(None).get("/api/search")
    assert response.status_code == 401
    body = response.json()
    assert body["messageId"] == "auth.unauthorized"
    assert body["statusCode"] == 401
    assert body["message"] == "Unauthorized"
    assert "traceID" in body


def test_unknown_token_is_401_invalid_api_key(client_for) -> None:
    response = client_for("nope").get("/api/search")
    assert response.status_code == 401
    assert response.json()["messageId"] == "api-key.invalid"
    assert response.json()["message"] == "Invalid API key"


def test_wrong_password_is_401_password_auth_failed(client_for) -> None:
    response = client_for(auth=("admin", "wrong")).get("/api/search")
    assert response.status_code == 401
    assert response.json()["messageId"] == "password-auth.failed"
    assert response.json()["message"] == "Invalid username or password"


def test_basic_auth_as_api_key_user_is_token_auth(client_for) -> None:
    assert client_for(auth=("api_key", "admin-token")).get("/api/user").json()["login"] == "sa-1-dashkit"
    assert client_for(auth=("api_key", "bad")).get("/api/user").json()["messageId"] == "api-key.invalid"


def test_token_for_another_org_is_401_organization_mismatch(client_for) -> None:
    response = client_for("admin-token").get("/api/search", headers={"X-Grafana-Org-Id": "2"})
    assert response.status_code == 401
    assert response.json()["messageId"] == "api-key.organization-mismatch"
    assert response.json()["message"] == "API key does not belong to the requested organization"


def test_target_org_id_query_beats_the_header(client_for) -> None:
    org2 = client_for("org2-token")
    ok = org2.get("/api/org", params={"targetOrgId": "2"}, headers={"X-Grafana-Org-Id": "1"})
    assert ok.status_code == 200 and ok.json()["id"] == 2
    refused = org2.get("/api/org", params={"targetOrgId": "1"}, headers={"X-Grafana-Org-Id": "2"})
    assert refused.status_code == 401


def test_user_outside_the_requested_org_is_rejected(client_for) -> None:
    response = client_for(auth=("viewer", "viewer")).get("/api/org", headers={"X-Grafana-Org-Id": "2"})
    assert response.status_code == 401


def test_state_is_per_org(client_for) -> None:
    org1, org2 = client_for("admin-token"), client_for("org2-token")
    assert org1.save({"title": "Only in org 1", "uid": "one"}).status_code == 200
    assert org2.get("/api/dashboards/uid/one").status_code == 404
    assert org2.save({"title": "Only in org 2", "uid": "one"}).status_code == 200
    assert org1.get("/api/dashboards/uid/one").json()["dashboard"]["title"] == "Only in org 1"
    admin = client_for(auth=("admin", "admin"))
    titles = [h["title"] for h in admin.get("/api/search", headers={"X-Grafana-Org-Id": "2"}).json()]
    assert titles == ["Only in org 2"]


def test_viewer_writes_get_the_rbac_403_body(client_for) -> None:
    viewer = client_for("viewer-token")
    response = viewer.save({"title": "x"})
    assert response.status_code == 403
    body = response.json()
    assert body["title"] == "Access denied"
    assert body["message"].startswith("You'll need additional permissions to perform this action. Permissions needed: ")
    assert "dashboards:create" in body["message"]
    assert re.fullmatch(r"ACE\d{10}", body["accessErrorId"])
    folder = viewer.post("/api/folders", json={"title": "f"})
    assert folder.status_code == 403
    assert folder.json()["message"].endswith("Permissions needed: folders:create")
    assert viewer.delete("/api/dashboards/uid/any").json()["message"].endswith("dashboards:delete")


def test_viewer_can_read_and_editor_can_write(client_for) -> None:
    editor, viewer = client_for("editor-token"), client_for("viewer-token")
    saved = editor.save({"title": "Edited"})
    assert saved.status_code == 200
    got = viewer.get(f"/api/dashboards/uid/{saved.json()['uid']}")
    assert got.status_code == 200
    assert got.json()["meta"]["canSave"] is False
    assert viewer.get("/api/search").status_code == 200


def test_unknown_api_route_is_404_json(api) -> None:
    response = api.get("/api/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found"}


def test_malformed_json_is_400_bad_request_data(api) -> None:
    for path in ("/api/dashboards/db", "/api/folders"):
        response = api.post(path, data="{not json", headers={"Content-Type": "application/json"})
        assert response.status_code == 400
        assert response.json() == {"message": "bad request data"}
