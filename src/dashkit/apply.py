"""Execute a Plan: dependencies first, deletes dependants first, on a bounded pool. Returns outcomes; never prints."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DashkitError, GrafanaError, ResponseLost
from .kinds.base import ResourceKind, SyncContext
from .model import ResourceRef
from .naming import file_safe
from .normalize import pretty_json
from .plan import Action, Change, Plan
from .secrets import scrub
from .wording import plural

LOST_WRITE_ATTEMPTS = 4


@dataclass
class Outcome:
    change: Change
    status: str  # "applied", "failed" or "skipped"
    error: DashkitError | None = None
    backup: Path | None = None

    @property
    def ok(self) -> bool:
        return self.status == "applied"

    def to_json(self) -> dict:
        out = {**self.change.to_json(), "status": self.status}
        if self.error is not None:
            out["error"] = self.error.message
        if self.backup is not None:
            out["backup"] = str(self.backup)
        return out


BACKUP_INDEX = "index.json"


class Backups:
    """Saves live JSON under .dashkit/backups/<env>/<run timestamp>/<kind>/<uid>.json before it is overwritten, and
    lists in that run's index.json which resource each file holds (for `dashkit restore`)."""

    def __init__(self, root: Path, env: str) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self.folder = root / ".dashkit" / "backups" / env / stamp
        self.env = env
        self._index: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def save(self, kind: ResourceKind, change: Change) -> Path | None:
        if change.live is None:
            return None
        path = self.folder / change.ref.kind / f"{file_safe(change.ref.uid)}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Grafana may answer with a secret dashkit sent (in a setting it does not treat as secure): never on disk
        path.write_text(pretty_json(scrub(kind.backup_document(change.live))), encoding="utf-8")
        with self._lock:
            self._index[path.relative_to(self.folder).as_posix()] = {
                "kind": change.ref.kind, "uid": change.ref.uid, "label": change.label, "env": self.env,
                "before": change.action.value}
            (self.folder / BACKUP_INDEX).write_text(pretty_json({"files": self._index}), encoding="utf-8")
        return path


def apply_plan(
    plan: Plan,
    kinds: dict[str, ResourceKind],
    ctx: SyncContext,
    backups: Backups,
    on_progress: Callable[[Outcome, int, int], None] | None = None,
) -> list[Outcome]:
    changes = plan.pending
    prereqs = _prerequisites(changes, kinds)
    outcomes: dict[ResourceRef, Outcome] = {}
    running: dict[Future, Change] = {}
    waiting = list(changes)
    total = len(changes)

    def record(outcome: Outcome) -> None:
        outcomes[outcome.change.ref] = outcome
        if on_progress is not None:
            on_progress(outcome, len(outcomes), total)

    while waiting or running:
        still_waiting = []
        for change in waiting:
            needs = prereqs[change.ref]
            failed = [ref for ref in needs if ref in outcomes and not outcomes[ref].ok]
            if failed:
                record(Outcome(change, "skipped", DashkitError(f"not attempted: {failed[0]} failed")))
            elif all(ref in outcomes for ref in needs):
                running[ctx.pool.submit(_apply_one, kinds[change.ref.kind], change, ctx, backups)] = change
            else:
                still_waiting.append(change)
        waiting = still_waiting
        if not running:
            if waiting:  # unreachable with a well-formed plan; never spin
                for change in waiting:
                    record(Outcome(change, "skipped", DashkitError("not attempted: dependency cycle")))
                waiting = []
            continue
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in done:
            running.pop(future)
            record(future.result())
    return [outcomes[c.ref] for c in changes]


def _prerequisites(changes: list[Change], kinds: dict[str, ResourceKind]) -> dict[ResourceRef, set[ResourceRef]]:
    """Writes wait for the writes of what they depend on; deletes wait for every write, for the deletes of whatever
    depends on them, and for the deletes of every kind that refers to theirs (a route before its contact point)."""
    writes = {c.ref for c in changes if c.action is not Action.DELETE}
    deletes = {c.ref: c for c in changes if c.action is Action.DELETE}
    needs: dict[ResourceRef, set[ResourceRef]] = {}
    for change in changes:
        if change.action is Action.DELETE:
            referring = _dependant_kinds(change.ref.kind, kinds)
            dependants = {ref for ref, d in deletes.items()
                          if ref.kind in referring or change.ref in (d.live.depends if d.live else ())}
            needs[change.ref] = set(writes) | dependants
        else:
            deps = change.desired.depends if change.desired else ()
            needs[change.ref] = {ref for ref in deps if ref in writes}
    return needs


