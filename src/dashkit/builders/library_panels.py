"""Library panels: a panel defined once (`shared_panel`, exported from a dashboards/ module as `library_panels`) and
placed on any number of dashboards by name (`library_panel("checkout-error-rate")`); changing it changes them all."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import naming
from ..normalize import plain_json
from .errors import BuilderError
from .grafanalib_compat import Panel
from .panels import deep_merge, size

MAX_NAME = 150  # Grafana's library_element.name column
PLACEMENT = ("id", "gridPos", "libraryPanel")  # not part of the shared model: where it sits on one dashboard
_DERIVED_RE = re.compile(r"-lp[0-9a-f]{8}$")


def library_panel_uid(name: str) -> str:
    """The uid dashkit gives the library panel called `name`: readable, and the same wherever it is computed (a
    dashboard module that places the panel does not need the module that defines it)."""
    head = naming.slug(name)[:29].rstrip("-") or "panel"
    return f"{head}-lp{hashlib.sha1(f'library_panel/{name}'.encode()).hexdigest()[:8]}"


def looks_derived_uid(uid: object) -> bool:
    """True for a uid shaped like `library_panel_uid` makes (some dashkit project's library panel)."""
    return isinstance(uid, str) and bool(_DERIVED_RE.search(uid))


def is_named_reference(reference: Mapping[str, Any]) -> bool:
    """True when a dashboard's `libraryPanel` reference names a library panel by name (its uid is the one derived
    from that name): one the project must define. Any other uid is an existing library panel's, given explicitly."""
    name, uid = reference.get("name"), reference.get("uid")
    return isinstance(name, str) and bool(name) and uid == library_panel_uid(name)


@dataclass(frozen=True, eq=False)
class SharedPanel:
    """A library panel as a project defines it: its name (unique in the project), the panel model every dashboard
    that places it shows, and optionally its Grafana folder (default: the defining module's directory)."""

    name: str
    model: dict[str, Any] = field(repr=False)
    folder: str | tuple[str, ...] | None = None

    @property
    def uid(self) -> str:
        return library_panel_uid(self.name)

    @property
    def title(self) -> str:
        return str(self.model.get("title") or self.name)


def shared_panel(name: str, panel: Any, *, description: str | None = None,
                 folder: str | tuple[str, ...] | None = None, extra: Mapping[str, Any] | None = None) -> SharedPanel:
    """A library panel: `panel` (a builder panel, a grafanalib panel or a dict of panel JSON) defined once under
    `name`, for dashboards to place with `library_panel(name)`. Export it from a dashboards/ module:
    `library_panels = [shared_panel("checkout-error-rate", timeseries(...))]`.

    Options:
      name: the library panel's name in Grafana, unique in the project (1-150 characters); its uid derives from it.
      panel: the panel every dashboard that places it shows; its width and height are the default size there.
      description: the library panel's description (default: the panel's own).
      folder: the Grafana folder ("Team/Service"), instead of the module's directory under dashboards/.
      extra: JSON deep-merged into the panel last.
    """
    if not isinstance(name, str) or not name.strip():
        raise BuilderError(f"a library panel needs a non-empty name, got {name!r}")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise BuilderError(f"library panel name {name[:40]!r}... is {len(name)} characters; Grafana takes at most "
                           f"{MAX_NAME}")
    model = _panel_json(panel, f"library panel '{name}'")
    if description is not None:
        if not isinstance(description, str):
            raise BuilderError(f"library panel '{name}': description must be a string, got {description!r}")
        model["description"] = description
    model = dict(deep_merge(model, extra))
    if folder is not None and not isinstance(folder, (str, tuple)):
        raise BuilderError(f"library panel '{name}': folder must be a string like 'Team/Service' or a tuple of "
                           f"titles, not {type(folder).__name__}")
    return SharedPanel(name=name, model=model, folder=folder)


def library_panel(panel: str | SharedPanel | None = None, *, uid: str | None = None,
                  width: int | str | None = None, height: int | None = None, title: str | None = None) -> Panel:
    """A library panel placed on a dashboard: the panel reference Grafana stores (`{"libraryPanel": {"uid", "name"}}`),
    which `layout()`, `dashboard()`, rows and grafanalib dashboards place like any panel.

    `panel` is the name of a library panel some dashboards/ module of the project defines (`shared_panel(name, ...)`;
    a name no module defines fails the build, naming the dashboard), or that SharedPanel itself. To place a library
    panel that exists in Grafana but not in the project (made in the UI, or by another project), give its `uid`
    instead: it is not checked when building, and must exist when syncing.

    Options:
      panel: the library panel's name, or its SharedPanel.
      uid: the uid of an existing library panel, instead of a name.
      width: grid columns 1-24 or a width name ('half', 'third', ...); default: the shared panel's own, else half.
      height: grid rows; default: the shared panel's own, else 8.
      title: the title shown until Grafana has loaded the library panel (default: its title, else its name).
    """
    default_w, default_h = 12, 8
    if isinstance(panel, SharedPanel):
        if uid is not None:
            raise BuilderError(f"library panel '{panel.name}': give a SharedPanel or a uid, not both")
        name, ref_uid = panel.name, panel.uid
        grid = panel.model.get("gridPos") if isinstance(panel.model.get("gridPos"), dict) else {}
        default_w, default_h = grid.get("w", default_w), grid.get("h", default_h)
        shown = panel.title
    elif uid is not None:
        if not naming.is_valid_uid(uid):
            raise BuilderError(f"library panel uid {uid!r} must be 1-40 letters, digits, '-' or '_'")
        if panel is not None and (not isinstance(panel, str) or not panel.strip()):
            raise BuilderError(f"library panel {uid!r}: its name must be a non-empty string, got {panel!r}")
        name = panel.strip() if isinstance(panel, str) else uid
        ref_uid, shown = uid, name
    elif isinstance(panel, str) and panel.strip():
        name = panel.strip()
        ref_uid, shown = library_panel_uid(name), name
    else:
        raise BuilderError(f"library_panel() takes the name of a library panel the project defines (or its "
                           f"SharedPanel), or uid= of one that exists in Grafana; got {panel!r}")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise BuilderError(f"library panel '{name}': title must be a non-empty string, got {title!r}")
    w, h = size(width if width is not None else default_w, height if height is not None else default_h)
    return Panel({"title": title.strip() if title else shown, "gridPos": {"h": h, "w": w, "x": 0, "y": 0},
                  "libraryPanel": {"uid": ref_uid, "name": name}})


def _panel_json(panel: Any, where: str) -> dict[str, Any]:
    """The shared model of a panel: its JSON without what places it on one dashboard (id, position), its size kept."""
    if isinstance(panel, SharedPanel):
        raise BuilderError(f"{where}: the panel is already a library panel ('{panel.name}')")
    if isinstance(panel, Mapping):
        data = dict(panel)
    elif callable(getattr(panel, "to_json_data", None)):
        try:
            data = plain_json(panel)
        except Exception as exc:  # a definition's own object failing is the definition's mistake
            raise BuilderError(f"{where}: the panel cannot be rendered as JSON: {type(exc).__name__}: {exc}") \
                from None
    else:
        raise BuilderError(f"{where}: the panel must be a builder panel, a grafanalib panel or a dict, "
                           f"not {type(panel).__name__}")
    if not isinstance(data, dict):
        raise BuilderError(f"{where}: the panel renders to a JSON {type(data).__name__}, not an object")
    if data.get("type") == "row":
        raise BuilderError(f"{where}: a row cannot be a library panel; share the panels in it one by one")
    if data.get("libraryPanel"):
        raise BuilderError(f"{where}: the panel is a reference to another library panel, not a panel")
    if not isinstance(data.get("type"), str) or not data["type"]:
        raise BuilderError(f"{where}: the panel needs a type (e.g. 'timeseries')")
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise BuilderError(f"{where}: the panel needs a title")
    grid = data.get("gridPos") if isinstance(data.get("gridPos"), dict) else {}
    w, h = size(grid.get("w", 12), grid.get("h", 8))
    model = {k: v for k, v in data.items() if k not in PLACEMENT}
    model["gridPos"] = {"h": h, "w": w, "x": 0, "y": 0}
    try:
        return plain_json(model)
    except (TypeError, ValueError, RecursionError) as exc:
        raise BuilderError(f"{where}: the panel cannot be rendered as JSON: {exc}") from None
