"""Datasources a project manages: a module under datasources/ exports `datasources = [prometheus(...), loki(...)]`.

Secrets are never values in code: `secrets={"httpHeaderValue1": "LOKI_TOKEN"}` names the environment variable that
holds each `secureJsonData` value, read only when dashkit talks to Grafana. In `json_data`, a `datasourceUid` of
`"@name"` (Tempo's trace-to-logs, Loki's derived fields) names another datasource logically, as dashboards do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import naming
from ..datasource_refs import PREFIX
from ..durations import parse_duration
from ..secrets import placeholder_name, secret_env
from .errors import BuilderError

ACCESS_MODES = ("proxy", "direct")
OWNER_KEY = "dashkitOwner"  # jsonData keys dashkit writes itself: a definition may not set them
CHECKSUM_KEY = "dashkitChecksum"
DIGEST_KEY = "dashkitSecretDigest"
RESERVED_JSON_KEYS = (OWNER_KEY, CHECKSUM_KEY, DIGEST_KEY)
EXTRA_FIELDS = ("user", "database", "withCredentials")  # the API's other top-level fields, through `extra`
PROMETHEUS_TYPES = ("Prometheus", "Cortex", "Mimir", "Thanos")
ELASTICSEARCH_INTERVALS = ("Hourly", "Daily", "Weekly", "Monthly", "Yearly")
LOGICAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_ENV_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HTTP_URL_RE = re.compile(r"^https?://[^\s/]+\S*$")
MAX_NAME = 190


@dataclass(frozen=True)
class DatasourceDefinition:
    """One datasource as a project defines it. `logical` is how dashboards and alerts name it (`@logical`);
    `secrets` maps secureJsonData keys to the environment variables holding them; `uid` None: dashkit derives one
    from the project's owner and the logical name."""

    type: str
    name: str
    url: str
    logical: str
    uid: str | None = None
    access: str = "proxy"
    is_default: bool = False
    json_data: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    basic_auth_user: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_grafana(self, uid: str) -> dict[str, Any]:
        """The body dashkit sends (`POST /api/datasources`), secrets as `{"$secret_env": NAME}` placeholders."""
        body: dict[str, Any] = {
            "uid": uid, "name": self.name, "type": self.type, "access": self.access, "url": self.url,
            "basicAuth": self.basic_auth_user is not None, "basicAuthUser": self.basic_auth_user or "",
            "isDefault": self.is_default, "jsonData": json.loads(json.dumps(dict(self.json_data))),
            **dict(self.extra),
        }
        if self.secrets:
            body["secureJsonData"] = {key: secret_env(var) for key, var in sorted(self.secrets.items())}
        return body


def derived_uid(owner: str, logical: str) -> str:
    """The uid of a datasource whose definition gives none: deterministic, a valid Grafana uid, and this owner's."""
    return naming.owned_uid(owner, logical, "datasource", logical)


