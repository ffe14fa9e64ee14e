"""Saving a dashboard the way Grafana's legacy `/api` path does: validate, lock-check, version, persist (§4.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashkit.emulator.model import VERSIONS_TO_KEEP, Dashboard, DashboardVersion, Folder
from dashkit.emulator.naming import (
    dashboard_url,
    generate_uid,
    now_rfc3339,
    parse_duration,
    slugify,
    uid_is_too_long,
    uid_is_valid,
)
from dashkit.emulator.profile import GrafanaProfile
from dashkit.emulator.replies import bad_request_data, message_error, status_error
from dashkit.emulator.store import OrgState, Store

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


def save_dashboard(store: Store, org: OrgState, profile: GrafanaProfile, cmd: SaveCommand, login: str) -> Dashboard:
    """Validate and apply one save; raises `ApiError` with Grafana's status and body on refusal."""
    dash = cmd.dashboard
    dash_id = _as_int(dash.get("id"))
    raw_uid = dash.get("uid")
    uid = raw_uid.strip() if isinstance(raw_uid, str) else ""
    version = _as_int(dash.get("version")) if (dash_id or uid) else 0
    raw_title = dash.get("title")
    title = raw_title.strip() if isinstance(raw_title, str) else ""

    folder_uid = _target_folder(org, cmd, profile)
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
    if existing is not None and existing.provisioned_external_id and cmd.provisioned_external_id is None:
        raise message_error(400, "Cannot save provisioned dashboard")
    return _persist(store, org, cmd, existing, uid, title, folder_uid, login)


def _persist(
    store: Store,
    org: OrgState,
    cmd: SaveCommand,
    existing: Dashboard | None,
    uid: str,
    title: str,
    folder_uid: str,
    login: str,
) -> Dashboard:
    now = now_rfc3339()
    uid = uid or generate_uid(org.uid_taken)
    record_id = existing.id if existing else store.next_id()
    new_version = existing.version + 1 if existing else 1
    data = dict(cmd.dashboard)
    data.update(id=record_id, uid=uid, title=title, version=new_version)
    entry = DashboardVersion(
        id=store.next_version_id(),
        version=new_version,
        parent_version=existing.version if existing else 0,
        restored_from=cmd.restored_from,
        created=now,
        created_by=login,
        message=cmd.message,
        data=data,
    )
    history = (*existing.versions, entry)[-VERSIONS_TO_KEEP:] if existing else (entry,)
    provisioned = cmd.provisioned_external_id
    if provisioned is None:
        provisioned = existing.provisioned_external_id if existing else ""
    record = Dashboard(
        id=record_id,
        uid=uid,
        title=title,
        folder_uid=folder_uid,
        created=existing.created if existing else now,
        created_by=existing.created_by if existing else login,
        updated=now,
        updated_by=login,
        versions=history,
        provisioned_external_id=provisioned,
    )
    org.put_dashboard(record, replaced_uid=existing.uid if existing else None)
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
