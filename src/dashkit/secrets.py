"""Secrets referenced by env var name in definitions: `secret_env("SLACK_WEBHOOK_URL")`.

Definitions and build output only ever hold the placeholder `{"$secret_env": "NAME"}`; the value is read from
the environment at diff/sync time, and every value read is remembered so output can mask it.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Mapping
from typing import Any

from .errors import ConfigError

KEY = "$secret_env"
REDACTED = "[REDACTED]"
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_seen: set[str] = set()
_lock = threading.Lock()


def secret_env(name: str) -> dict[str, str]:
    """A placeholder for a secret held in environment variable `name`."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"{name!r} is not an environment variable name")
    return {KEY: name}


def placeholder_name(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get(KEY), str):
        return value[KEY]
    return None


def read(name: str, where: str, environ: Mapping[str, str] | None = None) -> str:
    """The secret's value; a ConfigError naming the variable and its user when it is not set."""
    value = (os.environ if environ is None else environ).get(name, "")
    if not value:
        raise ConfigError(f"environment variable {name} (a secret of {where}) is not set",
                          hint=f"export {name}=... before running dashkit; the value never goes in code")
    with _lock:
        _seen.add(value)
    return value


def seen() -> frozenset[str]:
    """Every secret value read so far in this process (for masking output)."""
    with _lock:
        return frozenset(_seen)


def reveal(body: Any, where: str) -> Any:
    """A copy of body with every placeholder replaced by its value (only for the request that writes it)."""
    if isinstance(body, dict):
        name = placeholder_name(body)
        if name is not None:
            return read(name, where)
        return {k: reveal(v, where) for k, v in body.items()}
    if isinstance(body, list):
        return [reveal(v, where) for v in body]
    return body


def redact(body: Any) -> Any:
    """A copy of body with every placeholder shown as Grafana shows a stored secret."""
    if isinstance(body, dict):
        if placeholder_name(body) is not None:
            return REDACTED
        return {k: redact(v) for k, v in body.items()}
    if isinstance(body, list):
        return [redact(v) for v in body]
    return body


def digest(body: Any, salt: str, where: str) -> str | None:
    """A slow salted hash of the secret values body refers to (None without secrets): stored next to the
    redacted secrets so a rotated secret shows up as a change without the secret ever being readable."""
    values: list[str] = []

    def collect(node: Any, path: str) -> None:
        if isinstance(node, dict):
            name = placeholder_name(node)
            if name is not None:
                values.append(f"{path}={read(name, where)}")
                return
            for key in sorted(node):
                collect(node[key], f"{path}.{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                collect(item, f"{path}[{index}]")

    collect(body, "")
    if not values:
        return None
    derived = hashlib.pbkdf2_hmac("sha256", "\n".join(values).encode(), f"dashkit:{salt}".encode(), 100_000)
    return "pbkdf2-sha256:" + derived.hex()[:32]
