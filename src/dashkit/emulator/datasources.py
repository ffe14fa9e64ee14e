"""Datasource endpoints (read-only): list, by uid, by name, by id (grafana-api.md §8)."""

from __future__ import annotations

from typing import Any

from dashkit.emulator.replies import Reply, message_error, ok
from dashkit.emulator.routing import Request, RouteTable

routes = RouteTable()

_TYPE_NAMES = {
    "prometheus": "Prometheus",
    "loki": "Loki",
    "tempo": "Tempo",
    "elasticsearch": "Elasticsearch",
    "graphite": "Graphite",
    "influxdb": "InfluxDB",
    "mysql": "MySQL",
    "postgres": "PostgreSQL",
    "grafana-postgresql-datasource": "PostgreSQL",
    "cloudwatch": "CloudWatch",
    "jaeger": "Jaeger",
    "alertmanager": "Alertmanager",
    "testdata": "TestData",
    "grafana-testdata-datasource": "TestData",
}
_LIST_FIELDS = (
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
)
_ALL_FIELDS = (
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
)


def normalize_datasource(raw: dict[str, Any], ds_id: int, org_id: int) -> dict[str, Any]:
    """A seed entry completed to Grafana's full datasource DTO (secrets reduced to `secureJsonFields`)."""
    ds_type = str(raw["type"])
    secure = raw.get("secureJsonData") or {}
    return {
        "id": int(raw.get("id", ds_id)),
        "uid": str(raw.get("uid") or f"{ds_type[:8]}-{ds_id}"),
        "orgId": org_id,
        "name": str(raw["name"]),
        "type": ds_type,
        "typeName": str(raw.get("typeName", _TYPE_NAMES.get(ds_type, ds_type.replace("-", " ").title()))),
        "typeLogoUrl": str(raw.get("typeLogoUrl", f"public/app/plugins/datasource/{ds_type}/img/logo.svg")),
        "access": str(raw.get("access", "proxy")),
        "url": str(raw.get("url", "")),
        "user": str(raw.get("user", "")),
        "database": str(raw.get("database", "")),
        "basicAuth": bool(raw.get("basicAuth", False)),
        "basicAuthUser": str(raw.get("basicAuthUser", "")),
        "withCredentials": bool(raw.get("withCredentials", False)),
        "isDefault": bool(raw.get("isDefault", False)),
        "jsonData": dict(raw.get("jsonData") or {}),
        "secureJsonFields": {key: True for key in secure},
        "version": int(raw.get("version", 1)),
        "readOnly": bool(raw.get("readOnly", raw.get("editable") is False)),
    }


def _full(ds: dict[str, Any]) -> dict[str, Any]:
    return {key: ds[key] for key in _ALL_FIELDS}


def _find(req: Request, key: str, value: Any) -> dict[str, Any]:
    for ds in req.org.datasources:
        if ds[key] == value:
            return ds
    raise message_error(404, "Data source not found")


@routes.route("GET", "/api/datasources", needs="datasources:read")
def list_datasources(req: Request) -> Reply:
    items = sorted(req.org.datasources, key=lambda ds: ds["name"].lower())
    return ok([{key: ds[key] for key in _LIST_FIELDS} for ds in items])


@routes.route("GET", "/api/datasources/uid/{uid}", needs="datasources:read")
def datasource_by_uid(req: Request) -> Reply:
    return ok(_full(_find(req, "uid", req.params["uid"])))


@routes.route("GET", "/api/datasources/name/{name}", needs="datasources:read")
def datasource_by_name(req: Request) -> Reply:
    return ok(_full(_find(req, "name", req.params["name"])))


@routes.route("GET", "/api/datasources/id/{name}", needs="datasources:read")
def datasource_id_by_name(req: Request) -> Reply:
    return ok({"id": _find(req, "name", req.params["name"])["id"]})


@routes.route("GET", "/api/datasources/{id}", needs="datasources:read")
def datasource_by_id(req: Request) -> Reply:
    try:
        ds_id = int(req.params["id"])
    except ValueError:
        raise message_error(400, "id is invalid") from None
    return ok(_full(_find(req, "id", ds_id)))
