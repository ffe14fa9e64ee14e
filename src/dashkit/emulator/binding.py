"""Grafana's `web.Bind` for JSON bodies, field by field: a value of the wrong JSON type is a decode error and a
`binding:"Required"` field left at its zero value is refused, both as 400 `bad request data` (grafana-api.md §1,
§15 `[bind]`). `null` decodes to the zero value, as Go's encoding/json does."""

from __future__ import annotations

from typing import Any

from dashkit.emulator.replies import bad_request_data


def text(body: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = body.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value):
        raise bad_request_data()
    return value


def optional_text(body: dict[str, Any], key: str) -> str | None:
    """A `*string` field: None when absent or null."""
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise bad_request_data()
    return value


def flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise bad_request_data()
    return value


def integer(body: dict[str, Any], key: str, *, required: bool = False) -> int:
    """An `int64` field: a JSON number without fraction or exponent (Go refuses `1.0` and `1e3` for an int)."""
    value = body.get(key)
    if value is None:
        value = 0
    if isinstance(value, bool) or not isinstance(value, int) or (required and not value):
        raise bad_request_data()
    return value


def string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad_request_data()
    return list(value)


def string_map(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
        raise bad_request_data()
    return dict(value)


def object_list(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A slice of structs: a list of JSON objects (`null` items decode to empty structs)."""
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict | None) for item in value):
        raise bad_request_data()
    return [item or {} for item in value]
