"""The notification policy tree. Grafana has one per org, and several projects (and people in the UI) route alerts
through it, so by default (`policy_tree: shared`) a project manages only its own part of it:

- its routes ("routes"): each top-level route it defines carries the matcher `__dashkit_owner__ =~ "<owner>|"`,
  which every alert satisfies (alerts have no such label) and which names the owner; other routes are left as they
  are, and new routes go after them;
- the root's default receiver and timings ("root"), only when the project declares them
  (`notification_policy("receiver", ...)`) and no other project has claimed the root (an owner record,
  kinds/owner_records.py).

Every write re-reads the tree and changes only that part. A shared tree keeps the provenance it has: dashkit never
locks a tree that people edit in the UI. `policy_tree: owned` makes the project own the whole tree: other routes
are removed. The tree itself is never deleted (that would reset routing for everyone). `dashkit build` also
renders the project's routing as an Alertmanager configuration."""

from __future__ import annotations

import json
import re
from typing import Any

from ..builders.notifications import DEFAULT_RECEIVER, Route
from ..diff import KeyedList
from ..durations import canonical_duration
from ..errors import DefinitionError
from ..loader import Definition
from ..model import Resource, ResourceRef
from . import owner_records
from .alerting_api import ROOT_KEYS, alerting_api, provisioned, ui_put
from .alerting_files import alertmanager_config
from .base import BuildContext, KindExample, LiveResource, ResourceKind, SyncContext, export, register

ROUTES = "routes"
ROOT = "root"
MARKER_LABEL = "__dashkit_owner__"


def owner_matcher(owner: str) -> list[str]:
    """The matcher that marks a route as `owner`'s; it matches every alert."""
    return [MARKER_LABEL, "=~", re.sub(r"([.\\|()\[\]{}*+?^$])", r"\\\1", owner) + "|"]


def route_owner(route: dict[str, Any]) -> str | None:
    for matcher in route.get("object_matchers") or []:
        if isinstance(matcher, list) and len(matcher) == 3 and matcher[0] == MARKER_LABEL and matcher[1] == "=~":
            return re.sub(r"\\(.)", r"\1", str(matcher[2])).removesuffix("|") or None
    return None


def unmarked(route: dict[str, Any]) -> dict[str, Any]:
    out = dict(route)
    matchers = [m for m in route.get("object_matchers") or [] if not (isinstance(m, list) and m[:1] == [MARKER_LABEL])]
    out.pop("object_matchers", None)
    if matchers:
        out["object_matchers"] = matchers
    return out


def marked(route: dict[str, Any], owner: str) -> dict[str, Any]:
    out = unmarked(route)
    out["object_matchers"] = [*(out.get("object_matchers") or []), owner_matcher(owner)]
    return out


def _edit_route(client, api) -> int:
    tree = provisioned(client, "/policies")
    tree["routes"][0]["group_by"] = ["edited_in_the_ui"]
    return ui_put(client, "/policies", tree)


EXAMPLE = KindExample(
    files={"alerts/routes.py": 'from dashkit.builders import email, notification_policy, route\n'
                               'contact_points = [email("team-mail", ["team@example.com"])]\n'
                               'notification_policy = notification_policy(routes=[\n'
                               '    route("team-mail", matchers={"team": "a"})])\n'},
    change=('{"team": "a"}', '{"team": "b"}'),
    ui_edit=_edit_route, after_ui_edit="restored",  # a tree people edit in the UI has no place for a fingerprint
    present=lambda client, api: any(r.get("receiver") == "team-mail"
                                    for r in provisioned(client, "/policies").get("routes") or []),
)


