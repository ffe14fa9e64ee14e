"""Saving a dashboard the way Grafana's legacy `/api` path does (validate, lock-check, version, persist; §4.3, and
13's k8s adapter of §14.5), and `commit_dashboard`, the one record writer every dashboard write goes through."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from dashkit.emulator import library_model
from dashkit.emulator.app_metadata import FOLDER
from dashkit.emulator.managers import REPO, REPO_MESSAGE, locks_legacy_edits, manager_of
from dashkit.emulator.model import VERSIONS_TO_KEEP, Dashboard, DashboardVersion, Folder
from dashkit.emulator.naming import (
    dashboard_url,
    generate_uid,
    new_object_uid,
    now_rfc3339,
    parse_duration,
    slugify,
    uid_is_too_long,
    uid_is_valid,
)
from dashkit.emulator.profile import GrafanaProfile
from dashkit.emulator.replies import bad_request_data, message_error, status_error
from dashkit.emulator.store import OrgState, Store
from dashkit.schema_v2 import is_v2, looks_like_v2

MESSAGE = "grafana.app/message"

MIN_REFRESH_SECONDS = 5.0
MAX_TITLE_LENGTH = 5000
MAX_TAG_LENGTH = 50
MAX_MESSAGE_LENGTH = 500


@dataclass
class SaveCommand:
    """A parsed `POST /api/dashboards/db` body (also built by restore and the provisioning control endpoint)."""

    dashboard: dict[str, Any]
    folder_uid: str = ""
    folder_id: int = 0
    overwrite: bool = False
    message: str = ""
    restored_from: int = 0
    provisioned_external_id: str | None = None  # set only when provisioning from a "file"


def _as_int(value: Any) -> int:
    """Go's `MustInt64`: JSON numbers count (integral floats too), anything else is 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return 0


def parse_save_command(body: dict[str, Any], profile: GrafanaProfile) -> SaveCommand:
    dashboard = body.get("dashboard")
    dashboard = {} if dashboard is None else dashboard
    folder_uid = body.get("folderUid")
    message = body.get("message")
    overwrite = body.get("overwrite")
    folder_id = body.get("folderId")
    if (
        not isinstance(dashboard, dict)
        or not isinstance(folder_uid, str | None)
        or not isinstance(message, str | None)
        or not isinstance(overwrite, bool | None)
        or not (folder_id is None or (isinstance(folder_id, int | float) and not isinstance(folder_id, bool)))
    ):
        raise bad_request_data()
    if profile.eleven_or_later and body.get("isFolder") is True:
        raise message_error(400, "Use folders endpoint for saving folders.")
    return SaveCommand(dashboard, folder_uid or "", _as_int(folder_id), bool(overwrite), message or "")


def _target_folder(org: OrgState, cmd: SaveCommand, profile: GrafanaProfile) -> str:
    missing = message_error(400, "folder not found" if profile.eleven_or_later else "Folder not found", trace=True)
    if cmd.folder_uid:
        if cmd.folder_uid not in org.folders:
            raise missing
        return cmd.folder_uid
    if cmd.folder_id:
        item = org.by_id(cmd.folder_id)
        if not isinstance(item, Folder):
            raise missing
        return item.uid
    return ""


def _validate_content(dash: dict[str, Any], title: str, cmd: SaveCommand) -> None:
    refresh = dash.get("refresh")
    if isinstance(refresh, str) and refresh:
        seconds = parse_duration(refresh)
        if seconds is None:
            raise message_error(500, "Failed to save dashboard", trace=True)
        if seconds < MIN_REFRESH_SECONDS:
            raise message_error(400, "Dashboard refresh interval is too low")
    if not title:
        raise status_error(400, "Dashboard title cannot be empty", "empty-name")
    if len(title) > MAX_TITLE_LENGTH:
        raise status_error(
            400, f"Dashboard title cannot be longer than {MAX_TITLE_LENGTH} characters", "title-too-long"
        )
    tags = dash.get("tags")
    if isinstance(tags, list) and any(isinstance(t, str) and len(t) > MAX_TAG_LENGTH for t in tags):
        raise status_error(400, f"dashboard tag too long, max {MAX_TAG_LENGTH} characters", "tag-too-long")
    if len(cmd.message) > MAX_MESSAGE_LENGTH:
        raise message_error(400, f"message too long, max {MAX_MESSAGE_LENGTH} characters")


