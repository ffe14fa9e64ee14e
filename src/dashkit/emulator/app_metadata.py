"""The `grafana.app/*` metadata dashboards and folders share under /apis (grafana-api.md §14.2, §14.7): the system
annotations and internal-id label the server owns, how an object's metadata shows them, and what a client may set."""

from __future__ import annotations

from typing import Any

from dashkit.emulator import k8s
from dashkit.emulator.model import Dashboard, Folder
from dashkit.emulator.naming import uid_is_too_long, uid_is_valid

FOLDER = "grafana.app/folder"
CREATED_BY = "grafana.app/createdBy"
UPDATED_BY = "grafana.app/updatedBy"
UPDATED_TIMESTAMP = "grafana.app/updatedTimestamp"
INTERNAL_ID = "grafana.app/deprecatedInternalID"
SYSTEM_ANNOTATIONS = (FOLDER, CREATED_BY, UPDATED_BY, UPDATED_TIMESTAMP)


def object_metadata(record: Dashboard | Folder, namespace: str, parent: str) -> dict[str, Any]:
    """`metadata` of a dashboard or folder: client labels/annotations plus the system ones (`parent` is the folder
    it sits in, "" at the root); `updatedBy` and `updatedTimestamp` only once an update changed the generation
    (create clears them). Keys sorted, as Go encodes maps. A dry-run create has no resourceVersion, generation or
    internal id yet."""
    annotations = {k: v for k, v in record.annotations.items() if k not in SYSTEM_ANNOTATIONS}
    if parent:
        annotations[FOLDER] = parent
    if record.created_by_ref:
        annotations[CREATED_BY] = record.created_by_ref
    if record.generation > 1 and record.updated_by_ref:
        annotations[UPDATED_BY] = record.updated_by_ref
        annotations[UPDATED_TIMESTAMP] = record.updated
    labels = {k: v for k, v in record.labels.items() if k != INTERNAL_ID}
    if record.id:
        labels[INTERNAL_ID] = str(record.id)
    return k8s.object_metadata(
        record.uid,
        namespace,
        uid=record.k8s_uid,
        resource_version=record.resource_version,
        creation_timestamp=record.created,
        generation=record.generation or None,
        labels=dict(sorted(labels.items())),
        annotations=dict(sorted(annotations.items())),
    )


def client_metadata(obj: k8s.IncomingObject, dropped: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """(labels, annotations) as stored: every one the client sent except those the server owns and `dropped`."""
    labels = {k: v for k, v in obj.labels.items() if k != INTERNAL_ID}
    annotations = {k: v for k, v in obj.annotations.items() if k not in SYSTEM_ANNOTATIONS and k not in dropped}
    return labels, annotations


def check_name(name: str) -> None:
    """A dashboard's or folder's name is its Grafana uid (`[folder-validate]` rules, which dashboards share)."""
    if not uid_is_valid(name):
        raise k8s.bad_request("uid contains illegal characters")
    if uid_is_too_long(name):
        raise k8s.bad_request("uid too long, max 40 characters")
