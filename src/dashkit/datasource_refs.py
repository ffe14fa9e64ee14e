"""Logical datasource names: how definitions spell them, and how a body is rewritten once they are resolved (pure:
no HTTP; resolving a name to an environment's datasource is datasource_lookup's job).

In code a datasource is written by logical name with an '@' prefix, which no real Grafana uid can
contain: `"datasource": "@prometheus"` or `"datasource": {"uid": "@prometheus"}` (and
`"datasourceUid": "@prometheus"` in alert queries); `dashkit.datasource("prometheus")` returns the object
form. A datasource variable's default (`current`) may name one too. References through a dashboard
variable (`$datasource`, `${datasource}`) and Grafana's pseudo datasources are left as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PREFIX = "@"
_NAME_RE = re.compile(r"^@([A-Za-z0-9][A-Za-z0-9_.-]*)$")


def datasource(name: str) -> dict[str, str]:
    """A reference to the datasource an environment maps `name` to (see dashkit.yaml `datasources`)."""
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", name or ""):
        raise ValueError(f"datasource name {name!r} must be letters, digits, '.', '_' or '-'")
    return {"uid": PREFIX + name}


def logical_name(value: Any) -> str | None:
    """The logical name a datasource reference spells, or None for a concrete or variable reference."""
    if isinstance(value, dict):
        value = value.get("uid")
    if isinstance(value, str):
        match = _NAME_RE.match(value)
        if match:
            return match.group(1)
    return None


def used_names(body: Any) -> set[str]:
    names: set[str] = set()
    _walk(body, lambda value: names.add(value) if value else None)
    return names


@dataclass(frozen=True)
class ResolvedDatasource:
    uid: str
    type: str
    name: str


def _is_reference(body: dict, key: str) -> bool:
    """Keys whose value may spell a logical datasource: datasource refs, and a datasource variable's default."""
    return key in ("datasource", "datasourceUid") or (key == "current" and body.get("type") == "datasource")


def substitute(body: Any, resolved: dict[str, ResolvedDatasource]) -> Any:
    """body with every logical reference replaced by the concrete one; unchanged parts are shared, not copied."""
    if isinstance(body, dict):
        out = None
        for key, value in body.items():
            name = _current_name(value) if key == "current" else logical_name(value)
            name = name if _is_reference(body, key) else None
            if name is not None and name in resolved:
                ds = resolved[name]
                if key == "current":  # keep what else Grafana stores with the option (`selected`)
                    new = {**value, "text": ds.name, "value": ds.uid}
                elif key == "datasourceUid":
                    new = ds.uid
                elif isinstance(value, dict):  # keep the keys the reference has: a "type" only if it had one
                    new = {**value, "uid": ds.uid, **({"type": ds.type} if "type" in value else {})}
                else:
                    new = {"type": ds.type, "uid": ds.uid}
            else:
                new = substitute(value, resolved)
            if new is not value:
                if out is None:
                    out = dict(body)
                out[key] = new
        return body if out is None else out
    if isinstance(body, list):
        items = [substitute(item, resolved) for item in body]
        return body if all(a is b for a, b in zip(items, body, strict=True)) else items
    return body


def _current_name(value: Any) -> str | None:
    return logical_name(value.get("value")) if isinstance(value, dict) else None


def _walk(body: Any, visit) -> None:
    if isinstance(body, dict):
        for key, value in body.items():
            if _is_reference(body, key):
                name = _current_name(value) if key == "current" else logical_name(value)
                if name is not None:
                    visit(name)
                    continue
            _walk(value, visit)
    elif isinstance(body, list):
        for item in body:
            _walk(item, visit)
