"""Instance and identity endpoints: /api/health, /api/user, /api/org, /api/frontend/settings (§3)."""

from __future__ import annotations

from dashkit.emulator.replies import JSON_UTF8, Reply, ok
from dashkit.emulator.routing import Request, RouteTable

routes = RouteTable()

COMMIT = "0d1a2b3c4e"
STARTED = "2024-01-01T00:00:00Z"


@routes.route("GET", "/api/health", auth=False)
def health(req: Request) -> Reply:
    healthy = req.runtime.database_ok
    body = {"commit": COMMIT, "database": "ok" if healthy else "failing", "version": req.runtime.profile.version}
    return Reply(200 if healthy else 503, body, content_type=JSON_UTF8, pretty=True)


@routes.route("GET", "/api/user")
def current_user(req: Request) -> Reply:
    ident = req.identity
    assert ident is not None
    if ident.kind == "service-account":
        return ok(
            {
                "id": ident.id,
                "uid": ident.uid,
                "email": ident.email,
                "name": ident.name,
                "login": ident.login,
                "orgId": req.org_id,
                "isGrafanaAdmin": False,
            }
        )
    return ok(
        {
            "id": ident.id,
            "uid": ident.uid,
            "email": ident.email,
            "name": ident.name,
            "login": ident.login,
            "theme": "",
            "orgId": req.org_id,
            "isGrafanaAdmin": ident.is_grafana_admin,
            "isDisabled": False,
            "isExternal": False,
            "isExternallySynced": False,
            "isGrafanaAdminExternallySynced": False,
            "authLabels": [],
            "updatedAt": STARTED,
            "createdAt": STARTED,
            "avatarUrl": "/avatar/46d229b033af06a1",
        }
    )


@routes.route("GET", "/api/org")
def current_org(req: Request) -> Reply:
    address = {"address1": "", "address2": "", "city": "", "zipCode": "", "state": "", "country": ""}
    return ok({"id": req.org.id, "name": req.org.name, "address": address})


@routes.route("GET", "/api/frontend/settings")
def frontend_settings(req: Request) -> Reply:
    profile = req.runtime.profile
    default_ds = next((ds["name"] for ds in req.org.datasources if ds["isDefault"]), "")
    build_info = {
        "hideVersion": False,
        "version": profile.version,
        "commit": COMMIT,
        "buildstamp": 1704067200,
        "edition": "Open Source",
        "latestVersion": "",
        "hasUpdate": False,
        "env": "production",
    }
    if profile.eleven_or_later:
        build_info["versionString"] = f"Grafana v{profile.version}"
        build_info["commitShort"] = COMMIT[:10]
    return ok(
        {
            "appSubUrl": "",
            "defaultDatasource": default_ds,
            "datasources": {
                ds["name"]: {"uid": ds["uid"], "type": ds["type"], "name": ds["name"], "isDefault": ds["isDefault"]}
                for ds in req.org.datasources
            },
            "minRefreshInterval": "5s",
            "unifiedAlertingEnabled": True,
            "buildInfo": build_info,
            "featureToggles": {"nestedFolders": True, "kubernetesDashboards": profile.at_least(12)},
        }
    )
