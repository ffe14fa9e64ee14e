"""Kubernetes API discovery on the 12/13 profiles: `/apis`, `/apis/<group>`, `/apis/<group>/<version>`, listing
what `GrafanaProfile.api_groups` serves, preferred version first (grafana-api.md §14.1)."""

from __future__ import annotations

from typing import Any

from dashkit.emulator import apis_folders, dashboard_objects, k8s
from dashkit.emulator.alerting.notification_resources import RESOURCES
from dashkit.emulator.replies import ApiError, Reply, ok
from dashkit.emulator.routing import Request, RouteTable

routes = RouteTable()

KINDS = {  # resource -> Kind, as the modules serving each resource name them
    dashboard_objects.RESOURCE: dashboard_objects.KIND,
    apis_folders.RESOURCE: apis_folders.KIND,
    **{resource: served.kind for resource, served in RESOURCES.items()},
}
VERBS = ["create", "delete", "get", "list", "update"]  # what the emulator serves (no patch/watch/deletecollection)


def _group(name: str, versions: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    listed = [{"groupVersion": f"{name}/{version}", "version": version} for version in versions]
    return {"name": name, "versions": listed, "preferredVersion": listed[0]}


def _served(req: Request, group: str) -> dict[str, tuple[str, ...]]:
    versions = req.runtime.profile.api_groups.get(group)
    if not versions:
        raise ApiError(k8s.unknown_path())
    return versions


@routes.route("GET", "/apis", exists_in=k8s.serves_apis)
def api_group_list(req: Request) -> Reply:
    groups = req.runtime.profile.api_groups
    return ok({"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group(n, v) for n, v in groups.items()]})


@routes.route("GET", "/apis/{group}", exists_in=k8s.serves_apis)
def api_group(req: Request) -> Reply:
    name = req.params["group"]
    return ok({"kind": "APIGroup", "apiVersion": "v1", **_group(name, _served(req, name))})


@routes.route("GET", "/apis/{group}/{version}", exists_in=k8s.serves_apis)
def api_resource_list(req: Request) -> Reply:
    group, version = req.params["group"], req.params["version"]
    resources = _served(req, group).get(version)
    if resources is None:
        raise ApiError(k8s.unknown_path())
    return ok(
        {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": f"{group}/{version}",
            "resources": [
                {
                    "name": name,
                    "singularName": KINDS.get(name, name).lower(),
                    "namespaced": True,
                    "kind": KINDS.get(name, name),
                    "verbs": list(VERBS),
                }
                for name in resources
            ],
        }
    )
