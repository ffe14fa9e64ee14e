"""Datasources, identified by uid: created with `POST /api/datasources`, updated with `PUT /api/datasources/uid/:uid`
at the version read (someone's write in between is a 409, reported, never overwritten), deleted by uid. Defined in
datasources/ modules (every environment) or under an environment's `datasources:` in dashkit.yaml (that one only).

Ownership: dashkit writes `jsonData.dashkitOwner` (the owner marker) and `jsonData.dashkitChecksum` (a fingerprint of
what it wrote); a uid dashkit derived names its owner too. This project's: kept in line with the code, and one
changed in Grafana since dashkit wrote it (its checksum no longer matches) is drift, left alone until --force.
Another owner's: never changed or deleted without --force. Unmarked at the uid the code gives: adopted, as the contact
point kind adopts an unmarked integration of its name (the next write marks it). `readOnly` (provisioned from files
on the Grafana server): never written, reported when it differs. Another datasource holding the name the code gives
(at another uid): never touched, even with --force; reported (Grafana allows one datasource of a name, and moving it
to the code's uid would break whatever uses its uid). `--prune` deletes only datasources carrying this owner.

Secrets: `secureJsonData` comes from env vars and is sent with every write (Grafana never returns it; a key the
code no longer has is cleared). With `secret_digest_key_env`, an HMAC of the secrets is kept in
`jsonData.dashkitSecretDigest`, so a changed secret is one line, "secret LOKI_TOKEN changed"; without it, `sync
--rotate-secrets` re-sends them (as for contact points)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import naming, secrets
from ..builders.datasource_definitions import (
    CHECKSUM_KEY,
    DIGEST_KEY,
    OWNER_KEY,
    DatasourceDefinition,
    derived_uid,
)
from ..client import quote_segment
from ..datasource_refs import ResolvedDatasource
from ..diff import Secret
from ..errors import ConfigError, Conflict, DefinitionError, GrafanaError
from ..loader import Definition
from ..model import Resource, ResourceRef
from ..normalize import fingerprint
from .base import (
    ANY_STATUS,
    BuildContext,
    KindExample,
    LiveResource,
    ResourceKind,
    SyncContext,
    exported,
    owner_phrase,
    register,
)

if TYPE_CHECKING:
    from ..client import GrafanaClient
    from ..config import Environment, Settings
    from ..grafana_api import Api

LIST = "/api/datasources"
OPTIONAL = ("user", "database", "basicAuth", "basicAuthUser", "withCredentials", "isDefault")  # compared when set
RESTORED = "restored"  # the checksum `dashkit restore` writes: the next sync reports drift instead of overwriting
READ_ONLY = ("provisioned from a file on the Grafana server (readOnly): Grafana refuses changes through its API, "
             "so dashkit never writes it; change the provisioning file, or give the definition another uid and name")


@dataclass(frozen=True)
class DatasourceSpec:
    logical: str  # the name dashboards and alerts use for it (`@logical`)
    restored: bool = False  # put back from a backup by `dashkit restore`


def _path(uid: str) -> str:
    return f"{LIST}/uid/{quote_segment(uid)}"


def _edit_in_the_ui(client: GrafanaClient, api: Api) -> int:
    ds = client.get(_path("example-metrics")).data
    body = {k: ds[k] for k in ("name", "type", "access", "basicAuth", "isDefault", "jsonData", "version")}
    return client.request("PUT", _path("example-metrics"), json={**body, "url": "http://prometheus.other:9090"},
                          allow=ANY_STATUS).status


EXAMPLE = KindExample(
    files={"datasources/metrics.py": 'from dashkit.builders import prometheus\n'
                                     'datasources = [prometheus("example-metrics", "http://prometheus.example:9090",'
                                     ' uid="example-metrics", time_interval="15s")]\n'},
    change=('"15s"', '"30s"'),
    ui_edit=_edit_in_the_ui, after_ui_edit="drift",
    present=lambda client, api: client.get_or_none(_path("example-metrics")) is not None,
)


@register
class DatasourceKind(ResourceKind):
    name = "datasource"
    example = EXAMPLE
    area = "datasources"
    exports = ("datasources",)
    order = 1  # before everything that names a datasource

    # ---- build side --------------------------------------------------------------------------------------------
    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        if definition.area != self.area:
            return []
        items = exported(definition, "datasources", DatasourceDefinition,
                         "prometheus(...), loki(...), tempo(...), jaeger(...), elasticsearch(...) or "
                         "datasource_definition(...)")
        return [self.resource(item, definition.relpath, ctx.owner) for item in items]

    def resource(self, definition: DatasourceDefinition, source: str, owner: str) -> Resource:
        uid = definition.uid or derived_uid(owner, definition.logical)
        return Resource(kind=self.name, uid=uid, title=definition.name, body=definition.to_grafana(uid),
                        source=source, path=definition.name, spec=DatasourceSpec(definition.logical))

    def derive(self, resources: list[Resource], ctx: BuildContext) -> list[Resource]:
        """Nothing to add; two definitions of one logical name or one datasource name are refused here."""
        _refuse_duplicates([r for r in resources if r.kind == self.name], DefinitionError)
        return []

    def environment_resources(self, settings: Settings, env: Environment, ctx: BuildContext) -> list[Resource]:
        out = []
        for logical, ref in sorted(env.datasources.items()):
            if ref.managed is None:
                continue
            where = f"dashkit.yaml environments.{env.name}.datasources.{logical}"
            for key, var in sorted(ref.managed.secrets.items()):
                if not os.environ.get(var):
                    raise ConfigError(f"environment variable {var} ({where}.secrets.{key}) is not set",
                                      hint=f"export {var}=... before running dashkit; the value never goes in "
                                      "dashkit.yaml")
            out.append(self.resource(ref.managed, where, ctx.owner))
        return out

    def provided_datasource(self, resource: Resource) -> tuple[str, ResolvedDatasource] | None:
        spec = resource.spec
        if not isinstance(spec, DatasourceSpec) or not spec.logical:
            return None
        return spec.logical, ResolvedDatasource(uid=resource.uid, type=str(resource.body.get("type", "")),
                                                name=resource.title)

    def spec_to_json(self, resource: Resource) -> Any:
        spec = resource.spec
        return {"logical": spec.logical, "restored": spec.restored} if isinstance(spec, DatasourceSpec) else None

    def spec_from_json(self, data: Any) -> Any:
        if not isinstance(data, dict):
            return None
        return DatasourceSpec(str(data.get("logical") or ""), bool(data.get("restored")))

    def build_path(self, resource: Resource) -> str:
        return f"datasources/{naming.file_safe(resource.title)}.json"  # secrets as placeholders only

    def prepare(self, resource: Resource, ctx: SyncContext) -> Resource:
        # Reads every secret (a missing env var stops the run here, before any write; each value is masked from
        # then on), and digests them when the environment names a key.
        digest = secrets.digest(resource.body.get("secureJsonData") or {}, ctx.secret_digest_key,
                                f"datasource '{resource.title}'")
        if digest is None:
            return resource
        return resource.copy(body={**resource.body, "jsonData": {**resource.body["jsonData"], DIGEST_KEY: digest}})

    # ---- compare side ------------------------------------------------------------------------------------------
    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        """Of the live DTO or the body dashkit sends: what is set, without server-managed fields (id, orgId, version,
        typeName, readOnly...) and dashkit's marker; secrets by key only, as Grafana shows them."""
        out: dict[str, Any] = {key: body.get(key) or "" for key in ("name", "type", "access", "url")}
        out.update({key: body[key] for key in OPTIONAL if body.get(key)})
        data = body.get("jsonData") if isinstance(body.get("jsonData"), dict) else {}
        out["jsonData"] = {k: v for k, v in data.items() if k not in (OWNER_KEY, CHECKSUM_KEY)}
        keys = {k for k, v in (body.get("secureJsonFields") or {}).items() if v} | set(body.get("secureJsonData") or {})
        if keys:
            out["secureJsonData"] = {key: secrets.REDACTED for key in sorted(keys)}
        return out

    def matches(self, resource: Resource, live: LiveResource | None) -> bool:
        return live is not None and _as_desired(live.comparable, resource) == self.comparable(resource.body, "")

    # ---- live side ---------------------------------------------------------------------------------------------
    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        """One list says which datasources exist and whose they are; the desired ones that exist (and, when --prune
        may delete, this project's undefined ones) are read whole."""
        _refuse_duplicates(desired, ConfigError)
        listing = [d for d in ctx.client.get(LIST).data or [] if isinstance(d, dict) and d.get("uid")]
        by_uid = {str(d["uid"]): d for d in listing}
        by_name = {str(d.get("name")): d for d in listing}
        wanted = {r.uid: r for r in desired}
        orphans = [uid for uid, d in by_uid.items() if uid not in wanted and ctx.mine(_owner(d, ctx))]
        reads = [uid for uid in wanted if uid in by_uid] + (orphans if ctx.prune else [])
        full = dict(zip(reads, ctx.map(lambda uid: ctx.client.get_or_none(_path(uid)), reads), strict=True))
        out: dict[ResourceRef, LiveResource] = {}
        for resource in desired:
            holder = by_name.get(resource.title)
            if holder is not None and holder.get("uid") != resource.uid:
                out[resource.ref] = _name_taken(resource, holder, ctx)
            elif isinstance(full.get(resource.uid), dict):
                out[resource.ref] = self._live(full[resource.uid], ctx, resource)
        for uid in orphans:
            found = full.get(uid) if ctx.prune else by_uid[uid]
            if isinstance(found, dict):
                live = self._live(found, ctx)
                out[live.ref] = live
        return out

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        found = ctx.client.get_or_none(_path(ref.uid))
        return self._live(found, ctx) if isinstance(found, dict) else None

    def _live(self, ds: dict[str, Any], ctx: SyncContext, desired: Resource | None = None) -> LiveResource:
        comparable = self.comparable(ds, "")
        owner = _owner(ds, ctx)
        live = LiveResource(ref=ResourceRef(self.name, str(ds.get("uid"))), title=str(ds.get("name", "")), body=ds,
                            comparable=comparable, path=str(ds.get("name", "")), version=ds.get("version"),
                            owner=owner, managed=ctx.mine(owner))
        checksum = (ds.get("jsonData") or {}).get(CHECKSUM_KEY)
        if live.managed and "version" in ds:  # read whole (a list item says too little to tell)
            if checksum == RESTORED:
                live.drift = "restored from a backup by `dashkit restore`; sync --force puts the code's version back"
            elif checksum != fingerprint(_checked(comparable)):
                live.drift = "changed in Grafana since dashkit last wrote it"
        if ds.get("readOnly"):
            live.deletable, live.note = False, READ_ONLY
            live.locked = READ_ONLY
        if desired is not None:
            live.comparable = {**_as_desired(comparable, desired), "jsonData": dict(comparable["jsonData"])}
            names = _secret_names(desired)
            digest = live.comparable["jsonData"].get(DIGEST_KEY)
            if names and isinstance(digest, str):  # the plan names the secrets, never shows the digests
                live.comparable["jsonData"][DIGEST_KEY] = Secret(digest, names)
            if ctx.rotate_secrets and names:
                live.remark = f"re-sends {Secret('', names).phrase()} (--rotate-secrets)"
        return live

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        try:
            ctx.client.request("POST", LIST, json=self._payload(resource, ctx))
        except Conflict as exc:
            raise GrafanaError(f"datasource {resource.label}: a datasource with its uid or name was created in Grafana "
                               "while dashkit was syncing; not overwritten", hint="run `dashkit diff` again to see it",
                               status=exc.status, method=exc.method, path=exc.path) from None

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        payload = self._payload(resource, ctx)
        spec = resource.spec
        if not (isinstance(spec, DatasourceSpec) and spec.restored):  # a secret the code no longer has is cleared
            gone = sorted(k for k, v in (live.body.get("secureJsonFields") or {}).items()
                          if v and k not in (payload.get("secureJsonData") or {}))
            if gone:
                payload["secureJsonData"] = {**payload.get("secureJsonData", {}), **dict.fromkeys(gone, "")}
        payload["version"] = live.version or 0  # Grafana refuses it (409) if someone wrote since it was read
        try:
            ctx.client.request("PUT", _path(live.ref.uid), json=payload)
        except Conflict as exc:
            taken = "same name" in str(exc)
            raise GrafanaError(
                f"datasource {resource.label}: " + ("another datasource took its name" if taken else
                                                    "changed in Grafana while dashkit was syncing (409)")
                + "; not overwritten", hint="run `dashkit diff` again: it shows the change",
                status=exc.status, method=exc.method, path=exc.path) from None

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        ctx.client.request("DELETE", _path(live.ref.uid), allow=(404,))

    def _payload(self, resource: Resource, ctx: SyncContext) -> dict[str, Any]:
        """The body to send: secrets revealed (for this request only), dashkit's marker and checksum in jsonData."""
        spec = resource.spec
        restored = isinstance(spec, DatasourceSpec) and spec.restored
        checksum = RESTORED if restored else fingerprint(_checked(self.comparable(resource.body, "")))
        body = secrets.reveal(resource.body, f"datasource '{resource.title}'")
        return {**body, "jsonData": {**(body.get("jsonData") or {}), OWNER_KEY: ctx.owner, CHECKSUM_KEY: checksum}}

    # ---- backups -----------------------------------------------------------------------------------------------
    def backup_document(self, live: LiveResource) -> Any:
        return {k: v for k, v in live.body.items() if k != "secureJsonData"}  # Grafana never returns secrets anyway

    def from_backup(self, document: Any, uid: str, source: str) -> Resource:
        """The datasource as the backup holds it, without secrets: an update keeps the secrets Grafana stores, a
        deleted datasource comes back without them (the next sync from code sends them)."""
        doc = document if isinstance(document, dict) else {}
        body = {k: doc[k] for k in ("name", "type", "access", "url", *OPTIONAL) if k in doc}
        data = doc.get("jsonData") if isinstance(doc.get("jsonData"), dict) else {}
        body.update(uid=uid, jsonData={k: v for k, v in data.items() if k not in (OWNER_KEY, CHECKSUM_KEY)})
        name = str(body.get("name") or uid)
        return Resource(kind=self.name, uid=uid, title=name, body=body, source=source, path=name,
                        spec=DatasourceSpec("", restored=True))


