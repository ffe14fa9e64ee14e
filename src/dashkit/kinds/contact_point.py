"""Contact points, identified by name as Grafana's UI does (one name may group several integrations).

dashkit's owner marker is a key in the integration's settings (`dashkitOwner`; uids dashkit derived before it
existed still prove ownership). Secrets come from env vars at sync time; Grafana hides them, so when the
environment names a digest key an HMAC of the secrets is stored beside them and a rotated secret shows up as a
change (`sync --rotate-secrets` re-sends them otherwise)."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import naming, secrets
from ..builders.notifications import ContactPoint
from ..diff import Secret
from ..loader import Definition
from ..model import Resource, ResourceRef
from ..wording import plural
from .alerting_api import alerting_api, provisioned, ui_put
from .base import BuildContext, KindExample, LiveResource, ResourceKind, SyncContext, exported, register

DIGEST_KEY = "dashkitSecretDigest"
OWNER_KEY = "dashkitOwner"
ROTATE = "re-sent by --rotate-secrets"


def _edit_contact_point(client, api) -> int:
    point = next(p for p in provisioned(client, "/contact-points") if p["name"] == "team-mail")
    return ui_put(client, f"/contact-points/{point['uid']}", {**point, "settings": {"addresses": "ui@example.com"}})


EXAMPLE = KindExample(
    files={"alerts/points.py": 'from dashkit.builders import email\n'
                               'contact_points = [email("team-mail", ["team@example.com"])]\n'},
    change=("team@example.com", "oncall@example.com"),
    ui_edit=_edit_contact_point, after_ui_edit="locked",  # provisioned with provenance: the UI may not change it
    present=lambda client, api: any(p["name"] == "team-mail" for p in provisioned(client, "/contact-points")),
)


@register
class ContactPointKind(ResourceKind):
    name = "contact_point"
    example = EXAMPLE
    area = "alerts"
    exports = ("contact_points",)
    order = 30

    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        if definition.area != self.area:
            return []
        out = []
        for point in exported(definition, "contact_points", ContactPoint,
                              "slack(...), pagerduty(...), email(...) or webhook(...)"):
            uid = naming.owned_uid(ctx.owner, point.name, "contact_point", point.name)
            out.append(Resource(kind=self.name, uid=uid, title=point.name, body={"uid": uid, **point.to_grafana()},
                                source=definition.relpath, path=point.name))
        return out

    def build_path(self, resource: Resource) -> str:
        return f"alerts/contact-points/{naming.file_safe(resource.title)}.json"  # placeholders only, no secrets

    def prepare(self, resource: Resource, ctx: SyncContext) -> Resource:
        where = f"contact point '{resource.title}'"
        digest = secrets.digest(resource.body["settings"], ctx.secret_digest_key, where)
        if digest is None:
            return resource
        body = {**resource.body, "settings": {**resource.body["settings"], DIGEST_KEY: digest}}
        return dataclasses.replace(resource, body=body)

    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        settings = {k: v for k, v in (body.get("settings") or {}).items() if k != OWNER_KEY}
        named_digest(settings, secret_names(settings))
        return {"name": body.get("name"), "type": body.get("type"), "settings": secrets.redact(settings),
                "disableResolveMessage": bool(body.get("disableResolveMessage"))}

    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        points = alerting_api(ctx).contact_points()
        by_name: dict[str, list[dict]] = {}
        for point in points:
            by_name.setdefault(str(point.get("name", "")), []).append(point)
        out: dict[ResourceRef, LiveResource] = {}
        for resource in desired:
            live = self._match(resource, by_name.get(resource.title, []), ctx)
            if live is not None:
                out[live.ref] = live
        wanted = {r.title for r in desired}
        for point in points:  # this project's integrations under names it no longer defines: prune candidates
            live = self._live(point, ResourceRef(self.name, str(point.get("uid", ""))), ctx)
            if live.managed and live.title not in wanted:
                out[live.ref] = live
        return out

    def _match(self, resource: Resource, integrations: list[dict], ctx: SyncContext) -> LiveResource | None:
        """The live side of a desired contact point: the integration with its name that this project owns, else
        another owner's (foreign), else the one unmarked integration of that name (adopted)."""
        if not integrations:
            return None
        lives = [self._live(p, resource.ref, ctx) for p in integrations]
        mine = [lv for lv in lives if lv.managed]
        foreign = [lv for lv in lives if lv.owner is not None and not lv.managed]
        live = (mine or foreign or lives)[0]
        hidden = [k for k, v in resource.body.get("settings", {}).items() if secrets.placeholder_name(v)]
        if hidden and live.comparable is not None:  # a secret in a field Grafana does not redact (a webhook url)
            settings = {**live.comparable["settings"], **{k: secrets.REDACTED for k in hidden
                                                           if k in live.comparable["settings"]}}
            live.comparable = {**live.comparable, "settings": settings}
        names = secret_names(resource.body.get("settings"))
        if names and live.comparable is not None:  # the digest live holds is of these secrets: the plan names them
            settings = dict(live.comparable["settings"])
            named_digest(settings, names)
            live.comparable = {**live.comparable, "settings": settings}
        if ctx.rotate_secrets and secrets.has_placeholders(resource.body) and live.comparable is not None:
            live.comparable = {**live.comparable, "secrets": Secret(ROTATE, names, rotated=True)}
        others = len(lives) - 1
        if others and not foreign and not mine:
            live.drift = (f"'{resource.title}' has {len(lives)} integrations in Grafana, none created by dashkit; "
                          "dashkit manages a contact point as one integration")
        elif others:
            stays = "exists in Grafana and stays as it is" if others == 1 else "exist in Grafana and stay as they are"
            live.note = f"{plural(others, 'more integration')} named '{resource.title}' {stays}"
        return live

    def _live(self, point: dict[str, Any], ref: ResourceRef, ctx: SyncContext) -> LiveResource:
        settings = point.get("settings") if isinstance(point.get("settings"), dict) else {}
        marker = settings.get(OWNER_KEY)
        owner = marker if isinstance(marker, str) and marker else ctx.owner_of_uid(point.get("uid"))
        return LiveResource(ref=ref, title=str(point.get("name", "")), body=point,
                            comparable=self.comparable(point, ""), path=str(point.get("name", "")),
                            owner=owner, managed=ctx.mine(owner), extra={"uid": point.get("uid")})

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        return self.reread(ref, None, ctx)

    def reread(self, ref: ResourceRef, live: LiveResource | None, ctx: SyncContext) -> LiveResource | None:
        uid = (live.extra.get("uid") if live is not None else None) or ref.uid
        point = next((p for p in alerting_api(ctx).contact_points() if p.get("uid") == uid), None)
        return self._live(point, ref, ctx) if point is not None else None

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        alerting_api(ctx).create_contact_point(self._payload(resource, ctx))

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        uid = live.extra.get("uid") or resource.uid
        alerting_api(ctx).update_contact_point(uid, self._payload(resource, ctx))

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        alerting_api(ctx).delete_contact_point(live.extra.get("uid") or live.ref.uid)

    def _payload(self, resource: Resource, ctx: SyncContext) -> dict[str, Any]:
        body = secrets.reveal(resource.body, f"contact point '{resource.title}'")
        return {**body, "settings": {**body["settings"], OWNER_KEY: ctx.owner}}


def secret_names(settings: Any) -> list[str]:
    """The environment variables the secret placeholders in `settings` name, in order."""
    names: list[str] = []

    def walk(node: Any) -> None:
        name = secrets.placeholder_name(node)
        if name is not None:
            names.append(name)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(settings)
    return names


def named_digest(settings: dict[str, Any], names: list[str]) -> None:
    """Mark the secret digest in `settings` (in place) as the digest of the secrets in `names`: it compares as it
    is, and a plan says "secret SLACK_WEBHOOK_URL changed" rather than showing two digests."""
    digest = settings.get(DIGEST_KEY)
    if names and isinstance(digest, str):
        settings[DIGEST_KEY] = Secret(digest, names)