@register
class NotificationPolicyKind(ResourceKind):
    name = "notification_policy"
    example = EXAMPLE
    depends_on = ("contact_point", "mute_timing")
    area = "alerts"
    exports = ("notification_policy",)
    order = 50

    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        tree = export(definition, "notification_policy") if definition.area == self.area else None
        if tree is None:
            return []
        if not isinstance(tree, Route) or not (tree.receiver or tree.routes):
            raise DefinitionError(definition.relpath, "notification_policy must be notification_policy(...) "
                                                      "with routes, a default receiver, or both")
        body = tree.to_grafana()
        out = []
        if tree.routes:
            out.append(Resource(kind=self.name, uid=ROUTES, title="notification routes",
                                body={"routes": body["routes"]}, source=definition.relpath,
                                path=f"routes of {ctx.owner}", spec=tree))
        if tree.receiver:
            out.append(Resource(kind=self.name, uid=ROOT, title="notification policy root",
                                body={k: body[k] for k in ROOT_KEYS if k in body}, source=definition.relpath,
                                path="root (default receiver and timings)", spec=tree))
        return out

    def dependencies(self, resource: Resource, resources: dict[ResourceRef, Resource],
                     ctx: BuildContext) -> tuple[ResourceRef, ...]:
        """The contact points and mute timings the tree names (each must be defined); the root after the routes."""
        tree: Route = resource.spec
        points = {r.title: r.ref for r in resources.values() if r.kind == "contact_point"}
        timings = {r.title: r.ref for r in resources.values() if r.kind == "mute_timing"}
        for receiver in sorted(tree.receivers()):
            if receiver not in points and receiver != DEFAULT_RECEIVER:
                raise DefinitionError(resource.source, f"the notification policy routes to contact point "
                                                       f"'{receiver}', which no module defines",
                                      hint="define it in contact_points, or fix the receiver name")
        for timing in sorted(tree.all_mute_timings()):
            if timing not in timings:
                raise DefinitionError(resource.source, f"the notification policy uses mute timing '{timing}', "
                                                       "which no module defines")
        depends = [points[r] for r in sorted(tree.receivers()) if r in points]
        depends += [timings[t] for t in sorted(tree.all_mute_timings())]
        if resource.uid == ROOT and tree.routes:  # both rewrite the one tree: one after the other
            depends.append(ResourceRef(self.name, ROUTES))
        return tuple(depends)

    def build_files(self, resources: list[Resource], everything: list[Resource]) -> dict[str, str]:
        points = [r for r in everything if r.kind == "contact_point"]
        templates = [r for r in everything if r.kind == "template"]
        timings = [r for r in everything if r.kind == "mute_timing"]
        if not (resources or points):
            return {}
        policy = None
        if resources:
            tree: Route = resources[0].spec
            policy = Resource(kind=self.name, uid="tree", title="tree", body=tree.to_grafana())
        files = {"alertmanager/alertmanager.yml": alertmanager_config(policy, points, templates, timings)}
        for template in templates:
            files[f"alertmanager/templates/{template.title}.tmpl"] = template.body["template"].rstrip() + "\n"
        return files

    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        return normalize_route(body)

    def keyed_lists(self) -> dict[str, KeyedList]:
        # A route is what it matches and where it sends: by matchers and receiver, then (one of them changed) by
        # either alone. Routes are tried in order, so their order is a change too.
        return {"routes": KeyedList("route", key=_route_key, fallbacks=(_route_matchers, lambda r: r.get("receiver")),
                                    formats={"object_matchers": matchers_text}, ordered=True)}

    # ---- live side ---------------------------------------------------------------------------------------
    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        tree = alerting_api(ctx).policy_tree()
        if tree is None:
            return {}
        wanted = {r.uid: r for r in desired}
        out = {}
        routes = self._routes(tree, ctx)
        if routes is None and ROUTES in wanted:
            routes = self._same_routes_of_another(tree, wanted[ROUTES], ctx)
        if routes is not None and (ROUTES in wanted or routes.managed):
            out[routes.ref] = routes
        root = self._root(tree, ctx)
        if ROOT in wanted or (root.managed and ctx.policy_tree == "shared"):  # claimed, no longer declared
            out[root.ref] = root
        return out

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        tree = alerting_api(ctx).policy_tree()
        if tree is None:
            return None
        if ref.uid == ROUTES:
            return self._routes(tree, ctx)
        root = self._root(tree, ctx)
        return root if root.managed else None

    def _routes(self, tree: dict[str, Any], ctx: SyncContext) -> LiveResource | None:
        """This project's routes (all routes when it owns the tree), None when it has none there."""
        routes = [r for r in tree.get("routes") or [] if isinstance(r, dict)]
        owners = [route_owner(r) for r in routes]
        shared = ctx.policy_tree == "shared"
        ours = [r for r, o in zip(routes, owners, strict=True) if ctx.mine(o) or not shared]
        owner = next((o for o in owners if ctx.mine(o) and o != ctx.owner), ctx.owner)  # an --adopt-owner one
        if not ours:
            return None
        body = {"routes": [unmarked(r) if ctx.mine(route_owner(r)) else r for r in ours]}
        return LiveResource(ref=ResourceRef(self.name, ROUTES), title="notification routes", body=tree,
                            comparable=normalize_route(body), path=f"routes of {ctx.owner}", owner=owner,
                            managed=True, extra={"provenance": tree.get("provenance", "")})

    def _same_routes_of_another(self, tree: dict[str, Any], resource: Resource,
                                ctx: SyncContext) -> LiveResource | None:
        """Another owner's routes that are exactly the ones this project defines (its `owner:` was renamed, say):
        shown as that owner's, so the project does not add a second copy of each route."""
        by_owner: dict[str, list[dict[str, Any]]] = {}
        for route in tree.get("routes") or []:
            owner = route_owner(route) if isinstance(route, dict) else None
            if owner is not None:
                by_owner.setdefault(owner, []).append(unmarked(route))
        wanted = self.comparable(resource.body, "")
        for owner, routes in sorted(by_owner.items()):
            if normalize_route({"routes": routes}) == wanted:
                return LiveResource(ref=ResourceRef(self.name, ROUTES), title="notification routes", body=tree,
                                    comparable=wanted, path=f"routes of {ctx.owner}", owner=owner)
        return None

    def _root(self, tree: dict[str, Any], ctx: SyncContext) -> LiveResource:
        if ctx.policy_tree == "owned":
            owner: str | None = ctx.owner
        else:
            owner = owner_records.owner_of(ctx, self.name, ROOT)
        body = {k: tree[k] for k in ROOT_KEYS if k in tree}
        live = LiveResource(ref=ResourceRef(self.name, ROOT), title="notification policy root", body=tree,
                            comparable=normalize_route(body), path="root (default receiver and timings)",
                            owner=owner, managed=ctx.mine(owner), extra={"provenance": tree.get("provenance", "")})
        if live.managed and ctx.policy_tree == "shared":
            live.note = "dashkit never resets the root of the tree; prune only gives up the project's claim on it"
        return live

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        self._write(resource, ctx)

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        self._write(resource, ctx)

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        if live.ref.uid == ROUTES:
            self._splice(ctx, lambda tree: _with_routes(tree, [], ctx))
        else:
            owner_records.release(ctx, self.name, ROOT)

    def _write(self, resource: Resource, ctx: SyncContext) -> None:
        if resource.uid == ROUTES:
            mine = [marked(r, ctx.owner) for r in resource.body["routes"]]
            self._splice(ctx, lambda tree: _with_routes(tree, mine, ctx))
        else:
            self._splice(ctx, lambda tree: {**{k: v for k, v in tree.items() if k not in ROOT_KEYS},
                                            **resource.body})
            if ctx.policy_tree == "shared" and owner_records.owner_of(ctx, self.name, ROOT) != ctx.owner:
                owner_records.claim(ctx, self.name, ROOT)

    def _splice(self, ctx: SyncContext, change) -> None:
        """Re-read the tree, change this project's part of it, and write it back with the provenance it has
        (in a shared tree) so a tree people edit in the UI stays editable."""
        api = alerting_api(ctx)
        tree = api.policy_tree() or {}
        provenance = tree.get("provenance", "")
        new = change({k: v for k, v in tree.items() if k != "provenance"})
        api.put_policy_tree(new, provenance if ctx.policy_tree == "shared" else None)


