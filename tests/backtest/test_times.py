"""--from and --to as people write them (RFC 3339, a date, now, -7d, now-36h, Unix seconds), and times as reports
print them (RFC 3339 in UTC with Z)."""

from __future__ import annotations

import pytest

from dashkit.backtest.times import evaluation_times, human_duration, parse_time, rfc3339, time_range
from dashkit.errors import ConfigError, ExitCode

NOW = 1_796_000_000.0  # 2026-11-30T00:53:20Z


@pytest.mark.parametrize(("text", "expected"), [
    ("now", NOW),
    ("-7d", NOW - 7 * 86400),
    ("-36h", NOW - 36 * 3600),
    ("now-90m", NOW - 5400),
    ("now - 1h30m", NOW - 5400),
    ("2026-11-23T10:00:00Z", 1795428000.0),
    ("2026-11-23t10:00:00z", 1795428000.0),
    ("2026-11-23T12:00:00+02:00", 1795428000.0),
    ("2026-11-23T10:00:00.250Z", 1795428000.25),
    ("2026-11-23", 1795392000.0),
    ("1795428000", 1795428000.0),
])
def test_times_people_write(text, expected):
    assert parse_time(text, NOW, "--from") == expected


@pytest.mark.parametrize(("text", "message"), [
    ("yesterday", "--from 'yesterday' is not a time"),
    ("-7x", "--from '-7x': '7x' is not a duration"),
    ("2026-11-23T10:00:00", "has no time zone"),
    ("2026-13-01T00:00:00Z", "is not a time"),
])
def test_a_time_that_is_none_is_a_usage_error_with_examples(text, message):
    with pytest.raises(ConfigError) as caught:
        parse_time(text, NOW, "--from")
    assert message in caught.value.message and caught.value.exit_code == ExitCode.USAGE
    assert "-7d" in (caught.value.hint or "") or "Z" in (caught.value.hint or "")


def test_a_range_must_not_be_empty():
    assert time_range(NOW - 60.5, NOW + 0.9) == (NOW - 61, NOW)
    with pytest.raises(ConfigError, match="is not before --to"):
        time_range(NOW, NOW)


def test_reports_print_utc_with_z():
    assert rfc3339(1795428000) == "2026-11-23T10:00:00Z"
    assert rfc3339(1795428000.25) == "2026-11-23T10:00:00.25Z"


def test_evaluations_fall_on_whole_multiples_of_the_interval_as_promtool_evaluates():
    assert evaluation_times(1000, 1300, 60) == (1020.0, 5)  # 1020, 1080, ..., 1260
    assert evaluation_times(1020, 1260, 60) == (1020.0, 5)
    assert evaluation_times(1001, 1019, 60) == (1020.0, 0)


def test_durations_read_to_the_minute_above_an_hour():
    assert [human_duration(s) for s in (0, 45, 1620, 3725, 90061)] == ["0s", "45s", "27m", "1h2m", "1d1h1m"]