def _existing(org: OrgState, dash_id: int, uid: str) -> tuple[Dashboard | None, str]:
    """The dashboard this save updates (matched by id and/or uid), and the uid the result will carry."""
    by_id = None
    if dash_id:
        by_id = org.by_id(dash_id)
        if by_id is None:
            raise status_error(404, "Dashboard not found", "not-found")
        uid = uid or by_id.uid
    by_uid = (org.dashboards.get(uid) or org.folders.get(uid)) if uid else None
    if by_id is not None and by_uid is not None and by_id is not by_uid:
        raise message_error(400, "A dashboard with the same uid already exists")
    existing = by_id or by_uid
    if isinstance(existing, Folder):
        raise message_error(400, "Dashboard cannot be changed to a folder")
    return existing, uid


def _same_name(org: OrgState, title: str, folder_uid: str, other_than: Dashboard | None) -> Dashboard | None:
    slug = slugify(title)
    for dash in org.dashboards.values():
        if dash.folder_uid == folder_uid and dash is not other_than and dash.slug == slug:
            return dash
    return None


def save_dashboard(
    store: Store, org: OrgState, profile: GrafanaProfile, cmd: SaveCommand, login: str, actor_ref: str = ""
) -> Dashboard:
    """Validate and apply one save; raises `ApiError` with Grafana's status and body on refusal. On 13 the body
    first goes through the k8s adapter checks of §14.5 (`unwrap_legacy_body`)."""
    stored_version = profile.legacy_dashboard_version
    if profile.legacy_save_is_k8s_adapter:
        cmd, stored_version = unwrap_legacy_body(cmd, profile)
    dash = cmd.dashboard
    dash_id = _as_int(dash.get("id"))
    raw_uid = dash.get("uid")
    uid = raw_uid.strip() if isinstance(raw_uid, str) else ""
    version = _as_int(dash.get("version")) if (dash_id or uid) else 0
    raw_title = dash.get("title")
    title = raw_title.strip() if isinstance(raw_title, str) else ""

    folder_uid = _target_folder(org, cmd, profile)
    if profile.legacy_save_is_k8s_adapter and not title:
        raise message_error(400, "Dashboard spec is missing required title property")
    _validate_content(dash, title, cmd)
    if uid and not uid_is_valid(uid):
        raise message_error(400, "uid contains illegal characters")
    if uid_is_too_long(uid):
        raise message_error(400, "uid too long, max 40 characters")
    existing, uid = _existing(org, dash_id, uid)
    if existing is not None and version != existing.version and not cmd.overwrite:
        if profile.save_conflict_is_409:
            raise message_error(409, "Dashboard already exists. Use overwrite flag to update.")
        raise status_error(412, "The dashboard has been changed by someone else", "version-mismatch")
    if profile.unique_titles:
        clash = _same_name(org, title, folder_uid, existing)
        if clash is not None:
            if not cmd.overwrite:
                raise status_error(412, "A dashboard with the same name in the folder already exists", "name-exists")
            existing, uid = clash, clash.uid
    if existing is not None and cmd.provisioned_external_id is None:
        if existing.provisioned_external_id or (profile.serves_apis and locks_legacy_edits(existing.annotations)):
            raise message_error(400, "Cannot save provisioned dashboard")
        manager = manager_of(existing.annotations) if profile.serves_apis else None
        if manager is not None and manager.kind == REPO:
            raise message_error(403, REPO_MESSAGE)
    if profile.legacy_save_is_k8s_adapter:
        # the adapter resets labels and annotations before the update (§14.5), dropping a manager that allowed edits
        labels: dict[str, str] = {}
        annotations = {MESSAGE: cmd.message} if cmd.message else {}
    else:
        labels = dict(existing.labels) if existing else {}
        annotations = {k: v for k, v in (existing.annotations if existing else {}).items() if k != MESSAGE}
        if cmd.message:
            annotations[MESSAGE] = cmd.message
    if is_v2(stored_version):
        data = {k: v for k, v in dash.items() if k not in ("id", "uid", "version")}
    else:
        data = {**dash, "title": title}
    return commit_dashboard(
        store,
        org,
        existing,
        DashboardWrite(
            uid=uid,
            folder_uid=folder_uid,
            data=data,
            api_version=stored_version,
            labels=labels,
            annotations=annotations,
            message=cmd.message,
            restored_from=cmd.restored_from,
            provisioned_external_id=cmd.provisioned_external_id,
        ),
        Actor(login, actor_ref),
        always_new_version=not profile.legacy_save_is_k8s_adapter,
    )


