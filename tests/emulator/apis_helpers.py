"""Paths and small builders for the app-platform (`/apis`) tests of the 12 and 13 profiles."""

from __future__ import annotations

from typing import Any

from .conftest import Api

DASHBOARDS = "dashboard.grafana.app"
FOLDERS = "folder.grafana.app"


def classic_version(major: int) -> str:
    """The preferred classic-JSON dashboard version: v1beta1 on 12, v1 on 13."""
    return "v1" if major >= 13 else "v1beta1"


def v2_version(major: int) -> str:
    """The schema-v2 version the UI saves in: v2beta1 on 12, v2 on 13."""
    return "v2" if major >= 13 else "v2beta1"


def folder_version(major: int) -> str:
    return "v1" if major >= 13 else "v1beta1"


def dashboards(version: str, name: str | None = None, namespace: str = "default") -> str:
    base = f"/apis/{DASHBOARDS}/{version}/namespaces/{namespace}/dashboards"
    return base if name is None else f"{base}/{name}"


def folders(version: str, name: str | None = None, namespace: str = "default") -> str:
    base = f"/apis/{FOLDERS}/{version}/namespaces/{namespace}/folders"
    return base if name is None else f"{base}/{name}"


def classic_spec(title: str = "Checkout", panels: int = 2) -> dict[str, Any]:
    """A small classic dashboard with `panels` timeseries panels, each with one Prometheus target."""
    return {
        "title": title,
        "tags": ["team:shop"],
        "schemaVersion": 39,
        "time": {"from": "now-6h", "to": "now"},
        "panels": [
            {
                "id": index,
                "type": "timeseries",
                "title": f"Panel {index}",
                "datasource": {"type": "prometheus", "uid": "prom-local"},
                "gridPos": {"h": 8, "w": 12, "x": 12 * ((index - 1) % 2), "y": 8 * ((index - 1) // 2)},
                "targets": [
                    {"datasource": {"type": "prometheus", "uid": "prom-local"}, "expr": f"up{{n='{index}'}}",
                     "refId": "A"}
                ],
                "fieldConfig": {"defaults": {"unit": "short"}, "overrides": []},
                "options": {"legend": {"showLegend": True}},
            }
            for index in range(1, panels + 1)
        ],
    }


def dashboard_body(
    name: str,
    spec: dict[str, Any] | None = None,
    *,
    folder: str = "",
    annotations: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "annotations": dict(annotations or {})}
    if folder:
        metadata["annotations"]["grafana.app/folder"] = folder
    if labels:
        metadata["labels"] = labels
    return {"metadata": metadata, "spec": classic_spec() if spec is None else spec}


def create_dashboard(api: Api, version: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(dashboards(version), json=body)
    assert response.status_code == 201, response.text
    return response.json()


def folder_body(name: str, title: str, parent: str = "", annotations: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "annotations": dict(annotations or {})}
    if parent:
        metadata["annotations"]["grafana.app/folder"] = parent
    return {"metadata": metadata, "spec": {"title": title}}


def create_folder(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(folders(folder_version(api.major)), json=body)
    assert response.status_code == 201, response.text
    return response.json()


def with_metadata(obj: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`obj` as read, with some `metadata` fields replaced: the body of an update that changes them."""
    return {**obj, "metadata": {**obj["metadata"], **changes}}


def status_of(response: Any) -> tuple[int, str, str]:
    """(code, reason, message) of a k8s Status reply, checking that it is one."""
    body = response.json()
    assert body["kind"] == "Status" and body["apiVersion"] == "v1" and body["status"] == "Failure", body
    assert body["code"] == response.status_code
    return body["code"], body["reason"], body["message"]
