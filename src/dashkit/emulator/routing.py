"""Routes: each API-area module declares a `routes = RouteTable()`; the router finds them all by itself."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dashkit.emulator.naming import identity_ref
from dashkit.emulator.replies import Reply, bad_request_data

if TYPE_CHECKING:
    from dashkit.emulator.auth import Identity
    from dashkit.emulator.profile import GrafanaProfile
    from dashkit.emulator.runtime import Runtime
    from dashkit.emulator.store import OrgState

Handler = Callable[["Request"], Reply]
ProfileCheck = Callable[["GrafanaProfile"], bool]
_PARAM = re.compile(r"\{(\w+)\}")


@dataclass
class Request:
    """What a handler sees: the parsed request, its identity and org, and the emulator runtime."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    runtime: Runtime
    params: dict[str, str] = field(default_factory=dict)
    identity: Identity | None = None
    org_id: int = 1

    @property
    def org(self) -> OrgState:
        org = self.runtime.store.org(self.org_id)
        assert org is not None, "org selection guarantees the org exists"
        return org

    @property
    def role(self) -> str:
        return self.identity.role if self.identity else "Viewer"

    def may(self, *actions: str) -> bool:
        return self.identity.may(actions) if self.identity else False

    @property
    def login(self) -> str:
        return self.identity.login if self.identity else "Anonymous"

    @property
    def actor_ref(self) -> str:
        """The caller as the `grafana.app/createdBy`/`updatedBy` annotations name it (`service-account:<uid>`,
        `user:<uid>`; grafana-api.md §14.2)."""
        return identity_ref(self.identity.kind, self.identity.uid) if self.identity else identity_ref("anonymous", "")

    def json(self) -> Any:
        """The body as JSON, or 400 `bad request data` as Grafana's `web.Bind` answers."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise bad_request_data() from None

    def json_object(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise bad_request_data()
        return body

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """Every value of a repeatable parameter; comma-separated values are split too."""
        return [part for value in self.query.get(name, ()) for part in value.split(",") if part]

    def int_arg(self, name: str, default: int) -> int:
        try:
            return int(self.arg(name))
        except ValueError:
            return default


@dataclass(frozen=True)
class Deprecation:
    """A legacy endpoint that some Grafana versions (`applies`) mark deprecated: the server adds the headers of
    grafana-api.md §14.9 to its answers. `replacement` is the app-platform path, `{namespace}` filled in with the
    caller's namespace."""

    replacement: str
    date: str
    applies: ProfileCheck

    def headers(self, namespace: str) -> dict[str, str]:
        """`Warning` (code 299), `X-API-Deprecation-Date` and `X-API-Replacement`. The warning's wording is
        [unverified]: the doc gives only the header names and the contact points' date."""
        replacement = self.replacement.format(namespace=namespace)
        return {
            "Warning": f'299 - "This API is deprecated and will be removed in a future release; use {replacement}"',
            "X-API-Deprecation-Date": self.date,
            "X-API-Replacement": replacement,
        }


@dataclass(frozen=True)
class Route:
    """One endpoint: method + pattern (`/api/dashboards/uid/{uid}`), the RBAC actions it needs (any of),
    `exists_in`, a check of the version profile for an endpoint that only some Grafana versions serve, and
    `deprecation`, the headers versions that deprecate the endpoint answer with."""

    method: str
    pattern: str
    handler: Handler
    needs: tuple[str, ...] = ()
    auth: bool = True
    regex: re.Pattern[str] = field(default=re.compile(""), compare=False)
    exists_in: ProfileCheck | None = field(default=None, compare=False)
    deprecation: Deprecation | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.pattern}"


class RouteTable:
    """The routes of one API area, filled with the `@routes.route(...)` decorator."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(
        self,
        method: str,
        pattern: str,
        *,
        needs: tuple[str, ...] | str = (),
        auth: bool = True,
        exists_in: ProfileCheck | None = None,
        deprecation: Deprecation | None = None,
    ) -> Callable[[Handler], Handler]:
        needed = (needs,) if isinstance(needs, str) else tuple(needs)
        regex = re.compile(
            "^" + _PARAM.sub(r"(?P<\1>[^/]+)", re.escape(pattern).replace(r"\{", "{").replace(r"\}", "}")) + "/?$"
        )

        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method.upper(), pattern, handler, needed, auth, regex, exists_in, deprecation))
            return handler

        return register


class Router:
    """Matches method + path against every route; literal-looking routes win over parameterised ones.

    Given a `profile`, routes that Grafana version does not serve are left out, so they answer as unknown
    routes do (404 `{"message": "Not found"}`)."""

    def __init__(self, tables: list[RouteTable], profile: GrafanaProfile | None = None) -> None:
        self._by_method: dict[str, list[Route]] = {}
        for table in tables:
            for route in table.routes:
                if profile is not None and route.exists_in is not None and not route.exists_in(profile):
                    continue
                self._by_method.setdefault(route.method, []).append(route)
        for routes in self._by_method.values():
            routes.sort(key=lambda r: (len(_PARAM.findall(r.pattern)), -len(r.pattern)))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        lookup = "GET" if method == "HEAD" else method
        for route in self._by_method.get(lookup, ()):
            found = route.regex.match(path)
            if found:
                return route, found.groupdict()
        return None


def discover_route_tables() -> list[RouteTable]:
    """Import every module of this package and of its sub-packages (e.g. `alerting`) and collect their module-level
    `routes` tables."""
    package = importlib.import_module("dashkit.emulator")
    tables = []
    found = pkgutil.walk_packages(package.__path__, prefix="dashkit.emulator.")
    for info in sorted(found, key=lambda m: m.name):
        module = importlib.import_module(info.name)
        table = getattr(module, "routes", None)
        if isinstance(table, RouteTable):
            tables.append(table)
    return tables
