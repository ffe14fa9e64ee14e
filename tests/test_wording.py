"""Counts in messages: singular for one, the English plural otherwise, kind names included."""

import pytest

from dashkit.wording import plural


@pytest.mark.parametrize(("count", "noun", "said"), [
    (1, "file", "1 file"),
    (0, "file", "0 files"),
    (2, "error", "2 errors"),
    (1, "notification_policy", "1 notification_policy"),
    (3, "notification_policy", "3 notification_policies"),
    (2, "day", "2 days"),
    (2, "match", "2 matches"),
    (2, "retry", "2 retries"),
    (2, "alert_rule_group", "2 alert_rule_groups"),
])
def test_plural(count, noun, said):
    assert plural(count, noun) == said


def test_an_irregular_plural_is_given():
    assert plural(1, "dashboard or rule group", "dashboards and rule groups") == "1 dashboard or rule group"
    assert plural(4, "dashboard or rule group", "dashboards and rule groups") == "4 dashboards and rule groups"
