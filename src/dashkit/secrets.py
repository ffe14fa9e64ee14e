"""Secrets referenced by env var name in definitions: `secret_env("SLACK_WEBHOOK_URL")`.

Definitions and build output only ever hold the placeholder `{"$secret_env": "NAME"}`; the value is read from
the environment at diff/sync time, and every value read is remembered so output can mask it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from .errors import ConfigError

KEY = "$secret_env"
REDACTED = "[REDACTED]"
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MASK = "***"
MASK_MIN_LENGTH = 4  # a shorter value does not identify a secret: masking it would garble ordinary words
_ELLIPSES = ("...", "\u2026")  # how output marks a value cut short
_seen: set[str] = set()
_seen_forms: tuple[str, ...] = ()  # every form of every value in _seen, longest first
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
    _remember(value)
    return value


def seen() -> frozenset[str]:
    """Every secret value read so far in this process (for masking output)."""
    with _lock:
        return frozenset(_seen)


def seen_forms() -> tuple[str, ...]:
    """Every form of every secret read so far, longest first: the same tuple until another secret is read, so
    callers can cache what they derive from it."""
    return _seen_forms


def remember(*values: str) -> None:
    """Mask these in every output from now on (credentials read from the environment, keys)."""
    for value in values:
        if value and len(value) >= 4:
            _remember(value)


def _remember(value: str) -> None:
    global _seen_forms
    with _lock:
        if value in _seen:
            return
        _seen.add(value)
        _seen_forms = longest_first((*_seen_forms, *masked_forms(value)))


def masked_forms(secret: str) -> frozenset[str]:
    """Every form `secret` can take in dashkit's output: raw, JSON-escaped, repr-escaped (tracebacks, error
    messages), URL-encoded and base64; for a multi-line secret, those of each identifying line too. For basic auth,
    pass `user:password`: its base64 is the Authorization header. Forms too short to identify are left out."""
    if len(secret) < MASK_MIN_LENGTH:
        return frozenset()
    pieces = {secret, *(line for line in secret.splitlines() if len(line) >= MASK_MIN_LENGTH)}
    forms: set[str] = set()
    for piece in pieces:
        forms |= _escaped_forms(piece) | _encoded_forms(piece)
    return frozenset(form for form in forms if len(form) >= MASK_MIN_LENGTH)


def _escaped_forms(text: str) -> set[str]:
    # repr() picks its quote; `text + '"'` forces single quotes (`'` escaped), and joining the parts around `'`
    # gives the double-quoted style (`'` kept). ascii() and bytes escape non-ASCII characters.
    return {
        text,
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
        repr(text + '"')[1:-2],
        "'".join(repr(part + '"')[1:-2] for part in text.split("'")),
        ascii(text + '"')[1:-2],
        "'".join(ascii(part + '"')[1:-2] for part in text.split("'")),
        repr(text.encode("utf-8", "surrogatepass") + b'"')[2:-2],
    }


def _encoded_forms(text: str) -> set[str]:
    forms = {quote(text, safe=""), quote(text), quote_plus(text)}
    for encoding in ("utf-8", "latin-1"):  # requests encodes a basic-auth pair as latin-1
        try:
            raw = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            forms |= {encoded.decode(), encoded.decode().rstrip("=")}
    return forms


def longest_first(forms: Iterable[str]) -> tuple[str, ...]:
    """Distinct forms, longest first: a longer form is masked before a form it contains."""
    return tuple(sorted(set(forms), key=lambda form: (-len(form), form)))


def mask(text: str, forms: tuple[str, ...], replacement: str = MASK) -> str:
    """`text` with every form (from longest_first) replaced, and any form cut short by an ellipsis too."""
    for form in forms:
        if form in text:
            text = text.replace(form, replacement)
    if forms and any(ellipsis in text for ellipsis in _ELLIPSES):
        text = _mask_cut_short(text, forms, replacement)
    return text


def _mask_cut_short(text: str, forms: tuple[str, ...], replacement: str) -> str:
    """Mask the beginning of a form that runs into an ellipsis (a long value shortened for display)."""
    for ellipsis in _ELLIPSES:
        end = text.find(ellipsis)
        while end != -1:
            start = _cut_short_start(text, end, forms)
            if start is not None:
                text = text[:start] + replacement + text[end:]
                end = start + len(replacement)
            end = text.find(ellipsis, end + len(ellipsis))
    return text


def _cut_short_start(text: str, end: int, forms: tuple[str, ...]) -> int | None:
    """Where the longest beginning (at least MASK_MIN_LENGTH long) of a form ending at `end` starts, or None."""
    best = None
    for form in forms:
        head = form[:MASK_MIN_LENGTH]
        start = text.find(head, max(0, end - len(form) + 1), end)
        while start != -1:
            if form.startswith(text[start:end]):
                best = start if best is None else min(best, start)
                break
            start = text.find(head, start + 1, end)
    return best


def scrub(document: Any, replacement: str = REDACTED) -> Any:
    """A copy of a JSON document with every form of every secret read so far replaced in its strings (for files
    dashkit writes, such as backups of what Grafana answered)."""
    forms = seen_forms()

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {walk(k): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str):
            return mask(node, forms, replacement)
        return node

    return walk(document) if forms else document


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


def has_placeholders(body: Any) -> bool:
    """True when body refers to at least one secret."""
    if isinstance(body, dict):
        return placeholder_name(body) is not None or any(has_placeholders(v) for v in body.values())
    if isinstance(body, list):
        return any(has_placeholders(v) for v in body)
    return False


def redact(body: Any) -> Any:
    """A copy of body with every placeholder shown as Grafana shows a stored secret."""
    if isinstance(body, dict):
        if placeholder_name(body) is not None:
            return REDACTED
        return {k: redact(v) for k, v in body.items()}
    if isinstance(body, list):
        return [redact(v) for v in body]
    return body


def digest(body: Any, key: str | None, where: str) -> str | None:
    """An HMAC-SHA256, keyed with a secret only the syncing side holds, of the secret values body refers to (None
    without secrets or without a key). Stored next to Grafana's redacted secrets, it makes a rotated secret show up
    as a change; without the key, a reader of the contact point cannot test guesses of the secret against it."""
    values: list[str] = []

    def collect(node: Any, path: str) -> None:
        if isinstance(node, dict):
            name = placeholder_name(node)
            if name is not None:
                values.append(f"{path}={read(name, where)}")
                return
            for k in sorted(node):
                collect(node[k], f"{path}.{k}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                collect(item, f"{path}[{index}]")

    collect(body, "")  # reads every secret, so a missing env var stops the run before any write
    if not values or not key:
        return None
    return "hmac-sha256:" + hmac.new(key.encode(), "\n".join(values).encode(), hashlib.sha256).hexdigest()[:32]
