"""The plan: what sync would do, as data. One planner serves `diff`, `sync --dry-run` and `sync`."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .diff import DiffLine, natural_key, semantic_diff
from .kinds.base import LiveResource, ResourceKind, is_dashkit_owner, owner_phrase
from .model import FOLDER, Resource, ResourceRef
from .wording import plural


class Action(str, enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    NOOP = "noop"
    BLOCKED = "blocked"  # differs, but dashkit must not overwrite it without --force (drift, foreign owner)


SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.NOOP: " ", Action.BLOCKED: "!"}


@dataclass
class Change:
    action: Action
    ref: ResourceRef
    label: str
    desired: Resource | None = None
    live: LiveResource | None = None
    details: list[DiffLine] = field(default_factory=list)
    reason: str | None = None
    foreign_owner: str | None = None  # blocked because another owner's marker is on it
    forceable: bool = True  # blocked: --force would apply it (False: still in use, or Grafana does not let it change)

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.action]

    @property
    def source(self) -> str:
        return self.desired.source if self.desired else ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": self.action.value,
            "kind": self.ref.kind,
            "uid": self.ref.uid,
            "label": self.label,
        }
        if self.source:
            out["source"] = self.source
        if self.reason:
            out["reason"] = self.reason
        if self.foreign_owner:
            out["owner"] = self.foreign_owner
        if self.details:
            out["details"] = [line.to_json() for line in self.details]
        return out


@dataclass
class Kept:
    """An owned resource that is no longer defined but is not deleted, and why."""

    ref: ResourceRef
    label: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.ref.kind, "uid": self.ref.uid, "label": self.label, "reason": self.reason}


@dataclass
class Plan:
    env: str
    url: str
    changes: list[Change]
    kept: list[Kept] = field(default_factory=list)
    prune: bool = False
    force: bool = False
    adopt_owners: frozenset[str] = frozenset()
    api: str = ""  # which Grafana and API the plan was read from, for its header

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action in (Action.CREATE, Action.UPDATE, Action.DELETE)]

    @property
    def blocked(self) -> list[Change]:
        return [c for c in self.changes if c.action is Action.BLOCKED]

    @property
    def has_changes(self) -> bool:
        return bool(self.pending or self.blocked)

    def counts(self) -> dict[str, int]:
        tally = Counter(c.action for c in self.changes)
        return {
            "add": tally[Action.CREATE],
            "change": tally[Action.UPDATE],
            "destroy": tally[Action.DELETE],
            "blocked": tally[Action.BLOCKED],
            "unchanged": tally[Action.NOOP],
        }

    @property
    def matching_foreign(self) -> list[Change]:
        """Unchanged resources that carry another owner's marker (typically after `owner:` was renamed)."""
        return [c for c in self.changes if c.action is Action.NOOP and c.foreign_owner]

    def summary(self) -> str:
        n = self.counts()
        text = f"Plan: {n['add']} to add, {n['change']} to change, {n['destroy']} to destroy."
        in_use = sum(not c.forceable and c.desired is None for c in self.blocked)
        locked = sum(not c.forceable and c.desired is not None for c in self.blocked)
        if n["blocked"] - in_use - locked:
            text += f" {n['blocked'] - in_use - locked} drifted or not ours: left alone (use --force to overwrite)."
        if locked:
            text += f" {locked} Grafana does not let dashkit change: left alone."
        if in_use:
            text += f" {in_use} still in use: not deleted."
        return text

    def ownership_note(self) -> str | None:
        """A word on unchanged resources that match the code but carry another owner's marker."""
        owners = sorted({c.foreign_owner for c in self.matching_foreign if is_dashkit_owner(c.foreign_owner)})
        if not self.matching_foreign:
            return None
        one = len(self.matching_foreign) == 1
        text = (f"{plural(len(self.matching_foreign), 'unchanged resource')} {'matches' if one else 'match'} the code "
                f"but {'carries' if one else 'carry'} "
                f"{'the owner ' + ', '.join(repr(o) for o in owners) if owners else 'another owner'}")
        if owners:
            text += (f"; if `owner:` in dashkit.yaml was renamed from '{owners[0]}', "
                     f"`dashkit sync --adopt-owner {owners[0]}` takes {'it' if one else 'them'} over")
        return text + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.env,
            "url": self.url,
            "api": self.api,
            "summary": self.counts(),
            "changes": [c.to_json() for c in self.changes if c.action is not Action.NOOP or c.foreign_owner],
            "kept": [k.to_json() for k in self.kept],
        }


def make_plan(
    kinds: list[ResourceKind],
    desired: list[Resource],
    live: dict[ResourceRef, LiveResource],
    *,
    owner: str,
    env: str,
    url: str,
    prune: bool = False,
    force: bool = False,
    adopt_owners: frozenset[str] = frozenset(),
) -> Plan:
    """Compare desired and live state, kind by kind in dependency order; never talks to Grafana.

    Ownership is decided here, the same way for every kind, from the owner each kind read off the live resource:
    this project's (or an --adopt-owner one): kept in line with the code; another owner's: left alone and reported
    (overwritten only with --force); nobody's: adopted when the code defines it."""
    changes: list[Change] = []
    wanted = {r.ref: r for r in desired}
    for kind in kinds:
        for resource in (r for r in desired if r.kind == kind.name):
            changes.append(_plan_one(kind, resource, live.get(resource.ref), owner=owner, force=force,
                                     adopt_owners=adopt_owners))
    left = {c.ref for c in changes if c.action is Action.BLOCKED}
    deletes, kept = _plan_deletes(kinds, wanted, live, prune, left)
    return Plan(env=env, url=url, changes=changes + deletes, kept=kept, prune=prune, force=force,
                adopt_owners=adopt_owners)


