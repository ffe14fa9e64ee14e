"""dashkit.yaml -> frozen Settings and Environment; secrets are read from env vars only when an environment is used."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConfigError

if TYPE_CHECKING:
    from .builders.datasource_definitions import DatasourceDefinition

CONFIG_FILE = "dashkit.yaml"
OWNER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_ENV_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_TOP_KEYS = {"owner", "environments", "defaults", "runbooks", "lint"}
_ENV_KEYS = {
    "url", "token_env", "basic_auth", "org_id", "datasources", "verify_tls", "ca_cert",
    "timeout", "concurrency", "disable_provenance", "max_folder_depth", "policy_tree", "secret_digest_key_env",
    "api", "namespace", "ui_edits",
}
API_CHOICES = ("auto", "legacy", "app-platform")
UI_EDITS = ("allow", "deny")
POLICY_TREE_MODES = ("shared", "owned")
DEFAULT_MAX_FOLDER_DEPTH = 4  # Grafana's [folder] max_nested_folder_depth: a parent with 4 ancestors is refused
_DEFAULT_KEYS = {"timeout", "concurrency"}


@dataclass(frozen=True)
class DatasourceRef:
    """How an environment finds the datasource behind a logical name: by uid, or by name through the API. An entry
    with `type` defines a datasource dashkit manages in that environment (`managed`; its uid and name are set)."""

    logical: str
    uid: str | None = None
    name: str | None = None
    managed: DatasourceDefinition | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Credentials:
    """Resolved secrets. repr() never shows them."""

    token: str | None = None
    user: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        kind = "token" if self.token else "basic" if self.user else "none"
        return f"Credentials(<{kind}>)"

    @property
    def secrets(self) -> tuple[str, ...]:
        """What output must never show; for basic auth the `user:password` pair too (its base64 is the header)."""
        pair = f"{self.user}:{self.password}" if self.user and self.password else None
        return tuple(s for s in (self.token, self.password, pair) if s)


@dataclass(frozen=True)
class Environment:
    name: str
    url: str
    token_env: str | None = None
    user_env: str | None = None
    password_env: str | None = None
    org_id: int | None = None
    datasources: Mapping[str, DatasourceRef] = field(default_factory=dict)
    verify_tls: bool | str = True
    timeout: float = 30.0
    concurrency: int = 24
    disable_provenance: bool = False
    max_folder_depth: int = DEFAULT_MAX_FOLDER_DEPTH  # ancestors a folder may have (paths of up to N+1 folders)
    policy_tree: str = "shared"  # "shared": manage only this project's routes; "owned": the whole tree
    secret_digest_key_env: str | None = None  # env var holding the key of contact points' secret digests
    api: str = "auto"  # auto: detected from /api/health and /apis; legacy; app-platform (Grafana 12+)
    namespace: str | None = None  # app-platform namespace; default from org_id ("default", "org-<id>")
    ui_edits: str = "allow"  # what Grafana's manager annotations let people do in the UI to what dashkit wrote

    @property
    def app_namespace(self) -> str:
        """The app-platform namespace: the configured one, else `default` for org 1 and `org-<id>` for others."""
        if self.namespace:
            return self.namespace
        return "default" if self.org_id in (None, 1) else f"org-{self.org_id}"

    def credentials(self, environ: Mapping[str, str] | None = None) -> Credentials:
        """Read the secrets from the env vars the config names; a missing one is a ConfigError naming the key."""
        environ = os.environ if environ is None else environ
        key = f"environments.{self.name}"
        if self.token_env:
            token = environ.get(self.token_env, "")
            if not token.strip():
                raise ConfigError(
                    f"environment variable {self.token_env} ({key}.token_env) is not set",
                    hint=f"export {self.token_env}=<service account token> before running dashkit",
                )
            _one_line(self.token_env, f"{key}.token_env", token.strip())
            return Credentials(token=token.strip())
        if self.user_env:
            user = environ.get(self.user_env, "")
            password = environ.get(self.password_env or "", "")
            for var, sub, value in ((self.user_env, "user_env", user), (self.password_env, "password_env", password)):
                if not value:
                    raise ConfigError(
                        f"environment variable {var} ({key}.basic_auth.{sub}) is not set",
                        hint=f"export {var}=... before running dashkit",
                    )
            _one_line(self.password_env or "", f"{key}.basic_auth.password_env", password)
            return Credentials(user=user, password=password)
        return Credentials()


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(var: str, key: str, secret: str) -> None:
    """A line break or control character in a credential would break the HTTP header it goes into, and requests
    would quote the header in its error: refuse it before any request, without showing the value."""
    if _CONTROL_RE.search(secret):
        raise ConfigError(
            f"environment variable {var} ({key}) contains a line break or control character",
            hint=f"set {var} to the credential alone, on one line (look for a pasted newline or a file read whole)",
        )


@dataclass(frozen=True)
class Settings:
    root: Path
    owner: str
    environments: Mapping[str, Environment]
    runbook_base_url: str | None = None  # where the runbooks `dashkit build` writes are published
    lint: Mapping[str, object] = field(default_factory=dict)  # the `lint:` section, read by dashkit.lint.config

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    def environment(self, name: str) -> Environment:
        try:
            return self.environments[name]
        except KeyError:
            known = ", ".join(sorted(self.environments)) or "none"
            raise ConfigError(
                f"unknown environment '{name}' (defined in {CONFIG_FILE}: {known})",
                hint=f"add it under 'environments:' in {self.config_path}",
            ) from None


def find_project_root(start: Path) -> Path:
    """The nearest folder upwards from `start` holding dashkit.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise ConfigError(
        f"no {CONFIG_FILE} found in {start} or any folder above it",
        hint="run dashkit inside a dashkit project, or pass --project DIR; `dashkit init` creates one here",
    )


