"""Small builders for rule examples (the examples are data that feed the docs and the tests)."""

from __future__ import annotations

from typing import Any

PROM = {"type": "prometheus", "uid": "${datasource}"}
DS_VAR = {"type": "datasource", "name": "datasource", "query": "prometheus"}


def query_var(name: str, query: str, refresh: int | None = 2) -> dict[str, Any]:
    """A query variable; `refresh=None` leaves Grafana's default."""
    var: dict[str, Any] = {"type": "query", "name": name, "query": query}
    if refresh is not None:
        var["refresh"] = refresh
    return var


def panel(title: str = "Requests", expr: str = 'sum(rate(http_requests_total{job="api"}[$__rate_interval]))',
          **extra: Any) -> dict[str, Any]:
    base = {"id": 1, "type": "timeseries", "title": title, "description": f"{title} per second.",
            "datasource": PROM, "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
            "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
            "targets": [{"refId": "A", "expr": expr, "datasource": PROM}]}
    base.update(extra)
    return base


def dashboard(*panels: dict[str, Any], variables: list[dict[str, Any]] | None = None, **extra: Any) -> dict:
    base = {"uid": "example", "title": "Example", "schemaVersion": 39, "editable": False,
            "templating": {"list": variables if variables is not None else [DS_VAR]},
            "panels": list(panels) or [panel()]}
    base.update(extra)
    return base


def rules_file(*rules: dict[str, Any], interval: str = "1m") -> dict[str, Any]:
    return {"groups": [{"name": "example", "interval": interval, "rules": list(rules)}]}


def alert(name: str = "HighErrorRate", expr: str = "sum(rate(errors_total[5m])) > 1", **extra: Any) -> dict:
    base = {"alert": name, "expr": expr, "for": "5m", "labels": {"severity": "critical"},
            "annotations": {"summary": "Too many errors", "runbook_url": "https://runbooks.example.com/errors"}}
    base.update(extra)
    return base


def grafana_rule(title: str = "HighErrorRate", expr: str = "sum(rate(errors_total[5m]))", **extra: Any) -> dict:
    base = {
        "uid": "high-error-rate", "title": title, "condition": "C", "for": "5m",
        "noDataState": "NoData", "execErrState": "Error",
        "labels": {"severity": "critical"},
        "annotations": {"summary": "Too many errors", "runbook_url": "https://runbooks.example.com/errors"},
        "data": [
            {"refId": "A", "datasourceUid": "prom", "relativeTimeRange": {"from": 600, "to": 0},
             "model": {"expr": expr, "instant": True}},
            {"refId": "B", "datasourceUid": "__expr__", "model": {"type": "reduce", "expression": "A",
                                                                  "reducer": "last"}},
            {"refId": "C", "datasourceUid": "__expr__", "model": {"type": "threshold", "expression": "B",
                                                                  "conditions": [{"evaluator": {
                                                                      "type": "gt", "params": [1]}}]}},
        ],
    }
    base.update(extra)
    return base


def grafana_group(*rules: dict[str, Any], interval: int | str = 60) -> dict[str, Any]:
    return {"title": "example", "interval": interval, "rules": list(rules) or [grafana_rule()]}