def _owner(ds: dict[str, Any], ctx: SyncContext) -> str | None:
    """The owner marker a datasource carries (in jsonData), else the owner its uid names if dashkit derived it."""
    marker = (ds.get("jsonData") or {}).get(OWNER_KEY) if isinstance(ds.get("jsonData"), dict) else None
    return marker if isinstance(marker, str) and marker else ctx.owner_of_uid(ds.get("uid"))


def _checked(comparable: dict[str, Any]) -> dict[str, Any]:
    """What the checksum covers: all but isDefault, which Grafana itself changes (the org's first datasource is made
    the default; making another one the default clears it)."""
    return {k: v for k, v in comparable.items() if k != "isDefault"}


def _as_desired(comparable: dict[str, Any] | None, desired: Resource) -> dict[str, Any] | None:
    """The live comparable as the definition sees it: whether it is the default matters only when the code asks."""
    if comparable is None or desired.body.get("isDefault"):
        return comparable
    return {k: v for k, v in comparable.items() if k != "isDefault"}


def _secret_names(resource: Resource) -> list[str]:
    return sorted(filter(None, (secrets.placeholder_name(v)
                                for v in (resource.body.get("secureJsonData") or {}).values())))


def _name_taken(resource: Resource, holder: dict[str, Any], ctx: SyncContext) -> LiveResource:
    """The live side of a definition whose name another datasource holds: blocked whatever the flags."""
    owner = _owner(holder, ctx)
    uid = str(holder.get("uid"))
    if ctx.mine(owner):
        whose = "this project's, no longer defined: `sync --prune` deletes it, then this one can be created"
    elif owner is not None:
        whose = f"owned by {owner_phrase(owner)}"
    else:
        whose = f"not dashkit's: give the definition uid='{uid}' to manage that one"
    reason = (f"the name '{resource.title}' is taken by datasource uid '{uid}' ({whose}); Grafana allows one "
              "datasource of a name, so dashkit leaves both alone")
    return LiveResource(ref=resource.ref, title=resource.title, body=holder, comparable={"uid": uid},
                        path=resource.title, deletable=False, headline=f"name taken by datasource uid '{uid}'",
                        locked=reason)


def _refuse_duplicates(resources: list[Resource], error: type) -> None:
    """Two definitions of one logical name, uid or datasource name (in datasources/ modules or dashkit.yaml)."""
    seen: dict[tuple[str, str], Resource] = {}
    for resource in resources:
        spec = resource.spec
        keys = [("uid", resource.uid), ("name", resource.title)]
        if isinstance(spec, DatasourceSpec) and spec.logical:
            keys.append(("logical name", spec.logical))
        for what, value in keys:
            other = seen.setdefault((what, value), resource)
            if other is not resource:
                message = f"datasource {what} '{value}' is also defined in {other.source}"
                hint = "a datasource is defined once: in a datasources/ module (every environment) or in dashkit.yaml"
                if error is DefinitionError:
                    raise DefinitionError(resource.source, message, hint=hint)
                raise ConfigError(f"{resource.source}: {message}", hint=hint)