def load_settings(root: Path) -> Settings:
    path = root / CONFIG_FILE
    import yaml

    from .safe_yaml import safe_load

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist", hint="create it, or pass --project DIR") from None
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}{where}: {problem}", hint="fix the YAML syntax") from None
    return parse_settings(data, root)


def parse_settings(data: object, root: Path) -> Settings:
    where = CONFIG_FILE
    mapping = _mapping(data, "the top level", where)
    _no_unknown(mapping, _TOP_KEYS, "", where)
    owner = mapping.get("owner")
    if not isinstance(owner, str) or not OWNER_RE.match(owner):
        raise ConfigError(
            f"{where}: key 'owner' must be a name of 1-40 letters, digits, '.', '_' or '-' (got {owner!r})",
            hint="owner marks what dashkit created, e.g. owner: platform-observability",
        )
    defaults = _mapping(mapping.get("defaults", {}), "defaults", where)
    _no_unknown(defaults, _DEFAULT_KEYS, "defaults.", where)
    envs_raw = _mapping(mapping.get("environments"), "environments", where)
    if not envs_raw:
        raise ConfigError(f"{where}: key 'environments' must define at least one environment")
    envs = {}
    for name, raw in envs_raw.items():
        if not isinstance(name, str) or not _ENV_NAME_RE.match(name):
            raise ConfigError(f"{where}: environment name {name!r} must be letters, digits, '-' or '_'")
        envs[name] = _parse_environment(name, raw, defaults, where, owner)
    runbooks = _mapping(mapping.get("runbooks", {}), "runbooks", where)
    _no_unknown(runbooks, {"base_url"}, "runbooks.", where)
    base_url = runbooks.get("base_url")
    if base_url is not None and (not isinstance(base_url, str) or not re.match(r"^https?://\S+$", base_url)):
        raise ConfigError(f"{where}: key 'runbooks.base_url' must be an http(s) URL")
    lint = _mapping(mapping.get("lint", {}), "lint", where)
    return Settings(root=root, owner=owner, environments=envs,
                    runbook_base_url=base_url.rstrip("/") if base_url else None, lint=lint)


