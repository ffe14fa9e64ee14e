"""grafanalib interop: builder panels that grafanalib takes as its own panels, and grafanalib `AlertGroup`s (its
Grafana 9+ file-provisioning alerts) turned into dashkit rule groups."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..datasource_refs import PREFIX
from ..normalize import plain_json
from .alerts import (
    ERROR_STATES,
    EXPRESSION_DATASOURCE,
    EXPRESSION_UID,
    NO_DATA_STATES,
    AlertQuery,
    AlertRule,
    RuleGroup,
    check_labels,
    check_queries,
    duration,
    rule_group,
)
from .datasources import datasource_ref
from .errors import BuilderError

if TYPE_CHECKING:
    from grafanalib.core import AlertGroup, AlertRulev9


class _AttrsFields:
    """Panel's attrs fields, made on first use: grafanalib copies panels with `attr.evolve()`, which reads them, and
    making them when the class is defined would import attrs with every `import dashkit.builders`."""

    def __get__(self, instance: Any, owner: type) -> Any:
        import attr

        fields = attr.fields(attr.make_class("PanelFields", ["json"]))
        owner.__attrs_attrs__ = fields
        return fields


class Panel(dict):
    """A panel's JSON: a plain dict for dashkit (equal to the dict it holds, serialised as one), and a panel that
    grafanalib's Dashboard, Row, RowPanel, auto_panel_ids() and DashboardEncoder take as one of their own.

    grafanalib reads a panel's `id` (and a legacy Row its `span`), walks a row's `panels`, and copies a panel with
    `attr.evolve(panel, id=3)`: here each of those is a view of the JSON key of that name, and an evolved copy is the
    same JSON with those keys replaced."""

    __slots__ = ()
    __attrs_attrs__ = _AttrsFields()

    def __init__(self, json: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), **changes: Any) -> None:
        dict.__init__(self, json, **changes)

    @property
    def json(self) -> Panel:
        """The JSON itself: the one attrs field, what `attr.evolve()` copies."""
        return self

    @property
    def id(self) -> Any:
        return self.get("id")

    @property
    def span(self) -> Any:
        return self.get("span")

    @property
    def panels(self) -> list[Any]:
        """A row's panels; like grafanalib's own panels, only a row has the attribute."""
        if "panels" not in self:
            raise AttributeError("panels")
        return self["panels"]

    def _iter_panels(self) -> Iterator[Panel]:
        return (_as_grafanalib_panel(p) for p in self.get("panels") or ())

    def _map_panels(self, f: Callable[[Any], Any]) -> Any:
        import attr

        panel = f(self)
        children = panel.get("panels") if isinstance(panel, dict) else None
        if not children:
            return panel
        return attr.evolve(panel, panels=[f(_as_grafanalib_panel(p)) for p in children])

    def to_json_data(self) -> dict[str, Any]:
        return dict(self)


def _as_grafanalib_panel(item: Any) -> Any:
    """A dict as a Panel (a shallow copy); grafanalib panels and Panels as they are."""
    return Panel(item) if isinstance(item, dict) and not isinstance(item, Panel) else item


# ---- alert groups -------------------------------------------------------------------------------------------------
_EXPRESSION_UIDS = ("-100", EXPRESSION_UID)  # grafanalib writes "-100", the provisioning API's own is "__expr__"
_STATES = {"No Data": "NoData"}  # grafanalib's spelling of Grafana's states, where it differs
_EXPRESSION_FIELDS = {"reduce": ("reducer",), "resample": ("window", "downsampler", "upsampler"), "math": (),
                      "classic_conditions": ("conditions",)}
_MODEL_DEFAULTS = {"intervalMs": 1000, "maxDataPoints": 43200}


def grafanalib_rule_group(group: AlertGroup) -> RuleGroup:
    """The rule group a grafanalib `AlertGroup` of `AlertRulev9`s describes, checked like `rule_group()`.

    The group's `folder` is a title path ("Team/Service"); left at grafanalib's default ("alert") the group goes
    where dashkit's own would, in its module's folder. Queries keep their datasource as written (`"@prometheus"`, a
    uid); expressions use the `__expr__` datasource, with only the fields their type reads."""
    import attr
    from grafanalib.core import AlertGroup, AlertRulev9

    if not isinstance(group, AlertGroup):
        raise BuilderError(f"alert groups must be grafanalib AlertGroup(...) objects, not {type(group).__name__}")
    where = f"alert group {group.name!r}"
    for rule in group.rules:
        if not isinstance(rule, AlertRulev9):
            raise BuilderError(f"{where}: {type(rule).__name__} is not a Grafana 9+ rule; use AlertRulev9 (the "
                               "group's evaluateInterval is every rule's interval)")
    default_folder = attr.fields(AlertGroup).folder.default
    folder = None if group.folder == default_folder else group.folder
    if folder is not None and not any(part.strip() for part in folder.split("/")):
        raise BuilderError(f"{where}: folder {folder!r} names no folder")
    return rule_group(group.name, [_rule(rule) for rule in group.rules], interval=group.evaluateInterval,
                      folder=folder)


def _rule(rule: AlertRulev9) -> AlertRule:
    try:  # the ruler format grafanalib writes: {uid, for, labels, annotations, grafana_alert: {title, data, ...}}
        data = plain_json(rule)
    except Exception as exc:  # what a definition's own objects raise is the definition's mistake
        raise BuilderError(f"alert rule {rule.title!r}: to_json_data() failed: {type(exc).__name__}: {exc}") from None
    alert = data["grafana_alert"]
    title = alert["title"]
    if not isinstance(title, str) or not title.strip():
        raise BuilderError(f"an alert rule needs a non-empty title, got {title!r}")
    title = title.strip()
    queries = tuple(_query(query, title) for query in alert["data"])
    check_queries(title, queries, alert["condition"])
    labels = data["labels"] or {}
    check_labels(title, labels)
    annotations = dict(data["annotations"] or {})
    for name, text in annotations.items():
        if not isinstance(text, str):
            raise BuilderError(f"alert '{title}': annotation {name} must be a string, got {text!r}")
    if rule.dashboard_uid:  # documented by grafanalib, not written by its to_json_data()
        annotations.setdefault("__dashboardUid__", rule.dashboard_uid)
        annotations.setdefault("__panelId__", str(rule.panel_id))
    no_data = _STATES.get(alert["no_data_state"], alert["no_data_state"])
    on_error = _STATES.get(alert["exec_err_state"], alert["exec_err_state"])
    if no_data not in NO_DATA_STATES or on_error not in ERROR_STATES:
        raise BuilderError(f"alert '{title}': no-data state {no_data!r} or error state {on_error!r} is not one "
                           "Grafana knows")
    return AlertRule(title=title, data=queries, condition=alert["condition"],
                     pending=duration(data["for"], f"alert '{title}': evaluateFor"), labels=dict(labels),
                     annotations=annotations, no_data_state=no_data, exec_err_state=on_error, uid=data["uid"])


def _query(query: dict[str, Any], title: str) -> AlertQuery:
    ref = query["refId"]
    model = query["model"]
    if query["datasourceUid"] in _EXPRESSION_UIDS:
        return AlertQuery(ref, EXPRESSION_UID, _expression_model(model))
    datasource = query["datasourceUid"]  # grafanalib writes the Target's `datasource` here as it was given
    uid = datasource.get("uid") if isinstance(datasource, dict) else datasource
    if not isinstance(uid, str) or not uid.strip():
        raise BuilderError(f"alert '{title}': query {ref} needs a datasource: Target(datasource='@prometheus') "
                           "(a logical name dashkit.yaml maps) or a datasource uid")
    if uid.startswith(PREFIX):
        datasource_ref(uid, "prometheus")  # a logical name the project maps, checked like a builder's
    model = {k: v for k, v in model.items() if v not in ("", None) and k != "refId"}
    if model.get("query") == model.get("expr"):
        model.pop("query", None)  # grafanalib repeats expr as `query`
    window = query.get("relativeTimeRange") or {}
    return AlertQuery(ref, uid, model, int(window.get("from") or 0), int(window.get("to") or 0))


def _expression_model(model: dict[str, Any]) -> dict[str, Any]:
    """A server-side expression as dashkit's own are written: its type, input and the fields that type reads."""
    kind = model.get("type")
    if kind not in _EXPRESSION_FIELDS:
        return {**model, "datasource": EXPRESSION_DATASOURCE}
    out = {"type": kind, "expression": model.get("expression", "")}
    out.update({key: model[key] for key in _EXPRESSION_FIELDS[kind] if key in model})
    settings = model.get("settings") or {}
    if kind == "reduce" and settings.get("mode") not in (None, "", "strict"):
        out["settings"] = {"mode": settings["mode"]}
        if settings["mode"] == "replaceNN":
            out["settings"]["replaceWithValue"] = settings.get("replaceWithValue", 0)
    if model.get("hide"):
        out["hide"] = True
    out.update({k: model[k] for k, v in _MODEL_DEFAULTS.items() if model.get(k, v) != v})
    out["datasource"] = EXPRESSION_DATASOURCE
    return out

