"""`--target KIND/ID`: limit a run to some resources (and what they need), like Terraform's -target and grizzly's -t.

A target is `kind/id` where either part may be a glob: the id matches a resource's uid or its path as the plan shows
it (`dashboard/payments-*`, `dashboard/payments/*`, `alert_rule_group/*`, `*/checkout*`)."""

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
    """The targeted resources and, transitively, the resources they depend on (a dashboard's folders)."""
    by_ref = {r.ref: r for r in resources}
    chosen: dict[ResourceRef, Resource] = {}
    todo = [r for r in resources if matches(targets, r.kind, r.uid, r.label)]
    if not todo:
        wanted = ", ".join(f"{k}/{i}" for k, i in targets)
        raise ConfigError(f"--target {wanted} matches no resource the project defines",
                          hint="`dashkit diff` lists resources as KIND and path; a target is KIND/uid or KIND/path")
    while todo:
        resource = todo.pop()
        if resource.ref in chosen:
            continue
        chosen[resource.ref] = resource
        todo.extend(by_ref[ref] for ref in resource.depends if ref in by_ref)
    return [r for r in resources if r.ref in chosen]  # in the project's order
