"""`--target KIND/ID`: limit a run to some resources (and what they need), like Terraform's -target and grizzly's -t.

A target is `kind/id` where either part may be a glob: the id matches a resource's uid or its path as the plan shows
it (`dashboard/payments-*`, `dashboard/payments/*`, `alert_rule_group/*`, `*/checkout*`). What a resource needs is
what it depends on and the datasources it names that the project defines, in datasources/ modules (`select`) or in
the environment's dashkit.yaml entries (`select_environment`, at diff/sync time)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from .errors import ConfigError
from .model import Resource, ResourceRef


def parse(patterns: Iterable[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for pattern in patterns:
        kind, sep, ident = pattern.partition("/")
        if not sep or not kind or not ident:
            raise ConfigError(f"--target {pattern!r} is not KIND/ID",
                              hint="e.g. --target dashboard/payments-api, --target 'alert_rule_group/*'")
        out.append((kind, ident))
    return tuple(out)


def matches(targets: Sequence[tuple[str, str]], kind: str, uid: str, label: str = "") -> bool:
    return any(fnmatchcase(kind, k) and (fnmatchcase(uid, i) or (label and fnmatchcase(label, i)))
               for k, i in targets)


def select(resources: list[Resource], targets: Sequence[tuple[str, str]]) -> list[Resource]:
    """The targeted resources and, transitively, what they need: the resources they depend on (a dashboard's folders)
    and the datasources the project defines that they name (`@name`). A target of a kind an environment may define in
    dashkit.yaml (datasources) that matches nothing here is left to `select_environment` at diff/sync time."""
    kinds = _kinds()
    todo = [r for r in resources if matches(targets, r.kind, r.uid, r.label)]
    if not todo:
        if any(fnmatchcase(name, k) for k, _ in targets for name, kind in kinds.items() if _environment_defines(kind)):
            return []
        raise _no_match(targets)
    chosen = _needed(resources, todo, kinds)
    return [r for r in resources if r.ref in chosen]  # in the project's order


def select_environment(resources: list[Resource], selected: list[Resource], targets: Sequence[tuple[str, str]],
                       env: str) -> list[Resource]:
    """Of the resources environment `env` defines in dashkit.yaml: the targeted ones, and those the project's
    `selected` resources (or these) need; a ConfigError when the targets match nothing at all."""
    targeted = [r for r in resources if matches(targets, r.kind, r.uid, r.label)]
    if not targeted and not selected:
        raise _no_match(targets, f" or environment '{env}' defines in dashkit.yaml")
    chosen = _needed([*resources, *selected], [*targeted, *selected], _kinds())
    return [r for r in resources if r.ref in chosen]


def _needed(pool: list[Resource], start: list[Resource], kinds: dict) -> dict[ResourceRef, Resource]:
    """`start` and, transitively, what of `pool` they depend on or name as their datasource."""
    by_ref = {r.ref: r for r in pool}
    providers: dict[str, Resource] = {}
    for resource in pool:
        provided = kinds[resource.kind].provided_datasource(resource)
        if provided is not None:
            providers.setdefault(provided[0], resource)
    chosen: dict[ResourceRef, Resource] = {}
    todo = list(start)
    while todo:
        resource = todo.pop()
        if resource.ref in chosen:
            continue
        chosen[resource.ref] = resource
        todo.extend(by_ref[ref] for ref in resource.depends if ref in by_ref)
        if providers:
            names = kinds[resource.kind].datasource_names(resource)
            todo.extend(providers[name] for name in names if name in providers)
    return chosen


def _kinds() -> dict:
    from .kinds.base import all_kinds

    return {kind.name: kind for kind in all_kinds()}


def _environment_defines(kind: object) -> bool:
    """True for a kind whose resources an environment may define in dashkit.yaml."""
    from .kinds.base import ResourceKind

    return type(kind).environment_resources is not ResourceKind.environment_resources


def _no_match(targets: Sequence[tuple[str, str]], also: str = "") -> ConfigError:
    wanted = ", ".join(f"{k}/{i}" for k, i in targets)
    return ConfigError(f"--target {wanted} matches no resource the project defines{also}",
                       hint="`dashkit diff` lists resources as KIND and path; a target is KIND/uid or KIND/path")
