"""Datasource endpoints: list, by uid, by name, by id (grafana-api.md §8); create, update by uid, delete by uid and by
name (§15.1). Secrets are write-only: see `datasource_model`."""

from __future__ import annotations

import re
from typing import Any

from dashkit.emulator.binding import flag, integer, string_map, text
from dashkit.emulator.datasource_model import (
    full_dto,
    list_item,
    secure_fields,
    type_logo_url,
    type_name,
)
from dashkit.emulator.naming import generate_uid
from dashkit.emulator.replies import Reply, bad_request_data, message_error, ok
from dashkit.emulator.routing import Request, RouteTable
from dashkit.emulator.store import OrgState

routes = RouteTable()

NOT_FOUND = "Data source not found"
_HAS_SCHEME = re.compile(r"^[^:]*://")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_USERINFO = re.compile(r"^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$")
_HOST_FORBIDDEN = frozenset(' "#/<>?@[\\]^`{|}')  # what Go's url.Parse refuses in a host name (besides escapes)


def url_is_valid(url: str) -> bool:
    """Grafana's `validateURL` for a non-empty URL of an HTTP datasource: `http://` is prepended when the URL names
    no protocol, then it must survive Go's `url.Parse` (no control characters, a well-formed scheme, `%` escapes,
    userinfo and numeric port). Grafana's special cases (e.g. mssql connection strings) are not emulated."""
    if not _HAS_SCHEME.match(url):
        url = "http://" + url
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return False
    before_fragment, _, fragment = url.partition("#")
    if _BAD_ESCAPE.search(before_fragment.partition("?")[0]) or _BAD_ESCAPE.search(fragment):
        return False  # the query is kept raw, unchecked
    scheme, _, rest = url.partition("://")
    if not _SCHEME.match(scheme):
        return False
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    userinfo, _, host = authority.rpartition("@")
    if userinfo and not _USERINFO.match(userinfo):
        return False
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return False
        return re.fullmatch(r"(:[0-9]*)?", host[end + 1 :]) is not None
    name, colon, port = host.rpartition(":")
    if colon:
        if not port.isdigit() and port != "":
            return False
        host = name
    return not any(ch in _HOST_FORBIDDEN for ch in host)


def _find(org: OrgState, key: str, value: Any) -> dict[str, Any]:
    for ds in org.datasources:
        if ds[key] == value:
            return ds
    raise message_error(404, NOT_FOUND)


def _json_data(body: dict[str, Any]) -> dict[str, Any]:
    value = body.get("jsonData")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request_data()
    return value


def _fields(body: dict[str, Any], *, name_required: bool) -> dict[str, Any]:
    """The bound `AddDataSourceCommand` / `UpdateDataSourceCommand` (`type`, `access`, and on update `name`, are
    Required); `readOnly` is not bindable."""
    fields = {
        "name": text(body, "name", required=name_required),
        "type": text(body, "type", required=True),
        "access": text(body, "access", required=True),
        "url": text(body, "url"),
        "user": text(body, "user"),
        "database": text(body, "database"),
        "basicAuth": flag(body, "basicAuth"),
        "basicAuthUser": text(body, "basicAuthUser"),
        "withCredentials": flag(body, "withCredentials"),
        "isDefault": flag(body, "isDefault"),
        "jsonData": _json_data(body),
        "secureJsonData": string_map(body.get("secureJsonData")),
        "uid": text(body, "uid"),
        "version": integer(body, "version"),
    }
    if fields["url"] and not url_is_valid(fields["url"]):
        raise message_error(400, "Validation error, invalid URL", trace=True)
    return fields


def _available_name(org: OrgState, ds_type: str) -> str:
    """`<type>`, else `<type>-1`, `<type>-2`, ...: the first not taken, compared case-insensitively."""
    taken = {ds["name"].lower() for ds in org.datasources}
    name, number = ds_type, 0
    while name.lower() in taken:
        number += 1
        name = f"{ds_type}-{number}"
    return name


def _make_default(org: OrgState, chosen: dict[str, Any]) -> None:
    for ds in org.datasources:
        if ds is not chosen:
            ds["isDefault"] = False


def _write_reply(ds: dict[str, Any], message: str, name: str) -> Reply:
    return ok({"datasource": full_dto(ds), "id": ds["id"], "message": message, "name": name})


@routes.route("GET", "/api/datasources", needs="datasources:read")
def list_datasources(req: Request) -> Reply:
    items = sorted(req.org.datasources, key=lambda ds: ds["name"].lower())
    return ok([list_item(ds) for ds in items])


@routes.route("GET", "/api/datasources/uid/{uid}", needs="datasources:read")
def datasource_by_uid(req: Request) -> Reply:
    return ok(full_dto(_find(req.org, "uid", req.params["uid"])))


@routes.route("GET", "/api/datasources/name/{name}", needs="datasources:read")
def datasource_by_name(req: Request) -> Reply:
    return ok(full_dto(_find(req.org, "name", req.params["name"])))


@routes.route("GET", "/api/datasources/id/{name}", needs="datasources:read")
def datasource_id_by_name(req: Request) -> Reply:
    return ok({"id": _find(req.org, "name", req.params["name"])["id"]})


