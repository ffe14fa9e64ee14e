"""Teams, by name: `teams = [team("checkout", email="checkout@example.com")]` in any dashboards/ or alerts/ module.
Grafana generates a team's id and uid; dashkit writes its name and email, never its members.

Ownership: a team has no field to carry a marker (its name is its identity, its email a real address), so its owner
is an owner record (kinds/owner_records.py), `dashkit.owner.team.<name>`, written after dashkit creates the team and
deleted when prune deletes it. A team that exists without a record (made in the UI) and that the code defines is
adopted; another project's is left alone; prune deletes only teams this project's records claim.

A team's email changed in the UI is put back by the next sync ("restored"), as routes are: no field of the team can
hold a fingerprint of what dashkit wrote, and keeping one in the record would make every change two writes and a
record that can go stale. The code is the team's definition; `diff` shows the change before sync puts it back."""

from __future__ import annotations

from typing import Any

from ..builders.permissions import Team
from ..client import GrafanaClient, quote_segment
from ..errors import Conflict, DefinitionError, GrafanaError
from ..loader import Definition
from ..model import Resource, ResourceRef
from ..naming import file_safe
from . import owner_records
from .base import ANY_STATUS, BuildContext, KindExample, LiveResource, ResourceKind, SyncContext, exported, register

AREAS = ("dashboards", "alerts")
PER_PAGE = 1000  # Grafana's default page size for team search


def search_teams(client: GrafanaClient, name: str | None = None) -> list[dict[str, Any]]:
    """Every team (or the one called exactly `name`), page by page."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        params: list[tuple[str, Any]] = [("perpage", PER_PAGE), ("page", page)]
        if name is not None:
            params.append(("name", name))
        data = client.get("/api/teams/search", params=params).data
        data = data if isinstance(data, dict) else {}
        batch = [t for t in data.get("teams") or [] if isinstance(t, dict)]
        found.extend(batch)
        if not batch or len(batch) < PER_PAGE or len(found) >= int(data.get("totalCount") or 0):
            return found
        page += 1


def teams_by_name(ctx: SyncContext) -> dict[str, dict[str, Any]]:
    """Every team in Grafana by name, read once per run (the folder permission kind reads the same list)."""
    if "team_list" not in ctx.cache:
        ctx.cache["team_list"] = {str(t.get("name")): t for t in search_teams(ctx.client)}
    return ctx.cache["team_list"]


def team_id(ctx: SyncContext, name: str) -> int | None:
    """The id of the team called `name` now (asked fresh: it may have been created in this run)."""
    found = [t for t in search_teams(ctx.client, name) if t.get("name") == name]
    return int(found[0]["id"]) if found else None


def _find(client: GrafanaClient, name: str) -> dict[str, Any]:
    return next(t for t in search_teams(client, name) if t.get("name") == name)


def _ui_edit(client: GrafanaClient, api: Any) -> int:
    found = _find(client, "squad")
    return client.request("PUT", f"/api/teams/{found['id']}", allow=ANY_STATUS,
                          json={"name": "squad", "email": "changed-in-the-ui@example.com"}).status


EXAMPLE = KindExample(
    files={"dashboards/people.py": 'from dashkit.builders import team\n'
                                   'teams = [team("squad", email="squad@example.com")]\n'},
    change=("squad@example.com", "squad-leads@example.com"),
    ui_edit=_ui_edit, after_ui_edit="restored",  # no field of a team can hold a fingerprint of what dashkit wrote
    present=lambda client, api: any(t.get("name") == "squad" for t in search_teams(client, "squad")),
)


@register
class TeamKind(ResourceKind):
    name = "team"
    example = EXAMPLE
    area = "dashboards"  # and alerts/: a team belongs to neither
    exports = ("teams",)
    order = 15

    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        if definition.area not in AREAS:
            return []
        return [Resource(kind=self.name, uid=t.name, title=t.name, body=t.to_grafana(), source=definition.relpath,
                         path=t.name, spec=t)
                for t in exported(definition, "teams", Team, "team(...)")]

    def merge(self, first: Resource, second: Resource) -> Resource | None:
        """The same team in two modules is one team, if they agree on it."""
        if first.body == second.body:
            return first
        raise DefinitionError(second.source, f"defines team '{second.title}' with email "
                                             f"'{second.body['email']}', but {first.source} defines it with "
                                             f"'{first.body['email']}'",
                              hint="define each team once (another module can name it with team(name))")

    def build_path(self, resource: Resource) -> str:
        return f"teams/{file_safe(resource.title)}.json"

    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        return {"name": str(body.get("name", "")), "email": str(body.get("email") or "")}

    # ---- live side ---------------------------------------------------------------------------------------
    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        wanted = {r.uid for r in desired}
        owners = owner_records.claimed(ctx, self.name)
        out = {}
        for name, found in teams_by_name(ctx).items():
            owner = owners.get(name)
            if name in wanted or ctx.mine(owner):
                live = self._live(found, owner, ctx)
                out[live.ref] = live
        return out

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        found = [t for t in search_teams(ctx.client, ref.uid) if t.get("name") == ref.uid]
        if not found:
            return None
        return self._live(found[0], owner_records.owner_of(ctx, self.name, ref.uid), ctx)

    def _live(self, found: dict[str, Any], owner: str | None, ctx: SyncContext) -> LiveResource:
        name = str(found.get("name", ""))
        live = LiveResource(ref=ResourceRef(self.name, name), title=name, body=found,
                            comparable=self.comparable(found, ""), path=name, owner=owner, managed=ctx.mine(owner))
        if found.get("isProvisioned"):  # Grafana 12+: synced from an identity provider (SCIM), changed there
            live.deletable = False
            live.note = "provisioned into Grafana by its identity provider: change it there"
            live.locked = live.note
        return live

    def from_backup(self, document: Any, uid: str, source: str) -> Resource:
        body = self.comparable({"name": uid, "email": (document or {}).get("email")}, "")
        return Resource(kind=self.name, uid=uid, title=uid, body=body, source=source, path=uid)

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        try:
            ctx.client.request("POST", "/api/teams", json=self.comparable(resource.body, ""))
        except Conflict:  # 409 "Team name taken": someone made it since the plan was read
            live = self.fetch_one(resource.ref, ctx)
            if live is None:
                raise
            if live.owner is not None and not ctx.mine(live.owner):
                raise GrafanaError(f"team '{resource.title}' was created in Grafana by another dashkit project "
                                   f"('{live.owner}') while dashkit was syncing; not changed",
                                   hint="rename this project's team, or leave it to the other project") from None
            return self.update(resource, live, ctx)  # nobody's: adopted, as the plan would have it
        owner_records.claim(ctx, self.name, resource.uid)
        return None

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        if live.comparable != self.comparable(resource.body, ""):
            ctx.client.request("PUT", f"/api/teams/{quote_segment(str(live.body['id']))}",
                               json=self.comparable(resource.body, ""))
        if live.owner != ctx.owner:
            owner_records.claim(ctx, self.name, resource.uid)

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        ctx.client.request("DELETE", f"/api/teams/{quote_segment(str(live.body['id']))}", allow=(404,))
        owner_records.release(ctx, self.name, live.ref.uid)
