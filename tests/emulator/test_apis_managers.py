"""Grafana's manager annotations: stored as sent, and the writes Grafana refuses because of them (grafana-api.md
§14.6), on dashboards and folders, through `/apis` and the legacy `/api`."""

from __future__ import annotations

from .apis_helpers import (
    classic_version,
    create_dashboard,
    create_folder,
    dashboard_body,
    dashboards,
    folder_body,
    folder_version,
    folders,
    status_of,
    with_metadata,
)

DASHKIT = {
    "grafana.app/managedBy": "kubectl",
    "grafana.app/managerId": "dashkit:platform-team",
    "grafana.app/managerAllowsEdits": "false",
    "grafana.app/sourcePath": "dashboards/checkout.py",
    "grafana.app/sourceChecksum": "sha256:abc",
    "grafana.app/sourceTimestamp": "1760000000000",
}


def _put_annotations(api, path: str, annotations: dict[str, str]):
    return api.put(path, json=with_metadata(api.get(path).json(), annotations=annotations))


def test_manager_and_source_annotations_are_stored_as_sent(platform) -> None:
    created = create_dashboard(platform, classic_version(platform.major), dashboard_body("owned", annotations=DASHKIT))
    annotations = created["metadata"]["annotations"]
    assert {k: annotations[k] for k in DASHKIT} == DASHKIT
    legacy = platform.get("/api/dashboards/uid/owned").json()["meta"]
    assert (legacy["provisioned"], legacy["provisionedExternalId"]) == (True, "dashboards/checkout.py")


def test_changing_the_manager_kind_or_identity_is_forbidden(platform) -> None:
    path = dashboards(classic_version(platform.major), "owned")
    create_dashboard(platform, classic_version(platform.major), dashboard_body("owned", annotations=DASHKIT))
    other_kind = _put_annotations(platform, path, {**DASHKIT, "grafana.app/managedBy": "terraform"})
    assert status_of(other_kind) == (
        403,
        "Forbidden",
        'Cannot change resource manager kind from "kubectl" (identity "dashkit:platform-team") to "terraform" '
        '(identity "dashkit:platform-team"); remove the existing manager first, then add the new one',
    )
    other_owner = _put_annotations(platform, path, {**DASHKIT, "grafana.app/managerId": "dashkit:someone-else"})
    assert status_of(other_owner) == (
        403,
        "Forbidden",
        "Cannot change resource manager identity; remove the existing manager first, then add the new one",
    )
    checksum = _put_annotations(platform, path, {**DASHKIT, "grafana.app/sourceChecksum": "sha256:def"})
    assert checksum.status_code == 200
    released = _put_annotations(platform, path, {"note": "unmanaged now"})
    assert released.status_code == 200
    assert released.json()["metadata"]["annotations"].get("grafana.app/managerId") is None
    adopted = _put_annotations(platform, path, {**DASHKIT, "grafana.app/managedBy": "terraform"})
    assert adopted.status_code == 200


def test_terraform_may_change_its_identity(platform) -> None:
    version = classic_version(platform.major)
    terraform = {"grafana.app/managedBy": "terraform", "grafana.app/managerId": "Terraform/1.9 (ua)"}
    create_dashboard(platform, version, dashboard_body("tf", annotations=terraform))
    moved = _put_annotations(platform, dashboards(version, "tf"), {**terraform, "grafana.app/managerId": "stable"})
    assert moved.status_code == 200


def test_repository_managed_resources_refuse_every_writer(platform) -> None:
    version = classic_version(platform.major)
    repo = {"grafana.app/managedBy": "repo", "grafana.app/managerId": "git-sync-repo"}
    refused = platform.post(dashboards(version), json=dashboard_body("synced", annotations=repo))
    assert status_of(refused) == (403, "Forbidden", "this resource is managed by a repository")
    refused_folder = platform.post(folders(folder_version(platform.major)),
                                   json=folder_body("synced", "Synced", annotations=repo))
    assert status_of(refused_folder)[2] == "this resource is managed by a repository"


def test_a_legacy_save_of_a_managed_dashboard_needs_the_manager_to_allow_edits(platform) -> None:
    version = classic_version(platform.major)
    create_dashboard(platform, version, dashboard_body("locked", annotations=DASHKIT))
    refused = platform.save({"uid": "locked", "title": "Edited", "version": 1})
    assert (refused.status_code, refused.json()) == (400, {"message": "Cannot save provisioned dashboard"})

    allowing = {**DASHKIT, "grafana.app/managerAllowsEdits": "true"}
    create_dashboard(platform, version, dashboard_body("open", annotations=allowing, labels={"team": "shop"}))
    saved = platform.save({"uid": "open", "title": "Edited", "version": 1})
    assert saved.status_code == 200
    metadata = platform.get(dashboards(version, "open")).json()["metadata"]
    if platform.major == 13:  # the k8s adapter resets labels and annotations (§14.5): the manager is gone
        assert "grafana.app/managerId" not in metadata["annotations"]
        assert metadata["labels"] == {"grafana.app/deprecatedInternalID": metadata["labels"][
            "grafana.app/deprecatedInternalID"]}
    else:
        assert metadata["annotations"]["grafana.app/managerId"] == "dashkit:platform-team"
        assert metadata["labels"]["team"] == "shop"


def test_folders_keep_their_manager_too(platform) -> None:
    version = folder_version(platform.major)
    created = create_folder(platform, folder_body("team", "Team", annotations=DASHKIT))
    assert created["metadata"]["annotations"]["grafana.app/managerId"] == "dashkit:platform-team"
    assert platform.get("/api/folders/team").json()["managedBy"] == "kubectl"
    other = _put_annotations(platform, folders(version, "team"), {**DASHKIT, "grafana.app/managedBy": "plugin"})
    assert status_of(other)[:2] == (403, "Forbidden")
    assert "Cannot change resource manager kind" in other.json()["message"]
    spec_only = platform.get(folders(version, "team")).json()
    assert platform.put(folders(version, "team"), json={**spec_only, "spec": {"title": "Team 2"}}).status_code == 200