@routes.route("GET", "/api/datasources/{id}", needs="datasources:read")
def datasource_by_id(req: Request) -> Reply:
    try:
        ds_id = int(req.params["id"])
    except ValueError:
        raise message_error(400, "id is invalid") from None
    return ok(full_dto(_find(req.org, "id", ds_id)))


@routes.route("POST", "/api/datasources", needs="datasources:create")
def create_datasource(req: Request) -> Reply:
    """200 `Datasource added`; the first datasource of the org becomes the default; 409 for a taken name or uid.
    An invalid uid is accepted (Grafana 11 only logs it unless the `failWrongDSUID` toggle is on, which the
    emulator leaves off on every profile: its default per minor is [unverified])."""
    org = req.org
    fields = _fields(req.json_object(), name_required=False)
    name = fields["name"] or _available_name(org, fields["type"])
    if any(ds["name"] == name for ds in org.datasources):
        raise message_error(409, "data source with the same name already exists", trace=True)
    uid = fields["uid"] or generate_uid(lambda candidate: any(ds["uid"] == candidate for ds in org.datasources))
    if any(ds["uid"] == uid for ds in org.datasources):
        raise message_error(409, "data source with the same uid already exists", trace=True)
    ds_type = fields["type"]
    record = {
        "id": req.runtime.store.next_counter("datasource"),
        "uid": uid,
        "orgId": org.id,
        "name": name,
        "type": ds_type,
        "typeName": type_name(ds_type),
        "typeLogoUrl": type_logo_url(ds_type),
        "access": fields["access"],
        "url": fields["url"],
        "user": fields["user"],
        "database": fields["database"],
        "basicAuth": fields["basicAuth"],
        "basicAuthUser": fields["basicAuthUser"],
        "withCredentials": fields["withCredentials"],
        "isDefault": fields["isDefault"] or not org.datasources,
        "jsonData": fields["jsonData"],
        "secureJsonFields": secure_fields(fields["secureJsonData"]),
        "version": 1,
        "readOnly": False,
    }
    org.datasources.append(record)
    if record["isDefault"]:
        _make_default(org, record)
    return _write_reply(record, "Datasource added", name)


@routes.route("PUT", "/api/datasources/uid/{uid}", needs="datasources:write")
def update_datasource(req: Request) -> Reply:
    """200 `Datasource updated`. The optimistic lock is lenient (a `version` of 0 is unconditional, an older stored
    version is overwritten) and the stored version becomes the body's + 1. Columns as xorm writes them: empty `url`,
    `basicAuthUser` and `uid` keep the stored value, `jsonData` and the flags are always written (§15.1)."""
    org = req.org
    fields = _fields(req.json_object(), name_required=True)
    ds = _find(org, "uid", req.params["uid"])
    if ds["readOnly"]:
        raise message_error(403, "Cannot update read-only data source")
    if any(other["name"] == fields["name"] and other is not ds for other in org.datasources):
        raise message_error(
            409, "Failed to update datasource: data source with the same name already exists", trace=True
        )
    version = fields["version"]
    if version and ds["version"] > version:
        raise message_error(
            409, "Datasource has already been updated by someone else. Please reload and try again", trace=True
        )
    new_uid = fields["uid"] or ds["uid"]
    if any(other["uid"] == new_uid and other is not ds for other in org.datasources):
        # the (org_id, uid) unique index refuses the row; Grafana maps no specific error for it [unverified body]
        raise message_error(500, "Failed to update datasource", trace=True)
    ds_type = fields["type"]
    ds.update(
        uid=new_uid,
        name=fields["name"],
        type=ds_type,
        typeName=type_name(ds_type),
        typeLogoUrl=type_logo_url(ds_type),
        access=fields["access"],
        url=fields["url"] or ds["url"],
        user=fields["user"],
        database=fields["database"],
        basicAuth=fields["basicAuth"],
        basicAuthUser=fields["basicAuthUser"] or ds["basicAuthUser"],
        withCredentials=fields["withCredentials"],
        isDefault=fields["isDefault"],
        jsonData=fields["jsonData"],
        secureJsonFields=secure_fields(fields["secureJsonData"], ds["secureJsonFields"]),
        version=version + 1,
    )
    if ds["isDefault"]:
        _make_default(org, ds)
    return _write_reply(ds, "Datasource updated", fields["name"])


def _delete(req: Request, key: str, value: str) -> Reply:
    org = req.org
    ds = _find(org, key, value)
    if ds["readOnly"]:
        raise message_error(403, "Cannot delete read-only data source")
    org.datasources.remove(ds)
    return ok({"id": ds["id"], "message": "Data source deleted"})


@routes.route("DELETE", "/api/datasources/uid/{uid}", needs="datasources:delete")
def delete_datasource_by_uid(req: Request) -> Reply:
    return _delete(req, "uid", req.params["uid"])


@routes.route("DELETE", "/api/datasources/name/{name}", needs="datasources:delete")
def delete_datasource_by_name(req: Request) -> Reply:
    return _delete(req, "name", req.params["name"])
