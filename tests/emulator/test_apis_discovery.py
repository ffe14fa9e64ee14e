"""Discovery, health and namespaces of the app-platform profiles (grafana-api.md §14.1)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

from .apis_helpers import DASHBOARDS, FOLDERS, classic_version, create_dashboard, dashboard_body, dashboards, status_of
from .conftest import Api

NOTIFICATIONS = "notifications.alerting.grafana.app"
EXPECTED = {
    12: {
        DASHBOARDS: ["v1beta1", "v0alpha1", "v2alpha1", "v2beta1"],
        FOLDERS: ["v1beta1"],
        NOTIFICATIONS: ["v0alpha1"],
    },
    13: {
        DASHBOARDS: ["v1", "v1beta1", "v0alpha1", "v2alpha1", "v2beta1", "v2"],
        FOLDERS: ["v1", "v1beta1"],
        NOTIFICATIONS: ["v1beta1", "v0alpha1"],
    },
}
RECEIVERS_AND_CO = ["receivers", "routingtrees", "templategroups", "timeintervals"]


def test_grafana_11_serves_no_apis_so_clients_fall_back_to_the_legacy_api(api) -> None:
    assert api.get("/api/health").json()["version"] == "11.6.0"
    for path in ("/apis", f"/apis/{DASHBOARDS}", dashboards("v1beta1")):
        response = api.get(path)
        assert (response.status_code, response.json()) == (404, {"message": "Not found"})


def test_health_reports_the_profile_version(platform) -> None:
    assert platform.get("/api/health").json()["version"] == {12: "12.2.0", 13: "13.0.0"}[platform.major]


def test_group_list_names_every_group_with_its_preferred_version_first(platform) -> None:
    body = platform.get("/apis").json()
    assert (body["kind"], body["apiVersion"]) == ("APIGroupList", "v1")
    groups = {group["name"]: group for group in body["groups"]}
    for name, versions in EXPECTED[platform.major].items():
        group = groups[name]
        assert [v["version"] for v in group["versions"]] == versions
        assert [v["groupVersion"] for v in group["versions"]] == [f"{name}/{v}" for v in versions]
        assert group["preferredVersion"] == {"groupVersion": f"{name}/{versions[0]}", "version": versions[0]}
        single = platform.get(f"/apis/{name}").json()
        assert single["kind"] == "APIGroup" and single["versions"] == group["versions"]


def test_resource_lists_name_the_resources_each_version_serves(platform) -> None:
    for version in EXPECTED[platform.major][DASHBOARDS]:
        body = platform.get(f"/apis/{DASHBOARDS}/{version}").json()
        assert body["kind"] == "APIResourceList" and body["groupVersion"] == f"{DASHBOARDS}/{version}"
        (resource,) = body["resources"]
        assert resource["name"] == "dashboards" and resource["kind"] == "Dashboard" and resource["namespaced"]
        assert {"create", "delete", "get", "list", "update"} <= set(resource["verbs"])
    folder = platform.get(f"/apis/{FOLDERS}/{EXPECTED[platform.major][FOLDERS][0]}").json()
    assert [r["name"] for r in folder["resources"]] == ["folders"]
    for version in EXPECTED[platform.major][NOTIFICATIONS]:
        names = [r["name"] for r in platform.get(f"/apis/{NOTIFICATIONS}/{version}").json()["resources"]]
        assert names == RECEIVERS_AND_CO + (["inhibitionrules"] if platform.major == 13 else [])


def test_versions_and_groups_a_profile_does_not_serve_are_404_statuses(platform) -> None:
    unserved = "v1" if platform.major == 12 else "v3"
    for path in (f"/apis/{DASHBOARDS}/{unserved}", dashboards(unserved), "/apis/playlist.grafana.app",
                 dashboards(classic_version(platform.major)) + "/x/dto/extra"):
        response = platform.get(path)
        assert status_of(response) == (404, "NotFound", "the server could not find the requested resource")


def test_apis_needs_credentials_like_api(platform_emulator, platform) -> None:
    response = requests.get(platform_emulator.url + "/apis", timeout=5)
    assert response.status_code == 401
    assert response.json()["messageId"] == "auth.unauthorized"


def test_a_role_without_permission_gets_a_forbidden_status(platform_emulator, platform) -> None:
    viewer = Api(platform_emulator.url, "viewer-token")
    try:
        response = viewer.post(dashboards(classic_version(platform.major)), json=dashboard_body("x"))
        code, reason, message = status_of(response)
        assert (code, reason) == (403, "Forbidden")
        assert "dashboards:create" in message
        assert viewer.get(dashboards(classic_version(platform.major))).status_code == 200
    finally:
        viewer.close()


def test_namespaces_map_to_orgs_and_a_foreign_one_is_forbidden(platform_emulator, platform) -> None:
    version = classic_version(platform.major)
    create_dashboard(platform, version, dashboard_body("in-org-1"))
    org2 = Api(platform_emulator.url, "org2-token")
    basic = Api(platform_emulator.url, None, auth=("admin", "admin"))
    try:
        assert status_of(org2.post(dashboards(version), json=dashboard_body("x")))[:2] == (403, "Forbidden")
        created = org2.post(dashboards(version, namespace="org-2"), json=dashboard_body("in-org-2")).json()
        assert created["metadata"]["namespace"] == "org-2"
        listed = org2.get(dashboards(version, namespace="org-2")).json()["items"]
        assert [item["metadata"]["name"] for item in listed] == ["in-org-2"]
        assert listed[0]["metadata"]["namespace"] == "org-2"
        assert org2.get("/api/dashboards/uid/in-org-2").status_code == 200
        assert [i["metadata"]["name"] for i in platform.get(dashboards(version)).json()["items"]] == ["in-org-1"]
        # an org-1 token may not read org 2; nobody may use a namespace that names no org
        assert status_of(platform.get(dashboards(version, namespace="org-2")))[:2] == (403, "Forbidden")
        for namespace in ("bogus", "org-0", "stacks-1", "org-"):
            assert status_of(platform.get(dashboards(version, namespace=namespace)))[:2] == (403, "Forbidden")
        # a user who is a member of both orgs may use both namespaces
        assert basic.get(dashboards(version, "in-org-2", namespace="org-2")).status_code == 200
        assert basic.get(dashboards(version, "in-org-1")).status_code == 200
    finally:
        org2.close()
        basic.close()


def test_a_cloud_stack_id_puts_org_1_in_the_stacks_namespace(emulator_factory) -> None:
    emu = emulator_factory(grafana_version="13", stack_id=4711)
    api = Api(emu.url)
    try:
        created = create_dashboard(api, "v1", dashboard_body("cloud"))
        assert created["metadata"]["namespace"] == "stacks-4711"
        assert api.get(dashboards("v1", "cloud", namespace="stacks-4711")).status_code == 200
        assert api.get(dashboards("v1", "cloud")).json()["metadata"]["namespace"] == "stacks-4711"
        assert status_of(api.get(dashboards("v1", namespace="stacks-4712")))[:2] == (403, "Forbidden")
    finally:
        api.close()


def test_stats_count_dashboard_lists_apart_from_single_gets(platform_emulator, platform) -> None:
    version = classic_version(platform.major)
    create_dashboard(platform, version, dashboard_body("counted"))
    requests.post(platform_emulator.url + "/__emulator/stats/reset", timeout=5)
    platform.get(dashboards(version))
    platform.get(dashboards(version) + "?limit=1")
    platform.get(dashboards(version, "counted"))
    by_route = requests.get(platform_emulator.url + "/__emulator/stats", timeout=5).json()["by_route"]
    collection = f"GET /apis/{DASHBOARDS}/{{version}}/namespaces/{{namespace}}/dashboards"
    assert by_route[collection] == 2
    assert by_route[collection + "/{name}"] == 1


def test_the_cli_serves_a_profile_chosen_with_dash_dash_grafana() -> None:
    command = [str(Path(sys.executable).parent / "dashkit"), "emulator", "--port", "0", "--token", "cli-token",
               "--grafana", "13", "--stack-id", "99"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert "Grafana 13.0.0 API" in line
        url = re.search(r"listening on (http://\S+);", line).group(1)
        headers = {"Authorization": "Bearer cli-token"}
        assert requests.get(url + "/api/health", timeout=5).json()["version"] == "13.0.0"
        groups = requests.get(url + "/apis", headers=headers, timeout=5).json()["groups"]
        assert groups[0]["preferredVersion"]["version"] == "v1"
        assert requests.get(url + dashboards("v1", namespace="stacks-99"), headers=headers, timeout=5).ok
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    both = subprocess.run([*command[:2], "--grafana", "12", "--grafana-version", "12.1.0"], capture_output=True,
                          text=True, timeout=20)
    assert both.returncode == 2 and "not both" in both.stderr


def test_a_verb_a_resource_does_not_serve_is_method_not_allowed(platform) -> None:
    version = classic_version(platform.major)
    response = platform.post(dashboards(version, "named"), json={})
    assert status_of(response) == (405, "MethodNotAllowed",
                                   "the server does not allow this method on the requested resource")
    assert status_of(platform.delete(dashboards(version)))[0] == 405