def datasource_definition(type: str, name: str, url: str = "", *, uid: str | None = None, logical: str | None = None,
                          access: str = "proxy", is_default: bool = False, json_data: Mapping[str, Any] | None = None,
                          basic_auth_user: str | None = None, secrets: Mapping[str, Any] | None = None,
                          extra: Mapping[str, Any] | None = None) -> DatasourceDefinition:
    """Any datasource plugin by its type id (`"grafana-postgresql-datasource"`); `json_data` as Grafana stores it.

    `secrets` maps each secureJsonData key to the NAME of the environment variable holding its value
    (`{"httpHeaderValue1": "LOKI_TOKEN"}`); `basic_auth_user` turns basic auth on and needs the password as
    secret `basicAuthPassword`; `extra` sets the API's other fields (`user`, `database`, `withCredentials`)."""
    if not isinstance(type, str) or not TYPE_RE.match(type):
        raise BuilderError(f"datasource type must be a plugin id like 'prometheus' or 'grafana-postgresql-datasource', "
                           f"got {type!r}")
    if not isinstance(name, str) or not name.strip() or name != name.strip() or len(name) > MAX_NAME:
        raise BuilderError(f"a {type} datasource needs a name of 1-{MAX_NAME} characters without surrounding spaces, "
                           f"got {name!r}")
    what = f"datasource '{name}'"
    if not isinstance(url, str) or (url and re.search(r"\s", url)):
        raise BuilderError(f"{what}: url must be a URL without spaces, got {url!r}")
    logical = name if logical is None else logical
    if not isinstance(logical, str) or not LOGICAL_RE.match(logical):
        raise BuilderError(f"{what}: {logical!r} cannot be its logical name (how dashboards name it, `@name`): use "
                           f"letters, digits, '.', '_' or '-', e.g. logical={naming.slug(str(logical)) or 'metrics'!r}")
    if uid is not None and not naming.is_valid_uid(uid):
        raise BuilderError(f"{what}: uid {uid!r} must be 1-40 letters, digits, '-' or '_'")
    if access not in ACCESS_MODES:
        raise BuilderError(f"{what}: access must be 'proxy' (through Grafana's server) or 'direct' (from the browser), "
                           f"got {access!r}")
    if not isinstance(is_default, bool):
        raise BuilderError(f"{what}: is_default must be True or False")
    data = _json_data(json_data, what)
    secret_vars = _secrets(secrets, what)
    if basic_auth_user is not None:
        if not isinstance(basic_auth_user, str) or not basic_auth_user:
            raise BuilderError(f"{what}: basic_auth_user must be a user name")
        if "basicAuthPassword" not in secret_vars:
            raise BuilderError(f"{what}: basic auth needs its password as a secret: "
                               "secrets={'basicAuthPassword': 'ENV_VAR_NAME'}")
    fields = dict(extra or {})
    unknown = sorted(set(fields) - set(EXTRA_FIELDS))
    if unknown:
        raise BuilderError(f"{what}: extra may set only {', '.join(EXTRA_FIELDS)}, not {', '.join(unknown)} "
                           "(the other fields have their own arguments)")
    return DatasourceDefinition(type=type, name=name, url=url, logical=logical, uid=uid, access=access,
                                is_default=is_default, json_data=data, secrets=secret_vars,
                                basic_auth_user=basic_auth_user, extra=fields)


def prometheus(name: str, url: str, *, uid: str | None = None, logical: str | None = None, access: str = "proxy",
               is_default: bool = False, http_method: str = "POST", time_interval: str | None = None,
               query_timeout: str | None = None, prometheus_type: str | None = None,
               prometheus_version: str | None = None, manage_alerts: bool | None = None,
               json_data: Mapping[str, Any] | None = None, basic_auth_user: str | None = None,
               secrets: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None
               ) -> DatasourceDefinition:
    """A Prometheus (or Mimir, Cortex, Thanos) datasource. `time_interval` is the scrape interval, the lowest step
    Grafana uses (`"15s"`); `http_method` POST lets long queries through; `json_data` adds or overrides keys."""
    what = f"Prometheus datasource '{name}'"
    _http_url(url, what)
    if http_method not in ("GET", "POST"):
        raise BuilderError(f"{what}: http_method must be 'GET' or 'POST', got {http_method!r}")
    typed: dict[str, Any] = {"httpMethod": http_method}
    for key, value in (("timeInterval", time_interval), ("queryTimeout", query_timeout)):
        if value is not None:
            typed[key] = _duration(value, what, key)
    if prometheus_type is not None:
        if prometheus_type not in PROMETHEUS_TYPES:
            raise BuilderError(f"{what}: prometheus_type must be one of {', '.join(PROMETHEUS_TYPES)}")
        typed["prometheusType"] = prometheus_type
    if prometheus_version is not None:
        if not isinstance(prometheus_version, str) or not re.match(r"^\d+\.\d+(\.\d+)?$", prometheus_version):
            raise BuilderError(f"{what}: prometheus_version must be a version like '2.50.0'")
        typed["prometheusVersion"] = prometheus_version
    if manage_alerts is not None:
        typed["manageAlerts"] = bool(manage_alerts)
    return datasource_definition("prometheus", name, url, uid=uid, logical=logical, access=access,
                                 is_default=is_default, json_data=_merged(typed, json_data),
                                 basic_auth_user=basic_auth_user, secrets=secrets, extra=extra)


