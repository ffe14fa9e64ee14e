"""Canonical forms shared by every kind: stable JSON, fingerprints, key stripping."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys: equal values give equal strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def pretty_json(value: Any) -> str:
    """The byte-stable form written to files: sorted keys, two-space indent, trailing newline."""
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def fingerprint(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()[:32]


def plain_json(value: Any) -> Any:
    """Round-trip through JSON: tuples become lists, objects with to_json_data() become plain data."""
    return json.loads(json.dumps(value, default=_encode_default))


def _encode_default(obj: Any) -> Any:
    to_json = getattr(obj, "to_json_data", None)
    if callable(to_json):
        return to_json()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")
