"""A stored dashboard as the app platform shows it (a `dashboard.grafana.app` object at any served version, with its
conversion status) and as the legacy `/api` shows it (grafana-api.md §14.2, §14.4, §14.5). Every view is built once
per record and cached: records never change after they are stored."""

from __future__ import annotations

from typing import Any

from dashkit.emulator.app_metadata import object_metadata
from dashkit.emulator.model import Dashboard
from dashkit.emulator.profile import DASHBOARD_GROUP, GrafanaProfile
from dashkit.emulator.replies import compact_json
from dashkit.schema_v2 import convert_spec, is_v2, v2_to_classic

RESOURCE = "dashboards"
KIND = "Dashboard"
NOT_IMPLEMENTED = "backend conversion not yet implemented"
_LEGACY_KEYS = ("id", "uid", "version")


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


def object_json(dash: Dashboard, target: str, namespace: str, profile: GrafanaProfile) -> str:
    """The whole object read at `target` as JSON text, serialised once per record and version."""

    def build() -> str:
        spec, status = spec_at(dash, target, profile)
        metadata = object_metadata(dash, namespace, dash.folder_uid)
        head = compact_json({"kind": KIND, "apiVersion": f"{DASHBOARD_GROUP}/{target}", "metadata": metadata})
        return head[:-1] + ',"spec":' + compact_json(spec) + ',"status":' + compact_json(status) + "}"

    return dash.view(f"object:{target}:{namespace}", build)


def metadata_json(dash: Dashboard, namespace: str) -> str:
    """The object's metadata alone as JSON text (a PartialObjectMetadataList item), serialised once per record."""
    return dash.view(f"metadata:{namespace}", lambda: compact_json(object_metadata(dash, namespace, dash.folder_uid)))
