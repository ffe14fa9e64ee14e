"""Team endpoints (grafana-api.md §15.4): create, search, get, update, delete. `:teamId` is an id, or a uid that is
resolved to its id first."""

from __future__ import annotations

from typing import Any

from dashkit.emulator import permission_model, team_model
from dashkit.emulator.binding import text
from dashkit.emulator.naming import avatar_url_with_default, generate_uid, now_rfc3339
from dashkit.emulator.replies import Reply, message_error, ok
from dashkit.emulator.routing import Request, RouteTable
from dashkit.emulator.team_model import TEAM_ADMIN

routes = RouteTable()

# OSS: Admin only (Editors too with `editors_can_admin`, which the emulator does not model); members of a team may
# read it in Grafana, the emulator authorises by basic role only.
CREATE, READ, WRITE, DELETE = (f"teams:{verb}" for verb in ("create", "read", "write", "delete"))
DEFAULT_PER_PAGE = 1000


def team_dto(req: Request, team: dict[str, Any]) -> dict[str, Any]:
    """TeamDTO; `permission` is the caller's in the team (4 for a team Admin, else 0). 12 and 13 add `externalUID`
    and `isProvisioned` ([unverified] whether 11.6 has them: the emulator leaves them out there)."""
    dto: dict[str, Any] = {
        "id": team["id"],
        "uid": team["uid"],
        "orgId": team["orgId"],
        "name": team["name"],
        "email": team["email"],
    }
    if req.runtime.profile.at_least(12):
        dto.update(externalUID="", isProvisioned=False)
    caller = req.identity.id if req.identity else 0
    dto.update(
        avatarUrl=avatar_url_with_default(team["email"], team["name"]),
        memberCount=len(team["members"]),
        permission=team_model.member_permission(team, caller),
        accessControl=None,
    )
    return dto


def _team_id(req: Request) -> int:
    """The `:teamId` of the path; a uid is resolved to its team's id, an unknown one is 404 `Not found`."""
    raw = req.params["teamId"]
    if raw.isdigit():
        return int(raw)
    team = team_model.team_by_uid(req.org, raw)
    if team is None:
        raise message_error(404, "Not found")
    return int(team["id"])


@routes.route("POST", "/api/teams", needs=CREATE)
def create_team(req: Request) -> Reply:
    """200 `Team created` with the new id and generated uid; `name` Required (400); a taken name 409. A user (not a
    service account) who creates a team becomes its Admin member."""
    org = req.org
    body = req.json_object()
    name, email = text(body, "name", required=True), text(body, "email")
    if team_model.team_by_name(org, name) is not None:
        raise message_error(409, "Team name taken", trace=True)
    identity = req.identity
    members = [{"userId": identity.id, "permission": TEAM_ADMIN}] if identity and identity.kind == "user" else []
    now = now_rfc3339()
    team = {
        "id": req.runtime.store.next_counter("team"),
        "uid": generate_uid(lambda uid: team_model.team_by_uid(org, uid) is not None),
        "orgId": org.id,
        "name": name,
        "email": email,
        "created": now,
        "updated": now,
        "members": members,
    }
    team_model.add_team(org, team)
    return ok({"message": "Team created", "teamId": team["id"], "uid": team["uid"]})


@routes.route("GET", "/api/teams/search", needs=READ)
def search_teams(req: Request) -> Reply:
    """`name` matches exactly, `query` as a case-insensitive substring of the name; ordered by name; `perpage`
    (1000) teams a `page`; `totalCount` ignores paging."""
    name, query = req.arg("name"), req.arg("query").lower()
    found = [
        team
        for team in team_model.teams(req.org)
        if (not name or team["name"] == name) and (not query or query in team["name"].lower())
    ]
    found.sort(key=lambda team: (team["name"], team["id"]))
    per_page = req.int_arg("perpage", DEFAULT_PER_PAGE)
    per_page = per_page if per_page > 0 else DEFAULT_PER_PAGE
    page = max(req.int_arg("page", 1), 1)
    shown = found[(page - 1) * per_page : page * per_page]
    return ok(
        {"totalCount": len(found), "teams": [team_dto(req, team) for team in shown], "page": page, "perPage": per_page}
    )


@routes.route("GET", "/api/teams/{teamId}", needs=READ)
def get_team(req: Request) -> Reply:
    team = team_model.team_by_id(req.org, _team_id(req))
    if team is None:
        raise message_error(404, "Team not found", trace=True)
    return ok(team_dto(req, team))


@routes.route("PUT", "/api/teams/{teamId}", needs=WRITE)
def update_team(req: Request) -> Reply:
    """200 `Team updated`: an empty `name` keeps the name, `email` is always written. A name another team has is
    400 (checked first, as the store does); a missing team 500 `Failed to update Team`."""
    team_id = _team_id(req)
    body = req.json_object()
    name, email = text(body, "name"), text(body, "email")
    org = req.org
    clash = team_model.team_by_name(org, name) if name else None
    if clash is not None and clash["id"] != team_id:
        raise message_error(400, "Team name taken", trace=True)
    team = team_model.team_by_id(org, team_id)
    if team is None:
        raise message_error(500, "Failed to update Team", trace=True)
    team.update(name=name or team["name"], email=email, updated=now_rfc3339())
    return ok({"message": "Team updated"})


@routes.route("DELETE", "/api/teams/{teamId}", needs=DELETE)
def delete_team(req: Request) -> Reply:
    """200 `Team deleted`; the team's permission entries go too; missing 404."""
    team_id = _team_id(req)
    org = req.org
    if team_model.team_by_id(org, team_id) is None:
        raise message_error(404, "Failed to delete Team. ID not found")
    team_model.remove_team(org, team_id)
    permission_model.forget_team(org, team_id)
    return ok({"message": "Team deleted"})
