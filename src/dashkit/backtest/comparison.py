"""A backtest next to its baseline: alert series matched by name and labels, for the reports to show the change."""

from __future__ import annotations

from dataclasses import dataclass

from .engine import Alert, Backtest


@dataclass
class Row:
    """One alert series of either run (`current` None: it did not fire in the working tree's rules, or they do not
    define it any more; `baseline` None: not in the baseline)."""

    current: Alert | None
    baseline: Alert | None
    removed: bool = False  # no rule of the working tree has this alert name in this group

    @property
    def shown(self) -> Alert:
        return self.current or self.baseline  # type: ignore[return-value]


def rows(current: Backtest, baseline: Backtest | None) -> list[Row]:
    """Every alert series of either run, each next to its baseline: those that fired (in either) first, then the
    others, by name. A rule that never fired in either run keeps its one line; one that fired in the other run drops
    it (its series say it all)."""
    if baseline is None:
        return sorted((Row(alert, None) for alert in current.alerts), key=lambda row: _order(row, False))
    before = {a.key: a for a in baseline.alerts}
    now = {a.key: a for a in current.alerts}
    fired = {(a.rule.group, a.alert) for a in (*current.alerts, *baseline.alerts) if a.firing}
    defined = {(r.rule.group, r.rule.alert) for r in current.results}
    out = []
    for key in sorted(now.keys() | before.keys()):
        a, b = now.get(key), before.get(key)
        alert = a or b
        assert alert is not None
        never = not (a and a.firing) and not (b and b.firing)
        if never and (alert.rule.group, alert.alert) in fired:
            continue
        out.append(Row(a, b, removed=a is None and (alert.rule.group, alert.alert) not in defined))
    return sorted(out, key=lambda row: _order(row, True))


def _order(row: Row, compared: bool) -> tuple[bool, bool, str, tuple[tuple[str, str], ...]]:
    """Changed against the baseline first, then fired, then the others; by name."""
    now, before = row.current, row.baseline
    fired = bool((now and now.firing) or (before and before.firing))
    counts = [(a.pages, a.firing_seconds) if a is not None else (0, 0.0) for a in (now, before)]
    changed = compared and counts[0] != counts[1]
    return not changed, not fired, row.shown.alert, row.shown.key[1]
