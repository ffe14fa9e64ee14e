"""Grafana's own manager annotations (Grafana 12+, grafana-api.md §14.6), as dashkit writes and reads them.

dashkit marks what it writes on the app-platform APIs as managed by `kubectl` (Grafana's kind for a generic API
client; grafanactl uses it too) with the identity `dashkit:<owner>`, the definition file as `sourcePath` and the
fingerprint of what it wrote as `sourceChecksum`. Grafana's UI shows such resources as managed, and its storage
refuses to hand them to another manager without the first being removed."""

from __future__ import annotations

from typing import Any

MANAGED_BY = "grafana.app/managedBy"
MANAGER_ID = "grafana.app/managerId"
ALLOWS_EDITS = "grafana.app/managerAllowsEdits"
SUSPENDED = "grafana.app/managerSuspended"
SOURCE_PATH = "grafana.app/sourcePath"
SOURCE_CHECKSUM = "grafana.app/sourceChecksum"
SOURCE_TIMESTAMP = "grafana.app/sourceTimestamp"
FOLDER = "grafana.app/folder"
MESSAGE = "grafana.app/message"
UPDATED_BY = "grafana.app/updatedBy"
UPDATED_AT = "grafana.app/updatedTimestamp"
MANAGER_KEYS = (MANAGED_BY, MANAGER_ID, ALLOWS_EDITS, SUSPENDED, SOURCE_PATH, SOURCE_CHECKSUM, SOURCE_TIMESTAMP)

KIND = "kubectl"
IDENTITY_PREFIX = "dashkit:"
OTHER_MANAGER = "manager:"  # owner value for a resource another tool manages: "manager:<kind>:<identity>"


def owner_of(annotations: dict[str, Any]) -> str | None:
    """The owner the manager annotations name: a dashkit owner, "manager:<kind>:<identity>" for another manager
    (Git Sync, Terraform, ...), None when nothing manages the resource (Grafana: managed only with a managerId)."""
    identity = annotations.get(MANAGER_ID)
    if not isinstance(identity, str) or not identity:
        return None
    kind = str(annotations.get(MANAGED_BY) or "")
    if kind == KIND and identity.startswith(IDENTITY_PREFIX):
        return identity[len(IDENTITY_PREFIX):]
    return f"{OTHER_MANAGER}{kind or 'unknown'}:{identity}"


def describe_other(owner: str) -> str:
    """'a Git Sync repository 'x'' for an OTHER_MANAGER owner value."""
    kind, _, identity = owner[len(OTHER_MANAGER):].partition(":")
    if kind == "repo":
        return f"Git Sync repository '{identity}'"
    if kind.startswith("classic-file"):
        return f"file provisioning '{identity}'"
    return f"{kind} manager '{identity}'"


def is_repo(owner: str | None) -> bool:
    """Git Sync resources can be changed only in their repository: not even --force writes them."""
    return bool(owner) and owner.startswith(f"{OTHER_MANAGER}repo:")  # type: ignore[union-attr]


def marks(owner: str, ui_edits: str, source: str, checksum: str) -> dict[str, str]:
    """The manager annotations dashkit writes on a resource it syncs."""
    out = {MANAGED_BY: KIND, MANAGER_ID: IDENTITY_PREFIX + owner, SOURCE_CHECKSUM: checksum}
    if source:
        out[SOURCE_PATH] = source
    if ui_edits == "allow":
        out[ALLOWS_EDITS] = "true"
    return out


def differs(annotations: dict[str, Any], wanted: dict[str, str]) -> bool:
    """True when the manager annotations on a resource are not exactly the ones dashkit would write."""
    return any(annotations.get(key) != wanted.get(key) for key in MANAGER_KEYS if key != SOURCE_TIMESTAMP)


def without_manager(annotations: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in annotations.items() if k not in MANAGER_KEYS}