def foreign_owner(live: LiveResource, owner: str, adopt_owners: frozenset[str] = frozenset()) -> str | None:
    """The other owner a live resource belongs to, or None when it is this project's or nobody's."""
    if live.owner is None or live.owner == owner or live.owner in adopt_owners:
        return None
    return live.owner


def _plan_one(kind: ResourceKind, resource: Resource, live: LiveResource | None, *, owner: str,
              force: bool, adopt_owners: frozenset[str] = frozenset()) -> Change:
    change = Change(Action.NOOP, resource.ref, resource.label, desired=resource, live=live)
    if live is None:
        change.action = Action.CREATE
        return change
    if live.unchanged:
        return change
    wanted = kind.comparable(resource.body, resource.folder)
    other = foreign_owner(live, owner, adopt_owners)
    taken_over = live.owner in adopt_owners and live.owner != owner
    if live.comparable == wanted:
        change.foreign_owner = other  # nothing to write, but worth saying whose it is
        if taken_over:
            change.action = Action.UPDATE
            change.reason = f"takes it over from owner '{live.owner}' (--adopt-owner; content unchanged)"
        elif not live.managed and other is None and not live.locked:
            change.action = Action.UPDATE
            change.reason = "marks it as managed by dashkit (content unchanged)"
        elif live.managed and live.remark and live.drift is None:
            change.action, change.reason = Action.UPDATE, live.remark
        elif live.managed and live.drift is not None and not live.headline:
            change.action, change.reason = Action.UPDATE, "restores dashkit's marker (content unchanged)"
        return change
    if live.headline:
        change.details = [DiffLine("~", live.headline)]
    else:
        change.details = semantic_diff(live.comparable, wanted, kind.keyed_lists())
    if live.locked:
        change.action, change.forceable, change.reason = Action.BLOCKED, False, live.locked
        return change
    change.foreign_owner = other
    problem = f"owned by {owner_phrase(other)}" if other is not None else live.drift
    if problem and not force:
        change.action, change.reason = Action.BLOCKED, problem
    elif problem:
        change.action, change.reason = Action.UPDATE, f"--force overwrites it: {problem}"
    else:
        change.action = Action.UPDATE
        if taken_over:
            change.reason = f"takes it over from owner '{live.owner}' (--adopt-owner)"
        elif not live.managed:
            change.reason = "adopts it: it carries no owner marker (created in the UI or by another tool)"
    return change


def _plan_deletes(
    kinds: list[ResourceKind],
    wanted: dict[ResourceRef, Resource],
    live: dict[ResourceRef, LiveResource],
    prune: bool,
    left: set[ResourceRef],  # defined, but left as they are (blocked)
) -> tuple[list[Change], list[Kept]]:
    deletes: list[Change] = []
    kept: list[Kept] = []
    deleting: set[ResourceRef] = set()
    held: dict[ResourceRef, list[ResourceRef]] = {}  # folder -> what sits in it, as the kinds read it
    for other in live.values():
        if other.folder:
            held.setdefault(ResourceRef(FOLDER, other.folder), []).append(other.ref)

    def stays(ref: ResourceRef, holder: ResourceRef) -> bool:
        """`ref`, which sits in or uses `holder`, still will after this run (it is not deleted, and either no longer
        defined or defined still in or using `holder`)."""
        if ref in deleting:
            return False
        if ref not in wanted or ref in left:  # not defined, or defined but left as it is (drifted, not ours)
            return True
        return wanted[ref].folder == holder.uid or holder in wanted[ref].depends

    for kind in reversed(kinds):
        orphans = [lv for lv in live.values() if lv.ref.kind == kind.name and lv.ref not in wanted]
        orphans.sort(key=lambda lv: (-lv.label.count("/"), natural_key(lv.label), lv.ref.uid))  # children first
        for lv in orphans:
            if not lv.managed:
                if lv.note:
                    kept.append(Kept(lv.ref, lv.label, lv.note))
                continue
            reason = None
            if not prune:
                reason = "no longer defined; `sync --prune` deletes it"
            elif not lv.deletable:
                reason = lv.note or "cannot be deleted"
            else:
                contents = dict.fromkeys((*lv.contains, *held.get(lv.ref, ())))
                blockers = [ref for ref in contents if stays(ref, lv.ref)]
                if blockers:
                    reason = (f"still holds {plural(len(blockers), 'item')} dashkit does not delete "
                              f"(e.g. {blockers[0]}); deleting it would take them too")
                users = [ref for ref in lv.used_by if stays(ref, lv.ref)]
                if users and not reason:
                    named = [lv.used_by[ref] for ref in users]
                    shown = ", ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
                    deletes.append(Change(Action.BLOCKED, lv.ref, lv.label, live=lv, forceable=False,
                                          reason=f"still used by {shown}; deleted once nothing uses it (remove it "
                                                 "from them, or delete them in the same run)"))
                    continue
            if reason:
                kept.append(Kept(lv.ref, lv.label, reason))
                continue
            deleting.add(lv.ref)
            deletes.append(Change(Action.DELETE, lv.ref, lv.label, live=lv))
    deletes.reverse()  # back to dependency order; apply runs deletes dependants-first anyway
    return deletes, kept