def _parse_environment(name: str, raw: object, defaults: Mapping, where: str, owner: str) -> Environment:
    key = f"environments.{name}"
    env = _mapping(raw, key, where)
    _no_unknown(env, _ENV_KEYS, f"{key}.", where)
    url = env.get("url")
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url):
        raise ConfigError(
            f"{where}: key '{key}.url' must be an http(s) URL",
            hint="e.g. url: https://grafana.example.com",
        )
    token_env = env.get("token_env")
    user_env = password_env = None
    if token_env is not None:
        _env_var_name(token_env, f"{key}.token_env", where)
    if "basic_auth" in env:
        if token_env is not None:
            raise ConfigError(f"{where}: '{key}' sets both token_env and basic_auth; keep one")
        basic = _mapping(env["basic_auth"], f"{key}.basic_auth", where)
        _no_unknown(basic, {"user_env", "password_env"}, f"{key}.basic_auth.", where)
        user_env = _env_var_name(basic.get("user_env"), f"{key}.basic_auth.user_env", where)
        password_env = _env_var_name(basic.get("password_env"), f"{key}.basic_auth.password_env", where)
    org_id = env.get("org_id")
    if org_id is not None and (not isinstance(org_id, int) or isinstance(org_id, bool) or org_id < 1):
        raise ConfigError(f"{where}: key '{key}.org_id' must be a positive integer (got {org_id!r})")
    verify: bool | str = True
    if "verify_tls" in env:
        if not isinstance(env["verify_tls"], bool):
            raise ConfigError(f"{where}: key '{key}.verify_tls' must be true or false")
        verify = env["verify_tls"]
    if "ca_cert" in env:
        if not isinstance(env["ca_cert"], str):
            raise ConfigError(f"{where}: key '{key}.ca_cert' must be a file path")
        verify = env["ca_cert"]
    timeout = _positive_number(env.get("timeout", defaults.get("timeout", 30)), f"{key}.timeout", where)
    concurrency = env.get("concurrency", defaults.get("concurrency", 24))
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or not 1 <= concurrency <= 64:
        raise ConfigError(f"{where}: key '{key}.concurrency' must be an integer from 1 to 64")
    disable_provenance = env.get("disable_provenance", False)
    if not isinstance(disable_provenance, bool):
        raise ConfigError(f"{where}: key '{key}.disable_provenance' must be true or false")
    max_depth = env.get("max_folder_depth", DEFAULT_MAX_FOLDER_DEPTH)
    if not isinstance(max_depth, int) or isinstance(max_depth, bool) or not 1 <= max_depth <= 16:
        raise ConfigError(f"{where}: key '{key}.max_folder_depth' must be an integer from 1 to 16",
                          hint=f"Grafana's default limit is {DEFAULT_MAX_FOLDER_DEPTH} nested folders")
    policy_tree = env.get("policy_tree", "shared")
    if policy_tree not in POLICY_TREE_MODES:
        raise ConfigError(f"{where}: key '{key}.policy_tree' must be one of {', '.join(POLICY_TREE_MODES)}",
                          hint="shared: dashkit manages only this project's routes; owned: the whole tree")
    api = env.get("api", "auto")
    if api not in API_CHOICES:
        raise ConfigError(f"{where}: key '{key}.api' must be one of {', '.join(API_CHOICES)}",
                          hint="auto picks the app-platform APIs when Grafana (12+) serves them, else the legacy /api")
    namespace = env.get("namespace")
    if namespace is not None and (not isinstance(namespace, str) or not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                                                                                    namespace)):
        raise ConfigError(f"{where}: key '{key}.namespace' must be a namespace like 'default', 'org-2' or "
                          "'stacks-12345'")
    ui_edits = env.get("ui_edits", "allow")
    if ui_edits not in UI_EDITS:
        raise ConfigError(f"{where}: key '{key}.ui_edits' must be allow or deny",
                          hint="deny marks what dashkit writes as not editable in Grafana's UI (Grafana 12+)")
    digest_key_env = env.get("secret_digest_key_env")
    if digest_key_env is not None:
        _env_var_name(digest_key_env, f"{key}.secret_digest_key_env", where)
    return Environment(
        name=name,
        url=url.rstrip("/"),
        token_env=token_env,
        user_env=user_env,
        password_env=password_env,
        org_id=org_id,
        datasources=_parse_datasources(env.get("datasources", {}), f"{key}.datasources", where, owner),
        verify_tls=verify,
        timeout=timeout,
        concurrency=concurrency,
        disable_provenance=disable_provenance,
        max_folder_depth=max_depth,
        policy_tree=policy_tree,
        secret_digest_key_env=digest_key_env,
        api=api,
        namespace=namespace,
        ui_edits=ui_edits,
    )


