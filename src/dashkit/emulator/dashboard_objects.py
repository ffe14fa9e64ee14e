"""A stored dashboard as the app platform shows it (a `dashboard.grafana.app` object at any served version, with its
conversion status) and as the legacy `/api` shows it (grafana-api.md §14.2, §14.4, §14.5). Every view is built once
per record and cached: records never change after they are stored."""

from __future__ import annotations

import json
from typing import Any

from dashkit.emulator import k8s
from dashkit.emulator.model import Dashboard
from dashkit.emulator.profile import DASHBOARD_GROUP, GrafanaProfile
from dashkit.emulator.schema_v2 import convert_spec, is_v2, v2_to_classic

RESOURCE = "dashboards"
KIND = "Dashboard"
FOLDER = "grafana.app/folder"
CREATED_BY = "grafana.app/createdBy"
UPDATED_BY = "grafana.app/updatedBy"
UPDATED_TIMESTAMP = "grafana.app/updatedTimestamp"
INTERNAL_ID = "grafana.app/deprecatedInternalID"
SYSTEM_ANNOTATIONS = (FOLDER, CREATED_BY, UPDATED_BY, UPDATED_TIMESTAMP)
NOT_IMPLEMENTED = "backend conversion not yet implemented"
_LEGACY_KEYS = ("id", "uid", "version")


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def stored_version(dash: Dashboard, profile: GrafanaProfile) -> str:
    """The version `dash` is stored at; records written before the 12/13 profiles count as legacy saves."""
    return dash.api_version or profile.legacy_dashboard_version or "v0alpha1"


def classic_spec(dash: Dashboard) -> dict[str, Any]:
    """The classic spec of a classic-stored dashboard as `/apis` returns it: without the `id`, `uid` and `version` the
    v0/v1 mutation hook strips (§14.2)."""
    return dash.view("spec:classic", lambda: {k: v for k, v in dash.data.items() if k not in _LEGACY_KEYS})


def legacy_dashboard(dash: Dashboard) -> dict[str, Any]:
    """`dashboard` of a legacy GET: the stored classic JSON, or for a v2-stored dashboard its down-conversion (13,
    §14.5) with `id`, `uid`, `version` and `title` injected."""
    if not is_v2(dash.api_version):
        return dash.data

    def build() -> dict[str, Any]:
        classic = v2_to_classic(dash.data)
        classic.update(id=dash.id, uid=dash.uid, title=dash.title, version=dash.version)
        return classic

    return dash.view("legacy", build)


def _conversion(stored: str, target: str, profile: GrafanaProfile) -> tuple[dict[str, Any], bool]:
    """(status, stub) of reading a `stored` dashboard at `target` (§14.4). 13 reports every conversion except
    v1beta1<->v1 (one Go type). 12 reports v0alpha1->v1beta1; its v0alpha1->v2* and (an emulator choice, so a client
    can tell and re-read at the stored version) v2*->classic conversions fail with the 12-line stub error."""
    if stored == target:
        return {}, False
    if profile.conversion_status_always:
        if {stored, target} <= {"v1beta1", "v1"}:
            return {}, False
        return {"conversion": {"failed": False, "storedVersion": stored}}, False
    if stored == "v0alpha1" and target == "v1beta1":
        return {"conversion": {"failed": False, "storedVersion": stored}}, False
    if (stored == "v0alpha1" and is_v2(target)) or (is_v2(stored) and not is_v2(target)):
        return {"conversion": {"failed": True, "storedVersion": stored, "error": NOT_IMPLEMENTED}}, True
    return {}, False


def _stub(dash: Dashboard, target: str) -> dict[str, Any]:
    """The spec a failed 12-line conversion returns: the title and, for v2, an empty GridLayout (§14.4)."""
    if is_v2(target):
        return {"title": dash.title, "elements": {}, "layout": {"kind": "GridLayout", "spec": {"items": []}}}
    return {"title": dash.title}


def spec_at(dash: Dashboard, target: str, profile: GrafanaProfile) -> tuple[dict[str, Any], dict[str, Any]]:
    """(spec, status) of `dash` read at `target`."""
    stored = stored_version(dash, profile)
    status, stub = _conversion(stored, target, profile)
    if stub:
        return _stub(dash, target), status
    base = dash.data if is_v2(stored) else classic_spec(dash)
    family = target if is_v2(target) else "classic"
    source = stored if is_v2(stored) else "classic"
    if family == source:
        return base, status
    return dash.view(f"converted:{family}", lambda: convert_spec(base, stored, target)), status


def metadata(dash: Dashboard, namespace: str) -> dict[str, Any]:
    """`metadata` of the object: client labels/annotations plus the system ones (§14.2); `updatedBy` and
    `updatedTimestamp` only once an update changed the generation (create clears them). Keys sorted, as Go encodes
    maps. A dry-run create has no resourceVersion, generation or internal id yet."""
    annotations = {k: v for k, v in dash.annotations.items() if k not in SYSTEM_ANNOTATIONS}
    if dash.folder_uid:
        annotations[FOLDER] = dash.folder_uid
    if dash.created_by_ref:
        annotations[CREATED_BY] = dash.created_by_ref
    if dash.generation > 1 and dash.updated_by_ref:
        annotations[UPDATED_BY] = dash.updated_by_ref
        annotations[UPDATED_TIMESTAMP] = dash.updated
    labels = {k: v for k, v in dash.labels.items() if k != INTERNAL_ID}
    if dash.id:
        labels[INTERNAL_ID] = str(dash.id)
    return k8s.object_metadata(
        dash.uid,
        namespace,
        uid=dash.k8s_uid,
        resource_version=dash.resource_version,
        creation_timestamp=dash.created,
        generation=dash.generation or None,
        labels=dict(sorted(labels.items())),
        annotations=dict(sorted(annotations.items())),
    )


def object_json(dash: Dashboard, target: str, namespace: str, profile: GrafanaProfile) -> str:
    """The whole object read at `target` as JSON text, serialised once per record and version."""

    def build() -> str:
        spec, status = spec_at(dash, target, profile)
        head = _dump({"kind": KIND, "apiVersion": f"{DASHBOARD_GROUP}/{target}", "metadata": metadata(dash, namespace)})
        return head[:-1] + ',"spec":' + _dump(spec) + ',"status":' + _dump(status) + "}"

    return dash.view(f"object:{target}:{namespace}", build)


def metadata_json(dash: Dashboard, namespace: str) -> str:
    """The object's metadata alone as JSON text (a PartialObjectMetadataList item), serialised once per record."""
    return dash.view(f"metadata:{namespace}", lambda: _dump(metadata(dash, namespace)))
