"""Dashboard variables: the datasource picker and chained label_values variables (cluster > namespace > ...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .conventions import DEFAULT, Conventions
from .datasources import datasource_ref
from .errors import BuilderError
from .queries import Matcher, selector, variable

DATASOURCE_VARIABLE = "${datasource}"


def datasource_variable(*, name: str = "datasource", type: str = "prometheus", default: str | None = "prometheus",
                        label: str = "Data source") -> dict[str, Any]:
    """A picker of every datasource of `type`; `default` is the logical name selected when the dashboard opens."""
    var: dict[str, Any] = {
        "type": "datasource", "name": _name(name), "label": label, "query": type, "regex": "",
        "hide": 0, "refresh": 1, "includeAll": False, "multi": False, "options": [],
    }
    if default:
        uid = datasource_ref(default, type)["uid"]
        var["current"] = {"text": uid, "value": uid}
    else:
        var["current"] = {}
    return var


def label_values(label: str, metric: str | None = None, matchers: Sequence[Matcher] = ()) -> str:
    """Grafana's Prometheus variable query `label_values(metric{...}, label)`."""
    if metric is None:
        if matchers:
            raise BuilderError("label_values with matchers needs a metric to match them on")
        return f"label_values({label})"
    return f"label_values({selector(metric, matchers)}, {label})"


def query_variable(name: str, query: str, *, label: str | None = None, datasource: str = DATASOURCE_VARIABLE,
                   include_all: bool = True, all_value: str | None = ".*", multi: bool = False,
                   hide: bool = False, sort: int = 1) -> dict[str, Any]:
    """A variable whose options come from a Prometheus query, refreshed when the time range changes."""
    ds = datasource_ref(datasource, "prometheus")
    var: dict[str, Any] = {
        "type": "query", "name": _name(name), "label": label or name.replace("_", " ").capitalize(),
        "datasource": ds, "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "definition": query, "refresh": 2, "regex": "", "sort": sort, "hide": 2 if hide else 0,
        "includeAll": include_all, "multi": multi, "current": {}, "options": [],
    }
    if include_all and all_value is not None:
        var["allValue"] = all_value
    return var


def chained_variables(labels: Sequence[str] | None = None, *, metric: str | None = None,
                      conventions: Conventions = DEFAULT, fixed: Sequence[Matcher] = (),
                      multi: Sequence[str] = ("instance",)) -> list[dict[str, Any]]:
    """One variable per label, each listing values under the ones before it (cluster > namespace > service).

    `fixed` matchers (e.g. the service a dashboard is about) narrow every list. Labels in `multi` allow several
    values; the others pick one (or All)."""
    c = conventions
    labels = list(labels or (c.cluster_label, c.namespace_label, c.service_label, c.instance_label))
    metric = metric or c.requests_total
    out = []
    before: list[Matcher] = list(fixed)
    for label in labels:
        query = label_values(label, metric, before)
        out.append(query_variable(label, query, multi=label in multi))
        before.append(variable(label))
    return out


def _name(name: str) -> str:
    import re

    if not isinstance(name, str) or not re.match(r"^[A-Za-z_]\w*$", name):
        raise BuilderError(f"variable name {name!r} must be letters, digits and '_'")
    return name
