"""Library elements (panels and variables) and their connections to dashboards, as the store keeps them in
`org.extras` (grafana-api.md §15.2); the routes are in `library_elements`, the dashboard writes call
`connect_dashboard`, folder deletes `elements_in`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dashkit.emulator.naming import avatar_url, now_rfc3339
from dashkit.emulator.replies import message_error
from dashkit.schema_v2 import is_v2

if TYPE_CHECKING:
    from dashkit.emulator.auth import Identity
    from dashkit.emulator.model import Dashboard
    from dashkit.emulator.store import OrgState, Store

STATE_KEY = "libraryElements"
PANEL, VARIABLE = 1, 2
KINDS = (PANEL, VARIABLE)
CONNECT_FAILED = "Error while connecting library panels"


def _state(org: OrgState, *, create: bool = False) -> dict[str, Any]:
    state = org.extras.get(STATE_KEY)
    if state is None:
        state = {"elements": {}, "connections": []}
        if create:
            org.extras[STATE_KEY] = state
    return state


def elements(org: OrgState) -> dict[str, dict[str, Any]]:
    """The org's elements by uid (read-only use: nothing is created)."""
    return _state(org)["elements"]


def add_element(org: OrgState, element: dict[str, Any]) -> None:
    _state(org, create=True)["elements"][element["uid"]] = element


def replace_element(org: OrgState, old_uid: str, element: dict[str, Any]) -> None:
    """Store `element` in place of the one stored as `old_uid` (a PATCH may change the uid)."""
    stored = _state(org, create=True)["elements"]
    stored.pop(old_uid, None)
    stored[element["uid"]] = element


def person(identity: Identity | None) -> dict[str, Any]:
    """`createdBy`/`updatedBy` of an element: the user's id, login and gravatar (of the email)."""
    if identity is None:
        return {"id": 0, "name": "", "avatarUrl": ""}
    return {"id": identity.id, "name": identity.login, "avatarUrl": avatar_url(identity.email)}


