"""Dashboard builders: `dashboard()` for any layout, and the golden-signal, USE and overview dashboards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import naming
from .errors import BuilderError
from .layout import layout
from .panels import deep_merge

SCHEMA_VERSION = 39
GOLDEN_SIGNALS_TAG = "golden-signals"
BUILTIN_ANNOTATIONS = {
    "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard",
}


class Dashboard(dict):
    """Dashboard JSON (a plain dict) that may also say which Grafana folder it belongs in."""

    folder: str | None = None


def dashboard(title: str, items: Sequence[Any], *, uid: str | None = None, description: str = "",
              tags: Sequence[str] = (), variables: Sequence[Mapping[str, Any]] = (),
              annotations: Sequence[Mapping[str, Any]] = (), links: Sequence[Mapping[str, Any]] = (),
              time: tuple[str, str] = ("now-6h", "now"), refresh: str = "1m", timezone: str = "browser",
              editable: bool = False, folder: str | None = None, extra: Mapping[str, Any] | None = None) -> Dashboard:
    """A dashboard whose panels and Rows are laid out on the grid automatically, ids in reading order.

    Not editable in the Grafana UI by default: the code is its source, and UI edits would only be drift.

    Options:
      title: the dashboard title.
      items: panels (builder results, grafanalib panels, dicts) and Rows, in reading order.
      uid: the dashboard uid (default: derived from the folder path and title).
      description: shown in the dashboard settings and search.
      tags: dashboard tags (each 1-50 characters; repeats dropped).
      variables: templating variables (datasource_variable, query_variable, chained_variables...).
      annotations: annotation queries, after Grafana's built-in "Annotations & Alerts".
      links: header links (dashboard_link).
      time: the default time range, (from, to).
      refresh: the auto-refresh interval (at least 5s), or "" for none.
      timezone: "browser", "utc" or a time zone name.
      editable: let people edit it in Grafana's UI (their edits are drift the next sync reports).
      folder: the Grafana folder ("Team/Service"), instead of the module's directory under dashboards/.
      extra: JSON deep-merged into the dashboard last, for anything the builder does not model.
    """
    if not isinstance(title, str) or not title.strip():
        raise BuilderError(f"a dashboard needs a non-empty title, got {title!r}")
    if uid is not None and not naming.is_valid_uid(uid):
        raise BuilderError(f"uid {uid!r} must be 1-40 letters, digits, '-' or '_'")
    for tag in tags:
        if not isinstance(tag, str) or not tag or len(tag) > 50:
            raise BuilderError(f"tag {tag!r} must be a string of 1-50 characters (Grafana's limit)")
    if refresh and not _is_refresh(refresh):
        raise BuilderError(f"refresh {refresh!r} must be a duration of at least 5s like '30s' or '1m', or ''")
    body: dict[str, Any] = {
        "title": title.strip(),
        "description": description,
        "tags": list(dict.fromkeys(tags)),
        "timezone": timezone,
        "editable": editable,
        "graphTooltip": 1,  # shared crosshair: compare signals at the same instant
        "time": {"from": time[0], "to": time[1]},
        "refresh": refresh,
        "schemaVersion": SCHEMA_VERSION,
        "annotations": {"list": [dict(BUILTIN_ANNOTATIONS), *map(dict, annotations)]},
        "templating": {"list": [dict(v) for v in variables]},
        "links": [dict(link) for link in links],
        "panels": layout(items),
    }
    if uid:
        body["uid"] = uid
    result = Dashboard(deep_merge(body, extra))
    result.folder = folder
    return result


def _is_refresh(value: str) -> bool:
    import re

    match = re.fullmatch(r"(\d+)(s|m|h|d)", value)
    if not match:
        return False
    seconds = int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return seconds >= 5


def dashboard_link(title: str, *, tags: Sequence[str] = (), url: str | None = None,
                   as_dropdown: bool = True) -> dict[str, Any]:
    """A link in the dashboard header: to every dashboard carrying `tags`, or to one `url`."""
    if url:
        return {"title": title, "type": "link", "url": url, "icon": "dashboard", "includeVars": False,
                "keepTime": True, "targetBlank": False, "asDropdown": False, "tags": [], "tooltip": ""}
    if not tags:
        raise BuilderError(f"dashboard link '{title}' needs tags or a url")
    return {"title": title, "type": "dashboards", "tags": list(tags), "asDropdown": as_dropdown,
            "includeVars": True, "keepTime": True, "targetBlank": False, "icon": "external link", "url": "",
            "tooltip": ""}