def loki(name: str, url: str, *, uid: str | None = None, logical: str | None = None, access: str = "proxy",
         is_default: bool = False, max_lines: int = 1000, json_data: Mapping[str, Any] | None = None,
         basic_auth_user: str | None = None, secrets: Mapping[str, Any] | None = None,
         extra: Mapping[str, Any] | None = None) -> DatasourceDefinition:
    """A Loki datasource. `max_lines` caps the log lines a query returns; derived fields (links from a log line to
    its trace) go in `json_data={"derivedFields": [...]}` with `"datasourceUid": "@tempo"`."""
    what = f"Loki datasource '{name}'"
    _http_url(url, what)
    if not isinstance(max_lines, int) or isinstance(max_lines, bool) or max_lines < 1:
        raise BuilderError(f"{what}: max_lines must be a positive number of lines, got {max_lines!r}")
    return datasource_definition("loki", name, url, uid=uid, logical=logical, access=access, is_default=is_default,
                                 json_data=_merged({"maxLines": max_lines}, json_data),
                                 basic_auth_user=basic_auth_user, secrets=secrets, extra=extra)


def tempo(name: str, url: str, *, uid: str | None = None, logical: str | None = None, access: str = "proxy",
          is_default: bool = False, node_graph: bool = False, service_map: str | None = None,
          json_data: Mapping[str, Any] | None = None, basic_auth_user: str | None = None,
          secrets: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None) -> DatasourceDefinition:
    """A Tempo datasource. `node_graph` shows the node graph of a trace; `service_map` names (logically) the
    Prometheus datasource holding the service-graph metrics. Trace to logs goes in
    `json_data={"tracesToLogsV2": {"datasourceUid": "@loki", ...}}`."""
    typed = _tracing(f"Tempo datasource '{name}'", url, node_graph)
    if service_map is not None:
        typed["serviceMap"] = {"datasourceUid": PREFIX + _logical(service_map, f"Tempo datasource '{name}'")}
    return datasource_definition("tempo", name, url, uid=uid, logical=logical, access=access, is_default=is_default,
                                 json_data=_merged(typed, json_data), basic_auth_user=basic_auth_user,
                                 secrets=secrets, extra=extra)


def jaeger(name: str, url: str, *, uid: str | None = None, logical: str | None = None, access: str = "proxy",
           is_default: bool = False, node_graph: bool = False, json_data: Mapping[str, Any] | None = None,
           basic_auth_user: str | None = None, secrets: Mapping[str, Any] | None = None,
           extra: Mapping[str, Any] | None = None) -> DatasourceDefinition:
    """A Jaeger datasource. `node_graph` shows the node graph of a trace; trace to logs goes in
    `json_data={"tracesToLogsV2": {"datasourceUid": "@loki", ...}}`."""
    typed = _tracing(f"Jaeger datasource '{name}'", url, node_graph)
    return datasource_definition("jaeger", name, url, uid=uid, logical=logical, access=access, is_default=is_default,
                                 json_data=_merged(typed, json_data), basic_auth_user=basic_auth_user,
                                 secrets=secrets, extra=extra)


def elasticsearch(name: str, url: str, *, index: str, time_field: str = "@timestamp", interval: str | None = None,
                  log_message_field: str | None = None, log_level_field: str | None = None,
                  max_concurrent_shard_requests: int | None = None, uid: str | None = None,
                  logical: str | None = None, access: str = "proxy", is_default: bool = False,
                  json_data: Mapping[str, Any] | None = None, basic_auth_user: str | None = None,
                  secrets: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None
                  ) -> DatasourceDefinition:
    """An Elasticsearch datasource over `index` (a name, a wildcard, or a pattern like `[logs-]YYYY.MM.DD` with
    `interval="Daily"`); `time_field` is the documents' timestamp; the log fields make it usable for logs."""
    what = f"Elasticsearch datasource '{name}'"
    _http_url(url, what)
    typed: dict[str, Any] = {"index": _text(index, what, "index"), "timeField": _text(time_field, what, "time_field")}
    if interval is not None:
        if interval not in ELASTICSEARCH_INTERVALS:
            raise BuilderError(f"{what}: interval must be one of {', '.join(ELASTICSEARCH_INTERVALS)} (or None for "
                               "an index without a date pattern)")
        typed["interval"] = interval
    if log_message_field is not None:
        typed["logMessageField"] = _text(log_message_field, what, "log_message_field")
    if log_level_field is not None:
        typed["logLevelField"] = _text(log_level_field, what, "log_level_field")
    if max_concurrent_shard_requests is not None:
        if not isinstance(max_concurrent_shard_requests, int) or max_concurrent_shard_requests < 1:
            raise BuilderError(f"{what}: max_concurrent_shard_requests must be a positive integer")
        typed["maxConcurrentShardRequests"] = max_concurrent_shard_requests
    return datasource_definition("elasticsearch", name, url, uid=uid, logical=logical, access=access,
                                 is_default=is_default, json_data=_merged(typed, json_data),
                                 basic_auth_user=basic_auth_user, secrets=secrets, extra=extra)


