"""Saved plans: `dashkit diff --out plan.json` writes the plan with what it would write and a fingerprint of the live
state of every resource it changes; `dashkit sync --plan plan.json` applies exactly that plan, and nothing at all when
Grafana changed since for any resource in it (Terraform's `plan -out` / `apply PLAN`).

The file holds what dashkit would send, with secrets as their `{"$secret_env": NAME}` placeholders (read from the
environment when the plan is applied), never a secret value."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, PartialSync
from .kinds.base import LiveResource, SyncContext, all_kinds, get_kind
from .model import Resource, ResourceRef
from .normalize import fingerprint, pretty_json
from .plan import Action, Change, Plan

FORMAT = "dashkit-plan/1"


def state_token(live: LiveResource | None) -> str | None:
    """What a resource looked like when the plan was made (its content as dashkit compares it)."""
    if live is None:
        return None
    return fingerprint(live.comparable if live.comparable is not None else live.body)


def save(plan: Plan, path: Path, owner: str) -> None:
    changes = []
    for change in plan.pending:
        changes.append({"action": change.action.value, "kind": change.ref.kind, "uid": change.ref.uid,
                        "label": change.label, "reason": change.reason,
                        "resource": _resource_json(change.desired) if change.desired is not None else None,
                        "live": state_token(change.live)})
    document = {"format": FORMAT, "environment": plan.env, "url": plan.url, "owner": owner, "api": plan.api,
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "prune": plan.prune,
                "force": plan.force, "adopt_owners": sorted(plan.adopt_owners), "summary": plan.summary(),
                "left_alone": [f"{c.ref.kind} {c.label}: {c.reason}" for c in plan.blocked],
                "changes": changes}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(pretty_json(document), encoding="utf-8")
    tmp.replace(path)


@dataclass
class SavedPlan:
    path: Path
    environment: str
    url: str
    owner: str
    prune: bool
    force: bool
    adopt_owners: frozenset[str]
    changes: list[dict[str, Any]] = field(default_factory=list)


def load(path: Path) -> SavedPlan:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the plan {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{path} is not a dashkit plan (not JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ConfigError(f"{path} is not a dashkit plan (format {FORMAT} expected)",
                          hint="write one with `dashkit diff --env NAME --out plan.json`")
    try:
        return SavedPlan(path=path, environment=str(document["environment"]), url=str(document["url"]),
                         owner=str(document["owner"]), prune=bool(document["prune"]), force=bool(document["force"]),
                         adopt_owners=frozenset(document.get("adopt_owners") or ()),
                         changes=[c for c in document["changes"] if isinstance(c, dict)])
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: a dashkit plan without {exc}") from None


def current_plan(saved: SavedPlan, ctx: SyncContext) -> Plan:
    """The saved plan, with the live state read again: a PartialSync (exit 5, nothing written) when any resource of
    the plan changed in Grafana since the plan was made, or came into being, or went away."""
    kinds = {kind.name: kind for kind in all_kinds()}
    for entry in saved.changes:
        if entry.get("kind") not in kinds:
            raise ConfigError(f"{saved.path}: unknown kind {entry.get('kind')!r}")
    entries = [(entry, _resource(entry)) for entry in saved.changes]
    wanted: dict[str, list[Resource]] = {}
    for entry, resource in entries:
        if resource is not None:
            wanted.setdefault(entry["kind"], []).append(resource)
    ctx.prune = saved.prune
    live: dict[ResourceRef, LiveResource] = {}
    for name in {entry["kind"] for entry, _ in entries}:
        live.update(kinds[name].fetch(wanted.get(name, []), ctx))
    changes, moved = [], []
    for entry, resource in entries:
        ref = ResourceRef(entry["kind"], entry["uid"])
        now = live.get(ref)
        if state_token(now) != entry.get("live"):
            moved.append(f"{entry['kind']} {entry['label']}: " + (
                "created in Grafana since" if entry.get("live") is None else
                "deleted in Grafana since" if now is None else "changed in Grafana since"))
            continue
        changes.append(Change(Action(entry["action"]), ref, entry["label"], desired=resource, live=now,
                              reason=entry.get("reason")))
    if moved:
        raise PartialSync(f"Grafana changed since the plan {saved.path} was made; nothing was written:\n  "
                          + "\n  ".join(moved),
                          hint="make a new plan (`dashkit diff --out ...`) and review it")
    return Plan(env=saved.environment, url=saved.url, changes=changes, prune=saved.prune, force=saved.force,
                adopt_owners=saved.adopt_owners, api=f"saved plan {saved.path}")


def _resource_json(resource: Resource) -> dict[str, Any]:
    """What applying the resource needs (not the builder objects `dashkit build` reads): its kind says what of its
    spec that is."""
    return {"kind": resource.kind, "uid": resource.uid, "title": resource.title, "body": resource.body,
            "folder": resource.folder, "source": resource.source, "path": resource.path,
            "folder_path": list(resource.folder_path), "depends": [[ref.kind, ref.uid] for ref in resource.depends],
            "spec": get_kind(resource.kind).spec_to_json(resource)}


def _resource(entry: dict[str, Any]) -> Resource | None:
    data = entry.get("resource")
    if not isinstance(data, dict):
        return None
    return Resource(kind=data["kind"], uid=data["uid"], title=data.get("title", ""), body=data["body"],
                    folder=data.get("folder", ""), source=data.get("source", ""), path=data.get("path", ""),
                    folder_path=tuple(data.get("folder_path") or ()),
                    depends=tuple(ResourceRef(k, u) for k, u in data.get("depends") or ()),
                    spec=get_kind(data["kind"]).spec_from_json(data.get("spec")))
