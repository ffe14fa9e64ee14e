"""The JSON report: `{"from", "to", "alerts": [{"alert", "labels", "firing": [{"start", "end"}], "pages",
"firing_seconds"}]}` (times RFC 3339 in UTC; `end` null while still firing at `to`), and with a baseline one more key,
`"baseline": {"ref", "alerts": [...]}`: the shape CI and other tools read, nothing more."""

from __future__ import annotations

import json
from typing import Any

from .engine import Alert, Backtest
from .times import rfc3339


def as_json(current: Backtest, baseline: Backtest | None = None, ref: str | None = None) -> str:
    doc: dict[str, Any] = {"from": rfc3339(current.start), "to": rfc3339(current.end),
                           "alerts": [alert_json(a) for a in current.alerts]}
    if baseline is not None:
        doc["baseline"] = {"ref": ref, "alerts": [alert_json(a) for a in baseline.alerts]}
    return json.dumps(doc, indent=2, ensure_ascii=False)


def alert_json(alert: Alert) -> dict[str, Any]:
    return {
        "alert": alert.alert,
        "labels": dict(sorted(alert.labels.items())),
        "firing": [{"start": rfc3339(i.start), "end": None if i.end is None else rfc3339(i.end)}
                   for i in alert.firing],
        "pages": alert.pages,
        "firing_seconds": _number(alert.firing_seconds),
    }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)
