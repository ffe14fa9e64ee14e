"""Grafana's manager and source annotations and the write rules its storage enforces with them (grafana-api.md §14.6),
for dashboards and folders on both the `/apis` and the legacy `/api` paths."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dashkit.emulator import k8s

MANAGED_BY = "grafana.app/managedBy"
MANAGER_ID = "grafana.app/managerId"
MANAGER_ALLOWS_EDITS = "grafana.app/managerAllowsEdits"
MANAGER_SUSPENDED = "grafana.app/managerSuspended"
SOURCE_PATH = "grafana.app/sourcePath"
SOURCE_CHECKSUM = "grafana.app/sourceChecksum"
SOURCE_TIMESTAMP = "grafana.app/sourceTimestamp"
MANAGER_ANNOTATIONS = (
    MANAGED_BY,
    MANAGER_ID,
    MANAGER_ALLOWS_EDITS,
    MANAGER_SUSPENDED,
    SOURCE_PATH,
    SOURCE_CHECKSUM,
    SOURCE_TIMESTAMP,
)
REPO = "repo"
# kinds whose identity may change without removing the manager first (`[managed.go]`)
IDENTITY_MAY_CHANGE = frozenset(
    {"terraform", "classic-file-provisioning", "classic-api-provisioning", "classic-converted-prometheus"}
)
REPO_MESSAGE = "this resource is managed by a repository"


@dataclass(frozen=True)
class Manager:
    """Who manages a resource: kind (`repo`, `terraform`, `kubectl`, `plugin`, `grafana`, classic shims or any other
    string) and identity; `allows_edits`/`suspended` are true only for the exact string "true"."""

    kind: str
    identity: str
    allows_edits: bool
    suspended: bool


def manager_of(annotations: Mapping[str, str]) -> Manager | None:
    """The manager named by `annotations`, or None: a resource counts as managed only when `managerId` is non-empty
    (`GetManagerProperties`)."""
    identity = annotations.get(MANAGER_ID, "")
    if not identity:
        return None
    return Manager(
        kind=annotations.get(MANAGED_BY, ""),
        identity=identity,
        allows_edits=annotations.get(MANAGER_ALLOWS_EDITS) == "true",
        suspended=annotations.get(MANAGER_SUSPENDED) == "true",
    )


def check_write(
    old: Mapping[str, str] | None, new: Mapping[str, str] | None, *, resource: str, group: str, name: str
) -> None:
    """Refuse an app-platform write that Grafana's storage refuses (403 Status, exact messages of `[mgr-errs]`):
    anything touching a `repo`-managed resource (the emulator has no provisioning service identity), a change of
    manager kind, or of identity (except terraform/classic kinds). `old` is None for a create, `new` None for a
    delete. Dropping the manager annotations is allowed for other kinds."""
    before = manager_of(old) if old is not None else None
    after = manager_of(new) if new is not None else None
    if (before is not None and before.kind == REPO) or (after is not None and after.kind == REPO):
        raise k8s.forbidden(REPO_MESSAGE, resource=resource, group=group, name=name)
    if before is None or after is None:
        return
    if before.kind != after.kind:
        raise k8s.forbidden(
            f'Cannot change resource manager kind from "{before.kind}" (identity "{before.identity}") to '
            f'"{after.kind}" (identity "{after.identity}"); remove the existing manager first, then add the new one',
            resource=resource,
            group=group,
            name=name,
        )
    if before.identity != after.identity and before.kind not in IDENTITY_MAY_CHANGE:
        raise k8s.forbidden(
            "Cannot change resource manager identity; remove the existing manager first, then add the new one",
            resource=resource,
            group=group,
            name=name,
        )


def locks_legacy_edits(annotations: Mapping[str, str]) -> bool:
    """Whether a legacy `/api` save must answer 400 `Cannot save provisioned dashboard`: the dashboard is managed
    and its manager does not allow edits (`[dash.go/13]`)."""
    manager = manager_of(annotations)
    return manager is not None and not manager.allows_edits
