"""Teams as the store keeps them in `org.extras` (grafana-api.md §15.4): id, uid, name, email and members (user id
with the team permission 0 Member or 4 Admin). The routes are in `teams`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashkit.emulator.store import OrgState

STATE_KEY = "teams"
MEMBER, TEAM_ADMIN = 0, 4


def teams(org: OrgState) -> list[dict[str, Any]]:
    """The org's teams (read-only use: nothing is created)."""
    return list(org.extras.get(STATE_KEY, {}).values())


def add_team(org: OrgState, team: dict[str, Any]) -> None:
    org.extras.setdefault(STATE_KEY, {})[str(team["id"])] = team


def remove_team(org: OrgState, team_id: int) -> None:
    org.extras.get(STATE_KEY, {}).pop(str(team_id), None)


def team_by_id(org: OrgState, team_id: int) -> dict[str, Any] | None:
    return org.extras.get(STATE_KEY, {}).get(str(team_id))


def team_by_uid(org: OrgState, uid: str) -> dict[str, Any] | None:
    return next((team for team in teams(org) if team["uid"] == uid), None)


def team_by_name(org: OrgState, name: str) -> dict[str, Any] | None:
    """The team called exactly `name` (the unique index compares as the database does: case-sensitively)."""
    return next((team for team in teams(org) if team["name"] == name), None)


def member_permission(team: dict[str, Any], user_id: int) -> int:
    """The user's permission in the team: 4 for a team Admin, else 0 (also for non-members)."""
    return next((m["permission"] for m in team["members"] if m["userId"] == user_id), MEMBER)
