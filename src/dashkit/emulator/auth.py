"""Who is calling (bearer token or basic auth), which org they act in, and what their role may do."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashkit.emulator.replies import access_denied, errutil_error, message_error

READ_ACTIONS = {"dashboards:read", "folders:read", "datasources:read", "datasources:query"}
WRITE_ACTIONS = {
    "dashboards:create",
    "dashboards:write",
    "dashboards:delete",
    "folders:create",
    "folders:write",
    "folders:delete",
}
# Basic roles -> actions. Admin may do anything. Later API areas add their actions with `grant`.
ROLE_ACTIONS: dict[str, set[str]] = {
    "None": set(),
    "Viewer": set(READ_ACTIONS),
    "Editor": READ_ACTIONS | WRITE_ACTIONS,
}
ROLES = ("None", "Viewer", "Editor", "Admin")


def grant(role: str, *actions: str) -> None:
    """Let `role` (and every stronger role) perform `actions`."""
    for stronger in ROLES[ROLES.index(role) :]:
        if stronger != "Admin":
            ROLE_ACTIONS[stronger].update(actions)


@dataclass(frozen=True)
class Identity:
    """A signed-in service account or user."""

    kind: str  # "service-account" or "user"
    id: int
    uid: str
    login: str
    name: str
    email: str
    role: str
    default_org: int
    orgs: frozenset[int]
    is_grafana_admin: bool = False

    def may(self, needs: tuple[str, ...]) -> bool:
        if not needs or self.role == "Admin":
            return True
        allowed = ROLE_ACTIONS.get(self.role, set())
        return any(action in allowed for action in needs)


def _role(value: Any) -> str:
    text = str(value or "Viewer").strip().capitalize()
    if text not in ROLES:
        raise ValueError(f"unknown role {value!r}; expected one of {', '.join(ROLES)}")
    return text


class Credentials:
    """The tokens and basic-auth users the emulator accepts."""

    def __init__(self, tokens: Mapping[str, Mapping[str, Any]], users: Mapping[str, Mapping[str, Any]]) -> None:
        self.tokens: dict[str, Identity] = {}
        self.passwords: dict[str, str] = {}
        self.users: dict[str, Identity] = {}
        for index, (token, spec) in enumerate(tokens.items(), start=1):
            org_id = int(spec.get("org_id", spec.get("orgId", 1)))
            name = str(spec.get("name", "dashkit"))
            login = str(spec.get("login", f"sa-{org_id}-{name}"))
            self.tokens[token] = Identity(
                "service-account",
                1000 + index,
                f"sa{index:04d}",
                login,
                name,
                login,
                _role(spec.get("role", "Admin")),
                org_id,
                frozenset({org_id}),
            )
        for index, (login, spec) in enumerate(users.items(), start=1):
            orgs = [int(o) for o in spec.get("orgs", [1])] or [1]
            role = _role(spec.get("role", "Viewer"))
            self.passwords[login] = str(spec.get("password", ""))
            self.users[login] = Identity(
                "user",
                index,
                f"u{index:04d}",
                login,
                str(spec.get("name", login)),
                str(spec.get("email", f"{login}@localhost")),
                role,
                orgs[0],
                frozenset(orgs),
                bool(spec.get("is_grafana_admin", role == "Admin")),
            )

    def by_id(self, user_id: int) -> Identity | None:
        """The user or service account (a user row in Grafana) with this id."""
        return next((ident for ident in self.identities() if ident.id == user_id), None)

    def by_uid(self, uid: str) -> Identity | None:
        return next((ident for ident in self.identities() if ident.uid == uid), None)

    def identities(self) -> list[Identity]:
        return [*self.users.values(), *self.tokens.values()]

    def org_ids(self) -> set[int]:
        return {org for ident in [*self.tokens.values(), *self.users.values()] for org in ident.orgs}

    def authenticate(self, headers: Mapping[str, str]) -> Identity:
        """The caller's identity, or a 401 errutil error exactly as Grafana's authn service answers."""
        header = headers.get("Authorization") or ""
        scheme, _, value = header.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and value:
            return self._token(value)
        if scheme.lower() == "basic" and value:
            try:
                login, _, password = base64.b64decode(value, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise _unauthorized() from None
            if login == "api_key":
                return self._token(password)
            identity = self.users.get(login)
            if identity is None or self.passwords.get(login) != password:
                raise errutil_error(401, "password-auth.failed", "Invalid username or password")
            return identity
        raise _unauthorized()

    def _token(self, token: str) -> Identity:
        identity = self.tokens.get(token)
        if identity is None:
            raise errutil_error(401, "api-key.invalid", "Invalid API key")
        return identity


def _unauthorized() -> Exception:
    return errutil_error(401, "auth.unauthorized", "Unauthorized")


def select_org(identity: Identity, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> int:
    """`targetOrgId` query beats `X-Grafana-Org-Id` beats the identity's default org."""
    org_id = identity.default_org
    for candidate in ((query.get("targetOrgId") or [""])[0], headers.get("X-Grafana-Org-Id") or ""):
        try:
            requested = int(candidate)
        except ValueError:
            continue
        if requested > 0:
            org_id = requested
            break
    if org_id not in identity.orgs:
        if identity.kind == "service-account":
            raise errutil_error(
                401, "api-key.organization-mismatch", "API key does not belong to the requested organization"
            )
        raise _unauthorized()
    return org_id


def authorize(identity: Identity, needs: tuple[str, ...]) -> None:
    """403 with the RBAC body unless the identity's role grants one of `needs`."""
    if not identity.may(needs):
        raise access_denied(needs)


def authorize_control(identity: Identity) -> None:
    """Off loopback, `/__emulator/*` (which can reset all state) answers only an Admin service-account token."""
    if identity.kind != "service-account" or identity.role != "Admin":
        raise message_error(403, "emulator control endpoints need an Admin token")