def _dependant_kinds(name: str, kinds: dict[str, ResourceKind]) -> set[str]:
    """Kinds that depend on kind `name`, directly or through others."""
    found: set[str] = set()
    frontier = {name}
    while frontier:
        frontier = {k.name for k in kinds.values() if set(k.depends_on) & frontier} - found
        found |= frontier
    return found


def _apply_one(kind: ResourceKind, change: Change, ctx: SyncContext, backups: Backups) -> Outcome:
    backup = None
    try:
        if change.action in (Action.UPDATE, Action.DELETE):
            backup = backups.save(kind, change)
        _write_verified(kind, change, ctx)
    except DashkitError as exc:
        return Outcome(change, "failed", exc, backup)
    except OSError as exc:
        return Outcome(change, "failed", DashkitError(f"cannot write backup: {exc}"), backup)
    return Outcome(change, "applied", None, backup)


def _write_verified(kind: ResourceKind, change: Change, ctx: SyncContext) -> None:
    """Do the write; when its answer was lost, re-read and only write again if it did not land. A delete is
    reported only once a re-read shows the resource gone."""
    last: GrafanaError | None = None
    for _ in range(LOST_WRITE_ATTEMPTS):
        try:
            if change.action is Action.CREATE:
                kind.create(change.desired, ctx)
            elif change.action is Action.UPDATE:
                kind.update(change.desired, change.live, ctx)
            else:
                kind.delete(change.live, ctx)
                _verify_gone(kind, change, ctx)
            return
        except ResponseLost as exc:
            last = exc
        current = kind.reread(change.ref, change.live, ctx)
        if change.action is Action.DELETE:
            if current is None:
                return
        elif kind.matches(change.desired, current):
            return
    assert last is not None
    raise last


def _verify_gone(kind: ResourceKind, change: Change, ctx: SyncContext) -> None:
    if kind.reread(change.ref, change.live, ctx) is not None:
        raise GrafanaError(f"Grafana answered the delete of {change.ref.kind} {change.label}, but it is still there",
                           hint="this Grafana may not support deleting it through the API; delete it in the UI, "
                                "or check that the token may delete it")


@dataclass
class Validation:
    """What a server-side dry run of a plan found: writes Grafana would refuse, and how many were checked."""

    checked: int = 0
    skipped: int = 0  # writes that depend on another write of the plan, or a kind Grafana cannot dry-run
    refused: list[tuple[Change, DashkitError]] = field(default_factory=list)

    def summary(self) -> str:
        text = f"Server-side validation (dryRun): {plural(self.checked, 'write')} checked"
        if self.skipped:
            text += f", {self.skipped} not checkable before the plan's other writes"
        return text + (f"; {len(self.refused)} refused." if self.refused else "; Grafana accepts them all.")

    def error(self) -> GrafanaError:
        lines = [f"{c.ref.kind} {c.label}: {e.message}" for c, e in self.refused]
        return GrafanaError(f"Grafana would refuse {plural(len(self.refused), 'write')} of this plan; nothing was "
                            "changed:\n  "
                            + "\n  ".join(lines), hint="fix the definitions named above and run again")


def validate_plan(plan: Plan, kinds: dict[str, ResourceKind], ctx: SyncContext) -> Validation:
    """Send every planned write Grafana can dry-run (`dryRun=All`, Grafana 12+) as a dry run; nothing changes. A write
    that depends on another write of the plan (a dashboard in a folder the plan creates) cannot be checked before
    that write exists, and is counted as skipped."""
    creating = {c.ref for c in plan.pending if c.action is Action.CREATE}
    result = Validation()
    todo = []
    for change in plan.pending:
        depends = change.desired.depends if change.desired else ()
        if any(ref in creating for ref in depends):
            result.skipped += 1
        else:
            todo.append(change)

    def check(change: Change) -> tuple[Change, bool, DashkitError | None]:
        try:
            done = kinds[change.ref.kind].dry_run(change.action.value, change.desired, change.live, ctx)
            return change, done, None
        except GrafanaError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status not in (401, 408, 409, 412, 429):
                return change, True, exc  # Grafana looked at the write and refused it
            return change, False, None  # no verdict (a race, unreachable, overloaded): the write will tell

    for change, done, error in ctx.map(check, todo):
        if not done:
            result.skipped += 1
            continue
        result.checked += 1
        if error is not None:
            result.refused.append((change, error))
    return result