def declared_logical_names(items: Any) -> frozenset[str]:
    """The logical names of the definitions among `items` (a datasources/ module's `datasources` export); anything
    else in it is left for the datasource kind to refuse."""
    if not isinstance(items, (list, tuple)):
        return frozenset()
    return frozenset(item.logical for item in items if isinstance(item, DatasourceDefinition))


# ---- validation helpers -------------------------------------------------------------------------------------------
def _http_url(url: Any, what: str) -> None:
    if not isinstance(url, str) or not _HTTP_URL_RE.match(url):
        raise BuilderError(f"{what}: url must be an http(s) URL like 'http://prometheus:9090', got {url!r}")


def _duration(value: Any, what: str, key: str) -> str:
    try:
        parse_duration(value)
    except ValueError:
        raise BuilderError(f"{what}: {key} must be a duration like '15s' or '1m', got {value!r}") from None
    if not isinstance(value, str):
        raise BuilderError(f"{what}: {key} must be a duration string like '15s', got {value!r}")
    return value


def _text(value: Any, what: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BuilderError(f"{what}: {key} must be a non-empty string, got {value!r}")
    return value


def _logical(value: Any, what: str) -> str:
    name = value.removeprefix(PREFIX) if isinstance(value, str) else value
    if not isinstance(name, str) or not LOGICAL_RE.match(name):
        raise BuilderError(f"{what}: {value!r} is not a logical datasource name (letters, digits, '.', '_', '-')")
    return name


def _tracing(what: str, url: str, node_graph: bool) -> dict[str, Any]:
    _http_url(url, what)
    if not isinstance(node_graph, bool):
        raise BuilderError(f"{what}: node_graph must be True or False")
    return {"nodeGraph": {"enabled": True}} if node_graph else {}


def _merged(typed: dict[str, Any], json_data: Mapping[str, Any] | None) -> dict[str, Any]:
    if json_data is not None and not isinstance(json_data, Mapping):
        raise BuilderError(f"json_data must be a dict of Grafana's jsonData keys, got {json_data!r}")
    return {**typed, **dict(json_data or {})}


def _json_data(value: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and k for k in value):
        raise BuilderError(f"{what}: json_data must be a dict with string keys, got {value!r}")
    reserved = sorted(set(value) & set(RESERVED_JSON_KEYS))
    if reserved:
        raise BuilderError(f"{what}: json_data key {reserved[0]!r} is dashkit's own (its owner marker, checksum and "
                           "secret digest); leave it out")
    try:
        return json.loads(json.dumps(dict(value), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise BuilderError(f"{what}: json_data must be plain JSON data ({exc})") from None


def _secrets(value: Mapping[str, Any] | None, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BuilderError(f"{what}: secrets must map secureJsonData keys to environment variable names, e.g. "
                           "{'httpHeaderValue1': 'LOKI_TOKEN'}")
    out = {}
    for key, var in value.items():
        if not isinstance(key, str) or not key:
            raise BuilderError(f"{what}: secrets keys must be secureJsonData key names, got {key!r}")
        name = placeholder_name(var) or var
        if not isinstance(name, str) or not _ENV_VAR_RE.match(name):
            raise BuilderError(f"{what}: secret {key!r} must be the NAME of an environment variable holding it, "
                               "never the secret itself")
        out[key] = name
    return out