_LOOKS_LIKE_V2 = (
    "Dashboard appears to be a v2 spec (it has elements or a layout), it should be sent to the /apis endpoint"
)  # Grafana's LooksLikeV2SpecMessage; its exact wording is [unverified] (§14.5)


def unwrap_legacy_body(cmd: SaveCommand, profile: GrafanaProfile) -> tuple[SaveCommand, str]:
    """13's legacy save adapter (`[dash.go/13]`, §4.3, §14.5): a plain classic body is stored at v0alpha1; a v2-looking
    one is refused; a k8s-style wrapper (`apiVersion`, `metadata`, `spec`) is accepted only for
    `dashboard.grafana.app/<version>` and then stored at that version. Returns the command to save and the version."""
    dash = cmd.dashboard
    if "apiVersion" not in dash and not ("metadata" in dash and "spec" in dash):
        if looks_like_v2(dash):
            raise message_error(
                400,
                f"{_LOOKS_LIKE_V2} OR it should include a object wrapper with an explicit 'apiVersion' and move "
                "the body into a 'spec' element",
            )
        return cmd, "v0alpha1"
    api_version = dash.get("apiVersion")
    if not isinstance(api_version, str) or not api_version:
        raise message_error(400, "Dashboard appears to be a k8s style resource, but is missing an explicit apiVersion.")
    group, _, version = api_version.partition("/")
    if group == "dashboard.grafana.app" and version and not profile.api_resources(group, version):
        raise message_error(400, f"Dashboard apiVersion {api_version} is not served by this Grafana")
    if group != "dashboard.grafana.app" or not version:
        raise message_error(
            400,
            "The dashboard payload references a non dashboard apiVersion.  This should be sent to the requested api "
            "directly",
        )
    if "id" in dash:
        raise message_error(400, "Dashboard k8s style resource must not have an id at the root")
    spec, metadata = dash.get("spec"), dash.get("metadata") or {}
    if not isinstance(spec, dict) or not isinstance(metadata, dict):
        raise message_error(400, "Dashboard k8s style resource is missing a spec")
    unwrapped = dict(spec)
    name = metadata.get("name")
    if isinstance(name, str) and name:
        unwrapped["uid"] = name
    folder = (metadata.get("annotations") or {}).get(FOLDER) if isinstance(
        metadata.get("annotations"), dict) else None
    folder_uid = cmd.folder_uid or (folder if isinstance(folder, str) else "")
    return dataclasses.replace(cmd, dashboard=unwrapped, folder_uid=folder_uid), version


@dataclass(frozen=True)
class Actor:
    """Who writes: the login the legacy views show and the `user:`/`service-account:` ref the k8s views show."""

    login: str
    ref: str = ""


@dataclass
class DashboardWrite:
    """Everything one write (legacy save, app-platform create/update, UI edit) decides about the new record."""

    uid: str
    folder_uid: str
    data: dict[str, Any]  # classic JSON (title already trimmed) or a v2 spec, per `api_version`
    api_version: str
    labels: dict[str, str]
    annotations: dict[str, str]
    message: str = ""
    restored_from: int = 0
    provisioned_external_id: str | None = None


