"""Datasource records as the store keeps them and as Grafana's DTOs show them (grafana-api.md §8, §15.1).

The emulator never keeps a secret: of `secureJsonData` it remembers only which keys hold a non-empty value (what
`secureJsonFields` reports), so no read, log, stats answer or state file can disclose one."""

from __future__ import annotations

from typing import Any

PROVISIONED = "_provisioned"  # internal key: the record comes from the emulator's config (a provisioning file)

TYPE_NAMES = {
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
LIST_FIELDS = (
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
FULL_FIELDS = (
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


def type_name(ds_type: str) -> str:
    return TYPE_NAMES.get(ds_type, ds_type.replace("-", " ").title())


def type_logo_url(ds_type: str) -> str:
    return f"public/app/plugins/datasource/{ds_type}/img/logo.svg"


def secure_fields(secure_json_data: dict[str, Any] | None, known: dict[str, bool] | None = None) -> dict[str, bool]:
    """`secureJsonFields` after writing `secure_json_data` over the keys `known` to hold a value: a key sent with a
    value is set, one sent as `""` is stored empty (so not listed), an absent one keeps what it had (§15.1)."""
    fields = dict(known or {})
    for key, value in (secure_json_data or {}).items():
        if value:
            fields[key] = True
        else:
            fields.pop(key, None)
    return dict(sorted(fields.items()))


def normalize_datasource(raw: dict[str, Any], ds_id: int, org_id: int) -> dict[str, Any]:
    """A seed entry (the emulator's config, i.e. a provisioning file) as a stored record. Provisioned datasources are
    read-only unless the entry says `editable: true`, as Grafana's provisioning does."""
    ds_type = str(raw["type"])
    return {
        "id": int(raw.get("id", ds_id)),
        "uid": str(raw.get("uid") or f"{ds_type[:8]}-{ds_id}"),
        "orgId": org_id,
        "name": str(raw["name"]),
        "type": ds_type,
        "typeName": str(raw.get("typeName", type_name(ds_type))),
        "typeLogoUrl": str(raw.get("typeLogoUrl", type_logo_url(ds_type))),
        "access": str(raw.get("access", "proxy")),
        "url": str(raw.get("url", "")),
        "user": str(raw.get("user", "")),
        "database": str(raw.get("database", "")),
        "basicAuth": bool(raw.get("basicAuth", False)),
        "basicAuthUser": str(raw.get("basicAuthUser", "")),
        "withCredentials": bool(raw.get("withCredentials", False)),
        "isDefault": bool(raw.get("isDefault", False)),
        "jsonData": dict(raw.get("jsonData") or {}),
        "secureJsonFields": secure_fields(raw.get("secureJsonData")),
        "version": int(raw.get("version", 1)),
        "readOnly": not raw.get("editable", False),
        PROVISIONED: True,
    }


def full_dto(ds: dict[str, Any]) -> dict[str, Any]:
    """`GET /api/datasources/uid/:uid` and the `datasource` of write answers, in Grafana's field order."""
    return {key: ds[key] for key in FULL_FIELDS}


def list_item(ds: dict[str, Any]) -> dict[str, Any]:
    """An item of `GET /api/datasources`: with `typeName`, without the secure and credential fields."""
    return {key: ds[key] for key in LIST_FIELDS}
