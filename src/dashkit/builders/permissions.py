"""Teams and folder permissions: `team("checkout", email=...)` defines a team (exported as `teams = [...]`) or names
one in a grant; `permissions(view=..., edit=..., admin=...)` declares who may do what in a folder (exported as
`folder_permissions` by a module in the folder's directory). See docs/permissions.md."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import BuilderError

ROLES = ("Viewer", "Editor")  # the basic roles a folder can grant to; Admin always has everything
LEVELS = ("View", "Edit", "Admin")  # Grafana's folder permission levels 1, 2 and 4, weakest first
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True)
class Team:
    """A Grafana team, by name (Grafana generates its id and uid). Membership is not managed by dashkit."""

    name: str
    email: str = ""

    def to_grafana(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email}


def team(name: str, *, email: str = "") -> Team:
    """A team: defined by the project when exported in `teams`, or named in `permissions(...)` (it may then also be
    a team that exists only in Grafana)."""
    if not isinstance(name, str) or not name.strip():
        raise BuilderError(f"a team needs a non-empty name, got {name!r}")
    if name != name.strip():
        raise BuilderError(f"team name {name!r} starts or ends with spaces; Grafana would keep them")
    if len(name) > 190:
        raise BuilderError(f"team name {name[:40]!r}... is longer than Grafana's 190 characters")
    if not isinstance(email, str) or (email and not _EMAIL_RE.match(email)):
        raise BuilderError(f"team '{name}': email must be an address like 'team@example.com', got {email!r}")
    return Team(name, email)


@dataclass(frozen=True, order=True)
class Grant:
    """One entry of a folder's permissions: a basic role or a team, and its level."""

    principal: str  # "role" or "team"
    name: str  # "Viewer", "Editor", or the team's name
    level: str  # "View", "Edit" or "Admin"

    @property
    def key(self) -> str:
        """How the plan names the principal: `role Viewer`, `team checkout`."""
        return f"{self.principal} {self.name}"

    def to_grafana(self) -> dict[str, str]:
        return {self.principal: self.name, "permission": self.level}


@dataclass(frozen=True)
class FolderPermissions:
    """The permissions of one folder, as a set of grants (the order they were written in does not matter)."""

    grants: tuple[Grant, ...]

    def teams(self) -> list[str]:
        return sorted({g.name for g in self.grants if g.principal == "team"})

    def to_grafana(self) -> dict[str, Any]:
        return {"items": [g.to_grafana() for g in self.grants]}


Principal = str | Team


def permissions(*, view: Iterable[Principal] | Principal = (), edit: Iterable[Principal] | Principal = (),
                admin: Iterable[Principal] | Principal = ()) -> FolderPermissions:
    """Who may view, edit and administer a folder: roles by name ("Viewer", "Editor") and teams with `team(name)`.

    `permissions(view=["Viewer"], edit=["Editor", team("checkout")], admin=[team("platform")])`. What is not listed
    gets nothing on this folder (a nested folder still inherits its parents' permissions); `permissions()` leaves
    only what is inherited."""
    grants: dict[tuple[str, str], Grant] = {}
    for level, given in zip(LEVELS, (view, edit, admin), strict=True):
        for item in _items(given, level):
            grant = _grant(item, level)
            earlier = grants.get((grant.principal, grant.name))
            if earlier is not None and earlier.level != level:
                raise BuilderError(f"{grant.key} is given both {earlier.level.lower()} and {level.lower()}; "
                                   "list it once, at the level it should have")
            grants[(grant.principal, grant.name)] = grant
    return FolderPermissions(tuple(sorted(grants.values())))


def _items(given: Iterable[Principal] | Principal, level: str) -> list[Principal]:
    if isinstance(given, (str, Team)):
        return [given]
    try:
        return list(given)
    except TypeError:
        raise BuilderError(f"{level.lower()}= takes a list of roles and teams, got {given!r}") from None


def _grant(item: Principal, level: str) -> Grant:
    if isinstance(item, Team):
        return Grant("team", item.name, level)
    if item == "Admin":
        raise BuilderError("the Admin role always has every permission on every folder: it cannot be granted here")
    if item in ROLES:
        return Grant("role", item, level)
    if isinstance(item, str) and item.capitalize() in ROLES:
        raise BuilderError(f"role {item!r} is spelled {item.capitalize()!r}")
    if isinstance(item, str):
        raise BuilderError(f"{item!r} is not a role ({' or '.join(ROLES)}); name a team with team({item!r})")
    raise BuilderError(f"{level.lower()}= takes roles ({', '.join(ROLES)}) and team(...) results, not {item!r}")