def comparable_spec(data: dict[str, Any], api_version: str) -> tuple[str, dict[str, Any]]:
    """What decides whether a write changed the spec (§14.2: generation +1 only then): the schema family and the
    spec without the `id`/`uid`/`version` the v0/v1 mutation hook strips."""
    if is_v2(api_version):
        return api_version, data
    return "classic", {k: v for k, v in data.items() if k not in ("id", "uid", "version")}


def commit_dashboard(
    store: Store,
    org: OrgState,
    existing: Dashboard | None,
    write: DashboardWrite,
    actor: Actor,
    *,
    always_new_version: bool = False,
    dry_run: bool = False,
) -> Dashboard:
    """Build (and, unless `dry_run`, store) the record a validated write produces. A new generation (= legacy
    version, with a history entry, `updated`/`updatedBy`) only when the spec or folder changed, or
    `always_new_version` (the ≤12 legacy save bumps on every save, §4.3); a new resourceVersion on every write.
    A dry run keeps the stored resourceVersion and generation (Grafana's storage hooks do not run, §14.3).

    A stored write then connects the dashboard's library panels (§15.2): an empty or unknown library panel uid
    raises 500 `Error while connecting library panels` with the dashboard already saved."""
    now = now_rfc3339()
    uid = write.uid or generate_uid(org.uid_taken)
    record_id = existing.id if existing else (0 if dry_run else store.next_id())
    api_version = write.api_version
    changed = (
        existing is None
        or always_new_version
        or existing.folder_uid != write.folder_uid
        or comparable_spec(existing.data, existing.api_version) != comparable_spec(write.data, api_version)
    )
    data = write.data
    if dry_run or not changed:
        new_version = existing.version if existing else 0
    else:
        new_version = existing.version + 1 if existing else 1
    if not is_v2(api_version):
        data = {**data, "id": record_id, "uid": uid, "version": new_version}
    title = str(data.get("title") or "")
    if existing is not None and (dry_run or not changed):
        history = existing.versions
        if data != existing.data:  # a dry run showing its new spec (a real write only gets here when it is the same)
            history = (*history[:-1], dataclasses.replace(history[-1], data=data, _json=None))
        updated, updated_by, updated_ref = existing.updated, existing.updated_by, existing.updated_by_ref
    else:
        entry = DashboardVersion(
            id=0 if dry_run else store.next_version_id(),
            version=new_version,
            parent_version=existing.version if existing else 0,
            restored_from=write.restored_from,
            created=now,
            created_by=actor.login,
            message=write.message,
            data=data,
        )
        history = (*existing.versions, entry)[-VERSIONS_TO_KEEP:] if existing else (entry,)
        updated, updated_by, updated_ref = now, actor.login, actor.ref
    provisioned = write.provisioned_external_id
    if provisioned is None:
        provisioned = existing.provisioned_external_id if existing else ""
    record = Dashboard(
        id=record_id,
        uid=uid,
        title=title,
        folder_uid=write.folder_uid,
        created=existing.created if existing else now,
        created_by=existing.created_by if existing else actor.login,
        updated=updated,
        updated_by=updated_by,
        versions=history,
        provisioned_external_id=provisioned,
        api_version=api_version,
        k8s_uid=existing.k8s_uid if existing and existing.k8s_uid else new_object_uid(),
        resource_version=(existing.resource_version if existing else "") if dry_run else store.resource_versions.next(),
        labels=dict(write.labels),
        annotations=dict(write.annotations),
        created_by_ref=existing.created_by_ref if existing else actor.ref,
        updated_by_ref=updated_ref if existing else "",
    )
    if not dry_run:
        org.put_dashboard(record, replaced_uid=existing.uid if existing else None)
        library_model.connect_dashboard(store, org, record)
    return record


def save_reply(dash: Dashboard, profile: GrafanaProfile) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": dash.id,
        "uid": dash.uid,
        "url": dashboard_url(dash.uid, dash.slug),
        "status": "success",
        "version": dash.version,
        "slug": dash.slug,
    }
    if profile.eleven_or_later:
        body["folderUid"] = dash.folder_uid
    return body
