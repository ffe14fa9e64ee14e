"""The form an existing dashboard takes when dashkit adopts it: datasources by logical name, import-template
placeholders (`__inputs`, `${DS_PROMETHEUS}`) resolved, and nothing else changed. Both the code generator and the
fidelity check start from it, and each change is reported."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..datasource_refs import PREFIX

IMPORT_METADATA = ("__inputs", "__requires", "__elements")
_TEMPLATE_RE = re.compile(r"^\$\{(DS_[A-Za-z0-9_]+)\}$")


@dataclass
class Adopted:
    dashboard: dict[str, Any]
    notes: list[str] = field(default_factory=list)


class UnsupportedDashboard(ValueError):
    """Input that is not a dashboard dashkit can adopt (with the reason)."""


def check_supported(data: Any) -> dict[str, Any]:
    if isinstance(data, list):
        raise UnsupportedDashboard("is a JSON list, not a dashboard object (export one dashboard per file)")
    if not isinstance(data, dict):
        raise UnsupportedDashboard(f"is a JSON {type(data).__name__}, not a dashboard object")
    if isinstance(data.get("dashboard"), dict) and "meta" in data:  # an API export {dashboard, meta}
        data = data["dashboard"]
    if "elements" in data or "layout" in data or str(data.get("apiVersion", "")).startswith("dashboard.grafana.app"):
        raise UnsupportedDashboard("is a schema v2 dashboard (elements/layout, Grafana 12+): dashkit reads and syncs "
                                   "v2 but does not yet turn it into builders; it imports the classic "
                                   "JSON model (Grafana's /api and v1 resources)")
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise UnsupportedDashboard("has no title")
    if "panels" not in data and "rows" not in data:
        raise UnsupportedDashboard("has neither panels nor rows: not a dashboard")
    return data


def adopt(data: dict[str, Any], uid_names: Mapping[str, str] | None = None,
          name_names: Mapping[str, str] | None = None) -> Adopted:
    """`uid_names` maps concrete datasource uids to logical names (from dashkit.yaml or the environment);
    `name_names` maps datasource names to logical names (dashkit.yaml's `{name: ...}` entries), which a datasource
    variable showing that name (`current: {text: Loki, value: <uid>}`) turns into a uid mapping too."""
    data = copy.deepcopy(check_supported(data))
    uid_names = {**_named_by_variables(data, name_names or {}), **(uid_names or {})}
    notes: list[str] = []
    inputs = {i.get("name"): i for i in data.get("__inputs") or [] if isinstance(i, dict)}
    template_names: dict[str, str] = {}
    for name, spec in inputs.items():
        if spec.get("type") == "datasource":
            template_names[name] = str(spec.get("pluginId") or name.lower().removeprefix("ds_"))
    for key in IMPORT_METADATA:
        if key in data:
            del data[key]
            notes.append(f"dropped {key} (import-template metadata Grafana's UI consumes on import)")
    seen_templates: set[str] = set()
    seen_uids: set[str] = set()

    def visit(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: _ref(v) if k in ("datasource", "datasourceUid") else visit(v) for k, v in node.items()}
        if isinstance(node, list):
            return [visit(v) for v in node]
        return node

    def _ref(value: Any) -> Any:
        uid = value.get("uid") if isinstance(value, dict) else value
        if isinstance(uid, str):
            match = _TEMPLATE_RE.match(uid)
            logical = None
            if match and match.group(1) in template_names:
                logical = template_names[match.group(1)]
                seen_templates.add(f"${{{match.group(1)}}} -> @{logical}")
            elif uid_names and uid in uid_names and isinstance(value, dict):
                logical = uid_names[uid]
                seen_uids.add(f"{uid} -> @{logical}")
            if logical:
                if isinstance(value, dict):
                    return {**value, "uid": PREFIX + logical}
                return PREFIX + logical
        return visit(value)

    data = visit(data)
    for variable in _datasource_variables(data):  # the option selected when the dashboard opens
        current = variable["current"]
        logical = uid_names.get(current.get("value"))
        if logical:
            variable["current"] = {**current, "text": PREFIX + logical, "value": PREFIX + logical}
            seen_uids.add(f"{current['value']} -> @{logical}")
    notes += [f"datasource {change} (import template)" for change in sorted(seen_templates)]
    notes += [f"datasource {change}" for change in sorted(seen_uids)]
    return Adopted(data, notes)


def _datasource_variables(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The `type: datasource` variables of a dashboard that have a single selected option."""
    templating = data.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    return [v for v in variables or [] if isinstance(v, dict) and v.get("type") == "datasource"
            and isinstance(v.get("current"), dict) and isinstance(v["current"].get("value"), str)]


def _named_by_variables(data: dict[str, Any], name_names: Mapping[str, str]) -> dict[str, str]:
    """uid -> logical name for each datasource variable whose selected option is a datasource `name_names` maps:
    Grafana stores that option as {text: <datasource name>, value: <its uid>}."""
    found: dict[str, str] = {}
    for variable in _datasource_variables(data):
        text, uid = variable["current"].get("text"), variable["current"]["value"]
        if isinstance(text, str) and text in name_names and uid and not uid.startswith(("$", PREFIX)):
            found.setdefault(uid, name_names[text])
    return found
