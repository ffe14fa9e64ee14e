"""Canonical forms shared by every kind: stable JSON, fingerprints, key stripping."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any, default: Any = str) -> str:
    """Compact JSON with sorted keys: equal values give equal strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default)


def pretty_json(value: Any) -> str:
    """The byte-stable form written to files: sorted keys, two-space indent, trailing newline."""
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def fingerprint(value: Any) -> str:
    return digest(canonical_json(value))


def digest(text: str) -> str:
    """The fingerprint of a canonical JSON text (what `fingerprint` gives for the value it spells)."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def plain_json(value: Any) -> Any:
    """Round-trip through JSON: tuples become lists, objects with to_json_data() become plain data."""
    return json.loads(json.dumps(value, default=encode_default))


def encode_default(obj: Any) -> Any:
    """What json.dumps makes of an object it does not know: its to_json_data(), else an error."""
    to_json = getattr(obj, "to_json_data", None)
    if callable(to_json):
        return to_json()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")
