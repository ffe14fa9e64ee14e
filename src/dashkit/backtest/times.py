"""Times on the command line (RFC 3339, `now`, `-7d`, `now-36h`, Unix seconds) and in reports (RFC 3339, UTC, `Z`)."""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone

from ..durations import parse_duration
from ..errors import ConfigError

_RELATIVE = re.compile(r"^(?:now)?\s*-\s*(\S+)$")
_UNIX = re.compile(r"^\d{9,11}(?:\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EXAMPLES = "RFC 3339 (2026-11-23T10:00:00Z), a date (2026-11-23), now, or a time ago like -7d, -36h, now-90m"


def parse_time(text: str, now: float, option: str) -> float:
    """Seconds since the epoch that `text` names; a ConfigError naming `option` when it names none."""
    value = text.strip()
    if value == "now":
        return now
    relative = _RELATIVE.match(value)
    if relative:
        try:
            return now - parse_duration(relative.group(1))
        except ValueError:
            raise ConfigError(f"{option} {text!r}: {relative.group(1)!r} is not a duration", hint=_EXAMPLES) from None
    if _UNIX.match(value):
        return float(value)
    try:
        parsed = datetime.fromisoformat(_iso(value))
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a time", hint=_EXAMPLES) from None
    if parsed.tzinfo is None:
        if not _DATE.match(value):
            raise ConfigError(f"{option} {text!r} has no time zone", hint="end it with Z for UTC, or an offset like "
                                                                         "+02:00")
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def _iso(value: str) -> str:
    """`value` as Python 3.10's fromisoformat reads it: 'Z' as +00:00, a 't' separator, fractions of 6 digits."""
    value = value.replace("t", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2}t", value) else value
    value = re.sub(r"[zZ]$", "+00:00", value)
    return re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], value, count=1)


def rfc3339(seconds: float) -> str:
    """'2026-11-23T10:00:00Z' (fractions of a second kept only when there are some)."""
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def time_range(start: float, end: float) -> tuple[float, float]:
    """(start, end) whole seconds, checked: a ConfigError when it is empty."""
    start, end = float(math.floor(start)), float(math.floor(end))
    if start >= end:
        raise ConfigError(f"--from {rfc3339(start)} is not before --to {rfc3339(end)}",
                          hint="give --from earlier than --to, e.g. --from -7d --to now")
    return start, end


def evaluation_times(start: float, end: float, interval: float) -> tuple[float, int]:
    """(first, count) of the evaluations at whole multiples of `interval` (seconds since the epoch) in [start, end]:
    the times promtool evaluates at, and what query_range returns for a start on that grid."""
    first = math.ceil(start / interval) * interval
    count = int((end - first) // interval) + 1 if first <= end else 0
    return float(first), count


def human_duration(seconds: float) -> str:
    """'37m', '1h5m', '7d' (days, not weeks; to the minute above an hour: reports read better without seconds)."""
    left = round(seconds)
    if left >= 3600:
        left = round(left / 60) * 60
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size:
            parts.append(f"{left // size}{unit}")
            left %= size
    return "".join(parts) or "0s"