_REF_KEYS = {"uid", "name"}
_MANAGED_KEYS = {"type", "url", "access", "json_data", "secrets", "name", "uid", "is_default", "basic_auth_user"}


def _parse_datasources(raw: object, key: str, where: str, owner: str) -> dict[str, DatasourceRef]:
    entries = _mapping(raw, key, where)
    out = {}
    for logical, spec in entries.items():
        sub = f"{key}.{logical}"
        if not isinstance(logical, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", logical):
            raise ConfigError(f"{where}: datasource name {logical!r} in '{key}' must be letters, digits, '.', '_', '-'")
        if isinstance(spec, str):
            spec = {"uid": spec}
        spec = _mapping(spec, sub, where)
        if "type" in spec:
            out[logical] = _managed_datasource(logical, spec, sub, where, owner)
            continue
        for k in spec:
            if k in _MANAGED_KEYS - _REF_KEYS:
                raise ConfigError(f"{where}: key '{sub}.{k}' describes a datasource dashkit manages, but '{sub}' has "
                                  "no 'type'", hint="add e.g. type: prometheus to define it, or keep only uid or name "
                                  "to use an existing datasource")
        _no_unknown(spec, _REF_KEYS, f"{sub}.", where)
        uid, name = spec.get("uid"), spec.get("name")
        if (uid is None) == (name is None) or not isinstance(uid or name, str):
            raise ConfigError(
                f"{where}: key '{sub}' must give exactly one of uid or name",
                hint=f"e.g. {logical}: {{uid: my-datasource-uid}} or {logical}: {{name: My Datasource}}",
            )
        out[logical] = DatasourceRef(logical=logical, uid=uid, name=name)
    return out


def _managed_datasource(logical: str, spec: dict, sub: str, where: str, owner: str) -> DatasourceRef:
    """An environment entry with `type`: a datasource dashkit creates and keeps in line in that environment. Its
    secrets are env var NAMES, checked to be set only when the environment is used (diff/sync)."""
    from .builders.datasource_definitions import (
        ACCESS_MODES,
        MAX_NAME,
        RESERVED_JSON_KEYS,
        TYPE_RE,
        datasource_definition,
        derived_uid,
    )
    from .builders.errors import BuilderError
    from .naming import is_valid_uid

    _no_unknown(spec, _MANAGED_KEYS, f"{sub}.", where)
    kind = spec["type"]
    if not isinstance(kind, str) or not TYPE_RE.match(kind):
        raise ConfigError(f"{where}: key '{sub}.type' must be a datasource plugin id such as prometheus, loki, tempo, "
                          f"jaeger or elasticsearch (got {kind!r})")
    if "url" not in spec:
        raise ConfigError(f"{where}: key '{sub}.url' is missing", hint="e.g. url: http://prometheus:9090 "
                          "(url: '' for a plugin without one)")
    url = spec["url"]
    if not isinstance(url, str) or (url and not re.match(r"^https?://[^\s/]+\S*$", url)):
        raise ConfigError(f"{where}: key '{sub}.url' must be an http(s) URL (got {url!r})")
    access = spec.get("access", "proxy")
    if access not in ACCESS_MODES:
        raise ConfigError(f"{where}: key '{sub}.access' must be proxy or direct (got {access!r})",
                          hint="proxy: Grafana's server queries it (the default); direct: the browser does")
    json_data = _mapping(spec.get("json_data", {}), f"{sub}.json_data", where)
    for k in json_data:
        if not isinstance(k, str) or k in RESERVED_JSON_KEYS:
            raise ConfigError(f"{where}: key '{sub}.json_data.{k}' " + (
                "is dashkit's own (its owner marker, checksum and secret digest); leave it out"
                if isinstance(k, str) else "must be a string"))
    secrets = _mapping(spec.get("secrets", {}), f"{sub}.secrets", where)
    for k, var in secrets.items():
        if not isinstance(k, str) or not k:
            raise ConfigError(f"{where}: key '{sub}.secrets' must map secureJsonData keys to env var names")
        _env_var_name(var, f"{sub}.secrets.{k}", where)
    name = spec.get("name", logical)
    if not isinstance(name, str) or not name.strip() or name != name.strip() or len(name) > MAX_NAME:
        raise ConfigError(f"{where}: key '{sub}.name' must be a datasource name of 1-{MAX_NAME} characters "
                          f"(got {name!r})")
    uid = spec.get("uid", derived_uid(owner, logical))
    if not is_valid_uid(uid):
        raise ConfigError(f"{where}: key '{sub}.uid' must be 1-40 letters, digits, '-' or '_' (got {uid!r})")
    is_default = spec.get("is_default", False)
    if not isinstance(is_default, bool):
        raise ConfigError(f"{where}: key '{sub}.is_default' must be true or false")
    user = spec.get("basic_auth_user")
    if user is not None and (not isinstance(user, str) or not user):
        raise ConfigError(f"{where}: key '{sub}.basic_auth_user' must be a user name")
    if user is not None and "basicAuthPassword" not in secrets:
        raise ConfigError(f"{where}: key '{sub}.basic_auth_user' needs the password as a secret",
                          hint=f"add secrets: {{basicAuthPassword: ENV_VAR_NAME}} under {sub}")
    try:
        definition = datasource_definition(kind, name, url, uid=uid, logical=logical, access=access,
                                           is_default=is_default, json_data=json_data, basic_auth_user=user,
                                           secrets=secrets)
    except BuilderError as exc:
        raise ConfigError(f"{where}: key '{sub}': {exc}") from None
    return DatasourceRef(logical=logical, uid=uid, name=name, managed=definition)


def _mapping(value: object, key: str, where: str) -> dict:
    if value is None:
        raise ConfigError(f"{where}: key '{key}' is missing" if key != "the top level" else f"{where} is empty")
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: key '{key}' must be a mapping (got {type(value).__name__})")
    return value


def _no_unknown(mapping: Mapping, allowed: set[str], prefix: str, where: str) -> None:
    for k in mapping:
        if k not in allowed:
            raise ConfigError(
                f"{where}: unknown key '{prefix}{k}'",
                hint="allowed here: " + ", ".join(sorted(allowed)),
            )


def _env_var_name(value: object, key: str, where: str) -> str:
    if isinstance(value, str) and _looks_like_secret(value):
        raise ConfigError(
            f"{where}: key '{key}' looks like a token, not the name of an environment variable",
            hint="never put secrets in dashkit.yaml: revoke that token, put the new one in an env var and name it here",
        )
    if not isinstance(value, str) or not _ENV_VAR_RE.match(value):
        raise ConfigError(
            f"{where}: key '{key}' must be the NAME of an environment variable (got {value!r})",
            hint="dashkit.yaml never holds secrets; put the token in an env var and name it here",
        )
    return value


def _looks_like_secret(value: str) -> bool:
    return value.startswith(("glsa_", "glc_", "eyJ")) or len(value) > 64


def _positive_number(value: object, key: str, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{where}: key '{key}' must be a positive number of seconds")
    return float(value)
