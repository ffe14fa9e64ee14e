"""Grafana's identifiers and formats: slugs, uids, URLs, RFC 3339 timestamps, Go durations, and the app-platform
identifiers (object uids, resourceVersions, identity refs)."""

from __future__ import annotations

import base64
import hashlib
import random
import re
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable

MAX_UID_LENGTH = 40
_UID_CHARS = re.compile(r"^[a-zA-Z0-9\-_]*$")
_SLUG_REPLACEMENTS = {"&": "and", "@": "at", "ß": "ss", "æ": "ae", "ø": "oe", "œ": "oe", "đ": "d", "ł": "l"}
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_TWEPOCH_MS = 1288834974657  # the snowflake epoch Grafana's generator uses

_uid_lock = threading.Lock()
_uid_sequence = 0
_uid_random = random.Random()


def slugify(title: str) -> str:
    """`pkg/infra/slugify`: lower-case `[a-z0-9]` runs joined by `-`; base64url (or a UUIDv5) when empty."""
    text = title.strip().lower()
    text = "".join(_SLUG_REPLACEMENTS.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    slug = _NON_SLUG.sub("-", text).strip("-")
    if not slug:
        slug = base64.urlsafe_b64encode(title.encode()).decode().rstrip("=")
        if len(slug) > 50 or "-" in slug:
            slug = str(uuid.uuid5(uuid.NAMESPACE_OID, slug))
    return slug


def uid_is_valid(uid: str) -> bool:
    return bool(_UID_CHARS.match(uid))


def uid_is_too_long(uid: str) -> bool:
    return len(uid) > MAX_UID_LENGTH


def generate_uid(is_taken: Callable[[str], bool] = lambda uid: False) -> str:
    """A uid like Grafana 11's: `[a-f]` + base36 snowflake + `[a-f]`; always starts with a letter."""
    global _uid_sequence
    while True:
        with _uid_lock:
            _uid_sequence = (_uid_sequence + 1) & 0xFFF
            flake = ((int(time.time() * 1000) - _TWEPOCH_MS) << 22) | (1 << 12) | _uid_sequence
            first, last = _uid_random.choice("abcdef"), _uid_random.choice("abcdef")
        digits = ""
        while flake:
            flake, rem = divmod(flake, 36)
            digits = _BASE36[rem] + digits
        uid = first + digits + last
        if not is_taken(uid):
            return uid


def dashboard_url(uid: str, slug: str) -> str:
    return f"/d/{uid}/{slug}"


def folder_url(uid: str, slug: str) -> str:
    return f"/dashboards/f/{uid}/{slug}"


_NON_ALPHANUMERIC = re.compile(r"[^a-zA-Z0-9]+")


def avatar_url(text: str) -> str:
    """`dtos.GetGravatarUrl`: `/avatar/<md5 of the lower-cased text>`, "" for no text."""
    if not text:
        return ""
    return "/avatar/" + hashlib.md5(text.lower().encode(), usedforsecurity=False).hexdigest()


def avatar_url_with_default(text: str, default: str) -> str:
    """`dtos.GetGravatarUrlWithDefault`: of `text`, else of `default` without non-alphanumerics + `@localhost`."""
    return avatar_url(text or _NON_ALPHANUMERIC.sub("", default) + "@localhost")


def now_rfc3339() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


_DATE_UNIT = re.compile(r"^(\d+)([dwMy])$")
_GO_DURATION = re.compile(r"^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DATE_UNIT_SECONDS = {"d": 86400, "w": 7 * 86400, "M": 30 * 86400, "y": 365 * 86400}


def parse_duration(text: str) -> float | None:
    """Seconds in a Grafana `gtime` duration (`5s`, `1h30m`, `1d`, `2w`), or None when unparsable."""
    match = _DATE_UNIT.match(text)
    if match:
        return int(match.group(1)) * _DATE_UNIT_SECONDS[match.group(2)]
    rest = text.lstrip("+-")
    sign = -1.0 if text.startswith("-") else 1.0
    if rest == "0":
        return 0.0
    total = 0.0
    if not rest:
        return None
    while rest:
        part = _GO_DURATION.match(rest)
        if not part or part.group(1) in ("", "."):
            return None
        total += float(part.group(1)) * _UNIT_SECONDS[part.group(2)]
        rest = rest[part.end() :]
    return sign * total


class ResourceVersionClock:
    """Hands out resourceVersions: decimal strings of a strictly increasing integer that follows the wall clock in
    microseconds, as Grafana's unified storage does. Clients must treat them as opaque (§14.2). One clock per
    store, shared by every resource: `req.runtime.store.resource_versions`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next(self) -> str:
        """A new resourceVersion, greater than every one handed out or observed before."""
        with self._lock:
            self._last = max(self._last + 1, time.time_ns() // 1000)
            return str(self._last)

    def current(self) -> str:
        """The latest resourceVersion (a list's `metadata.resourceVersion`); issues one if none was yet."""
        with self._lock:
            if self._last == 0:
                self._last = time.time_ns() // 1000
            return str(self._last)

    def observe(self, resource_version: str) -> None:
        """Make later versions greater than `resource_version` (e.g. one loaded from a state file)."""
        if resource_version.isdigit():
            with self._lock:
                self._last = max(self._last, int(resource_version))


def new_object_uid() -> str:
    """An opaque k8s `metadata.uid` (a random UUID; never the Grafana uid, which is `metadata.name`)."""
    return str(uuid.uuid4())


def identity_ref(kind: str, uid: str) -> str:
    """The `grafana.app/createdBy` / `updatedBy` value: `user:<uid>` or `service-account:<uid>` (§14.2)."""
    return f"{kind}:{uid}"
