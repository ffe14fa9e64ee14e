"""Builders the alerting tests share: provisioning paths and a valid alert rule body (no tests here)."""

from __future__ import annotations

import copy
from typing import Any

API = "/api/v1/provisioning"
NO_PROVENANCE = {"X-Disable-Provenance": "true"}

_RULE: dict[str, Any] = {
    "folderUID": "ops",
    "ruleGroup": "cpu",
    "title": "High CPU",
    "condition": "C",
    "data": [
        {
            "refId": "A",
            "relativeTimeRange": {"from": 600, "to": 0},
            "datasourceUid": "prom-local",
            "model": {"expr": "rate(cpu_seconds_total[5m])", "refId": "A"},
        },
        {
            "refId": "C",
            "relativeTimeRange": {"from": 0, "to": 0},
            "datasourceUid": "__expr__",
            "model": {"type": "threshold", "expression": "A", "refId": "C"},
        },
    ],
    "noDataState": "NoData",
    "execErrState": "Error",
    "for": "5m",
    "labels": {"severity": "warning"},
    "annotations": {"summary": "CPU is busy"},
}


def rule(**overrides: Any) -> dict[str, Any]:
    """A valid rule for folder `ops`, group `cpu`; keyword arguments replace fields (None removes one)."""
    body = copy.deepcopy(_RULE)
    for key, value in overrides.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body