def _with_routes(tree: dict[str, Any], mine: list[dict[str, Any]], ctx: SyncContext) -> dict[str, Any]:
    """The tree with this project's routes replaced by `mine`: where its first route was, else at the end."""
    routes = [r for r in tree.get("routes") or [] if isinstance(r, dict)]
    if ctx.policy_tree == "owned":
        kept, at = [], 0
    else:
        ours = [i for i, r in enumerate(routes) if ctx.mine(route_owner(r))]
        kept = [r for r in routes if not ctx.mine(route_owner(r))]
        at = ours[0] if ours else len(kept)
    new = {k: v for k, v in tree.items() if k != "routes"}
    routes = kept[:at] + mine + kept[at:]
    if routes:
        new["routes"] = routes
    return new


def normalize_route(route: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in route.items():
        if key in ("provenance",) or value in (None, [], "", False):
            continue
        if key in ("group_wait", "group_interval", "repeat_interval"):
            try:
                value = canonical_duration(value)
            except ValueError:
                pass
        elif key == "object_matchers":
            value = [list(m) for m in value]
        elif key == "routes":
            value = [normalize_route(r) for r in value]
        out[key] = value
    return out


def matchers_text(matchers: Any) -> str:
    """Object matchers as a reader writes them: `{team=orders, severity=~"critical|page"}`."""
    parts = []
    for matcher in matchers if isinstance(matchers, list) else []:
        if isinstance(matcher, (list, tuple)) and len(matcher) == 3:
            label, op, value = matcher
            parts.append(f"{label}{op}{value}" if re.fullmatch(r"[\w:.-]*", str(value)) else
                         f"{label}{op}{json.dumps(str(value), ensure_ascii=False)}")
        else:
            parts.append(json.dumps(matcher, ensure_ascii=False))
    return "{" + ", ".join(parts) + "}"


def _route_matchers(route: dict[str, Any]) -> str:
    return matchers_text(route.get("object_matchers") or [])


def _route_key(route: dict[str, Any]) -> str:
    """`{team=orders} -> orders-slack`: how the plan names a route."""
    return f"{_route_matchers(route)} -> {route.get('receiver') or '(inherited)'}"