def _sorted(value: Any) -> Any:
    """Go's json.Marshal of a map: keys sorted at every level."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def with_panel_uid(model: Any, uid: str) -> Any:
    """`addUidToLibraryPanel`: a panel model's `libraryPanel.uid`, when it has one, becomes the element's uid
    ([unverified]: not in grafana-api.md)."""
    library = model.get("libraryPanel") if isinstance(model, dict) else None
    if isinstance(library, dict) and "uid" in library:
        return {**model, "libraryPanel": {**library, "uid": uid}}
    return model


def synced_model(model: Any, kind: int, name: str, type_default: str, description_default: str) -> dict[str, Any]:
    """`syncFieldsWithModel`: the model re-marshalled (sorted keys) with `type` and `description` forced in (the
    model's own, else the defaults), and for a variable its `name`. ValueError when the model is not an object or
    those fields are not strings (Grafana answers the route's 500)."""
    if not isinstance(model, dict):
        raise ValueError("model is not a JSON object")
    model = dict(model)
    if kind == VARIABLE:
        model["name"] = name  # [unverified]: not in grafana-api.md, from `syncFieldsWithModel`
    for key, default in (("type", type_default), ("description", description_default)):
        if model.get(key) is None:
            model[key] = default
        elif not isinstance(model[key], str):
            raise ValueError(f"model {key} is not a string")
    return _sorted(model)


def elements_in(org: OrgState, folder_uids: set[str]) -> list[dict[str, Any]]:
    """The elements stored in any of `folder_uids` ("" = General)."""
    return [element for element in elements(org).values() if element["folderUid"] in folder_uids]


def delete_elements(org: OrgState, doomed: list[dict[str, Any]]) -> None:
    state = _state(org)
    ids = {element["id"] for element in doomed}
    for element in doomed:
        state["elements"].pop(element["uid"], None)
    state["connections"] = [c for c in state["connections"] if c["elementId"] not in ids]


def _live_dashboard_uid(org: OrgState, dashboard_id: int) -> str | None:
    uid = org.uid_by_id.get(dashboard_id)
    return uid if uid is not None and uid in org.dashboards else None


def connections(org: OrgState, element: dict[str, Any]) -> list[dict[str, Any]]:
    """The element's connections to dashboards that still exist, oldest first, each with `connectionUid`."""
    found = []
    for connection in _state(org)["connections"]:
        if connection["elementId"] == element["id"]:
            dashboard_uid = _live_dashboard_uid(org, connection["dashboardId"])
            if dashboard_uid is not None:
                found.append({**connection, "dashboardUid": dashboard_uid})
    return found


def is_connected(org: OrgState, element: dict[str, Any]) -> bool:
    return bool(connections(org, element))


def drop_dangling_connections(org: OrgState) -> None:
    """Forget connections whose dashboard is gone (what element DELETE does first, §15.2)."""
    state = org.extras.get(STATE_KEY)
    if state is not None:
        state["connections"] = [
            c for c in state["connections"] if _live_dashboard_uid(org, c["dashboardId"]) is not None
        ]


def disconnect_dashboard(org: OrgState, dashboard_id: int) -> None:
    """A deleted dashboard uses no library panel any more."""
    state = org.extras.get(STATE_KEY)
    if state is not None and state["connections"]:
        state["connections"] = [c for c in state["connections"] if c["dashboardId"] != dashboard_id]


def _classic_panel_uids(panels: Any) -> list[str | None]:
    """The `libraryPanel.uid` of every panel, and of every panel inside a row, that has a non-null `libraryPanel`
    (None where that uid is not a non-empty string)."""
    found: list[str | None] = []
    for panel in panels if isinstance(panels, list) else ():
        if not isinstance(panel, dict):
            continue
        if panel.get("type") == "row":
            found.extend(_classic_panel_uids(panel.get("panels")))
            continue
        library = panel.get("libraryPanel")
        if library is not None:
            uid = library.get("uid") if isinstance(library, dict) else None
            found.append(uid if isinstance(uid, str) and uid else None)
    return found


def _v2_panel_uids(spec: dict[str, Any]) -> list[str | None]:
    """The `spec.libraryPanel.uid` of every `LibraryPanel` element of a schema-v2 spec."""
    elements_ = spec.get("elements")
    found: list[str | None] = []
    for element in elements_.values() if isinstance(elements_, dict) else ():
        if isinstance(element, dict) and element.get("kind") == "LibraryPanel":
            spec_ = element.get("spec") if isinstance(element.get("spec"), dict) else {}
            library = spec_.get("libraryPanel") if isinstance(spec_.get("libraryPanel"), dict) else {}
            uid = library.get("uid")
            found.append(uid if isinstance(uid, str) and uid else None)
    return found


def connect_dashboard(store: Store, org: OrgState, dash: Dashboard) -> None:
    """`ConnectLibraryPanelsForDashboard`, run after a dashboard write is stored: the dashboard's connections are
    replaced by the library panels it now uses, all or nothing. An empty or unknown uid keeps the old connections
    and raises 500 `Error while connecting library panels` (+trace); the dashboard stays saved, so the store is
    marked changed before raising.

    [unverified] grafana-api.md documents this for `POST /api/dashboards/db` only; the emulator runs it for every
    dashboard write (the 12/13 `/apis` routes, restores, UI edits too), reading `LibraryPanel` elements of v2 specs."""
    uids = _v2_panel_uids(dash.data) if is_v2(dash.api_version) else _classic_panel_uids(dash.data.get("panels"))
    state = org.extras.get(STATE_KEY)
    if not uids and (state is None or not any(c["dashboardId"] == dash.id for c in state["connections"])):
        return
    stored = elements(org)
    if any(uid is None or uid not in stored for uid in uids):
        store.mark_dirty()
        raise message_error(500, CONNECT_FAILED, trace=True)
    state = _state(org, create=True)
    kept = [c for c in state["connections"] if c["dashboardId"] != dash.id]
    now = now_rfc3339()
    for uid in dict.fromkeys(u for u in uids if u is not None):
        kept.append(
            {
                "id": store.next_counter("library_connection"),
                "elementId": stored[uid]["id"],
                "dashboardId": dash.id,
                "created": now,
            }
        )
    state["connections"] = kept
