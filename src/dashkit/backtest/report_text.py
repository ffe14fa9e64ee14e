"""The text report: one line per alert series (pages, time firing, the change against a baseline), its firing
intervals under it, then the rules that could not be replayed or failed, and a summary line."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..wording import plural
from .comparison import Row, rows
from .engine import Alert, Backtest
from .rules import Rule
from .states import Interval
from .times import human_duration, rfc3339

Style = Callable[..., str]


def _plain(text: str, fg: str | None = None, bold: bool = False) -> str:
    return text


def as_text(current: Backtest, baseline: Backtest | None = None, ref: str | None = None,
            style: Style = _plain) -> str:
    lines: list[str] = []
    table = rows(current, baseline)
    shown = distinguishing_labels([row.shown for row in table])
    for row, labels in zip(table, shown, strict=True):
        lines.append(_headline(row, labels, baseline is not None, style))
        alert = row.current
        if alert is not None and alert.firing:
            lines.extend(_interval(i, current.end) for i in alert.firing)
        elif row.baseline is not None and row.baseline.firing:
            lines.extend(_interval(i, current.end) + "  (baseline)" for i in row.baseline.firing)
    lines.extend(_problems(current, baseline, style))
    lines.append("")
    lines.append(summary(current, baseline, ref))
    return "\n".join(lines)


def _headline(row: Row, labels: str, compared: bool, style: Style) -> str:
    pages = row.current.pages if row.current else 0
    name = style(f"{row.shown.alert}{labels}", fg="red" if pages else None, bold=bool(pages))
    return f"{name}: {stats(row, compared, style)}"


def stats(row: Row, compared: bool, style: Style = _plain) -> str:
    """'1 page (baseline 4: -3), firing 12m (baseline 48m)': an alert series' pages and time firing, against the
    baseline when there is one, its flapping, and what its rule's evaluations lacked."""
    now, before = row.current, row.baseline
    if row.removed and before is not None:
        return f"removed (baseline {plural(before.pages, 'page')}, firing {human_duration(before.firing_seconds)})"
    pages = now.pages if now else 0
    seconds = now.firing_seconds if now else 0.0
    text = plural(pages, "page")
    quiet = not pages and not seconds and (before is None or not (before.pages or before.firing_seconds))
    if compared and not (quiet and before is not None):  # nothing in either run: nothing to compare
        change = "" if before is None else _signed(pages - before.pages)
        text += " (not in baseline)" if before is None else f" (baseline {before.pages}: {change})"
    if seconds or (compared and before is not None and before.firing_seconds):
        text += f", firing {human_duration(seconds)}"
        if compared and before is not None:
            text += f" (baseline {human_duration(before.firing_seconds)})"
    if now is not None and now.flapping:
        text += ", " + style(f"{now.flapping} flapping", fg="yellow")
    return text + _data(now)


def _data(alert: Alert | None) -> str:
    """What the rule's evaluations lacked: data at all, or (where Grafana would raise its DatasourceNoData or
    DatasourceError alert instead: noDataState NoData, execErrState Error) data or success at some evaluations."""
    result = alert.result if alert is not None else None
    if result is None or not result.evaluations:
        return ""
    rule = result.rule
    parts = []
    if result.no_data == result.evaluations:
        parts.append("no data")
    elif result.no_data and (rule.kind == "prometheus" or rule.no_data_state == "NoData"):
        parts.append(f"no data at {result.no_data} of {result.evaluations} evaluations")
    if result.errors and (rule.kind == "prometheus" or rule.exec_err_state == "Error"):
        parts.append(f"{plural(result.errors, 'evaluation')} failed: two series with the same labels")
    return f" ({'; '.join(parts)})" if parts else ""


def _signed(delta: int) -> str:
    return f"+{delta}" if delta > 0 else ("±0" if delta == 0 else str(delta))


def _interval(interval: Interval, end: float) -> str:
    until = "still firing" if interval.end is None else rfc3339(interval.end)
    length = human_duration((end if interval.end is None else interval.end) - interval.start)
    flapping = "  flapping: its condition held again right after it resolved" if interval.flapping else ""
    return f"  {rfc3339(interval.start)} → {until}  {length}{flapping}"


def _problems(current: Backtest, baseline: Backtest | None, style: Style) -> list[str]:
    lines: list[str] = []
    skipped = current.skipped
    if skipped:
        lines += ["", style(f"Cannot be replayed ({plural(len(skipped), 'rule')}):", fg="yellow")]
        lines += [f"  {_rule(rule)}: {rule.problem}" for rule in skipped]
    failed = current.failed + (baseline.failed if baseline else [])
    if failed:
        lines += ["", style(f"Failed ({plural(len(failed), 'rule')}):", fg="red", bold=True)]
        lines += [f"  {_rule(r.rule)}{' (baseline)' if baseline and r in baseline.failed else ''}: {r.failure}"
                  for r in failed]
    notes = [r for r in current.results if r.note]
    if notes:
        lines += ["", "Notes:"]
        lines += [f"  {_rule(result.rule)}: {result.note}" for result in notes]
    return lines


def _rule(rule: Rule) -> str:
    return f"{rule.alert} in {rule.where}"


def summary(current: Backtest, baseline: Backtest | None = None, ref: str | None = None) -> str:
    replayed = [r for r in current.results if not r.rule.problem and not r.failure]
    fired = [a for a in current.alerts if a.firing]
    pages = sum(a.pages for a in fired)
    span = f"{rfc3339(current.start)} – {rfc3339(current.end)} ({human_duration(current.end - current.start)})"
    series = plural(len(fired), "alert series", "alert series")
    text = f"Replayed {plural(len(replayed), 'rule')} over {span}: {series} fired, {plural(pages, 'page')}"
    if baseline is not None:
        before = sum(a.pages for a in baseline.alerts)
        text += f" (baseline {ref}: {plural(before, 'page')}, {_signed(pages - before)})"
    extra = []
    if current.skipped:
        extra.append(f"{plural(len(current.skipped), 'rule')} cannot be replayed")
    failed = len(current.failed) + (len(baseline.failed) if baseline else 0)
    if failed:
        extra.append(f"{plural(failed, 'rule')} failed")
    return text + (f"; {', '.join(extra)}" if extra else "") + "."


def distinguishing_labels(alerts: Sequence[Alert]) -> list[str]:
    """What to show after each alert's name: the labels whose values tell it from the other series of the same name,
    or, alone of its name, the labels its series brought (not the rule's own)."""
    by_name: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_name.setdefault(alert.alert, []).append(alert)
    out = []
    for alert in alerts:
        same = by_name[alert.alert]
        if len(same) > 1:
            names = {k for a in same for k in a.labels if len({a.labels.get(k) for a in same}) > 1}
        else:
            names = {k for k in alert.labels if k not in alert.rule.labels}
        shown = ", ".join(f'{k}="{alert.labels[k]}"' for k in sorted(names) if k in alert.labels)
        out.append(f"{{{shown}}}" if shown else "")
    return out
