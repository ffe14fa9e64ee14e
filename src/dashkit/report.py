"""Render plans and sync outcomes as text (Terraform-style) or JSON. Returns strings; never prints."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable

from .apply import Outcome
from .client import RetryTally
from .plan import Action, Change, Plan
from .wording import plural

Style = Callable[..., str]
COLORS = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DELETE: "red", Action.BLOCKED: "magenta"}
MAX_DETAIL_LINES = 40


def _plain(text: str, fg: str | None = None, bold: bool = False) -> str:
    return text


def plan_text(plan: Plan, style: Style = _plain, verb: str = "sync would") -> str:
    lines = [f"Environment {plan.env} ({plan.url})"]
    if plan.api:
        lines.append(style(plan.api, fg="bright_black"))
    shown = [c for c in plan.changes if c.action is not Action.NOOP]
    unchanged = len(plan.changes) - len(shown)
    if not shown:
        lines.append(f"No changes: Grafana matches the code ({plural(unchanged, 'resource')} checked).")
    else:
        lines.append(f"{verb.capitalize()}:" if verb else "")
        for change in shown:
            lines.extend(_change_lines(change, style))
        if unchanged:
            lines.append(style(f"  ({unchanged} unchanged hidden)", fg="bright_black"))
    if plan.kept:
        lines.append("")
        lines.append("Kept (owned by this project, no longer defined, not deleted):")
        for kept in plan.kept:
            lines.append(f"  = {kept.ref.kind} {kept.label}: {kept.reason}")
    note = plan.ownership_note()
    if note:
        lines.append("")
        lines.append(style("Note: " + note, fg="yellow"))
    lines.append("")
    lines.append(style(plan.summary(), bold=True))
    return "\n".join(lines)


def _change_lines(change: Change, style: Style) -> list[str]:
    color = COLORS.get(change.action)
    head = f"  {change.symbol} {change.ref.kind} {change.label}"
    if change.source:
        head += style(f"  ({change.source})", fg="bright_black")
    out = [style(head, fg=color) if color else head]
    if change.action is Action.BLOCKED and not change.forceable:
        what = "not deleted" if change.desired is None else "left alone (--force does not change that)"
        out.append(style(f"      ! {what}: {change.reason}", fg="magenta"))
    elif change.action is Action.BLOCKED:
        out.append(style(f"      ! drift: {change.reason}; not overwritten (sync --force would)", fg="magenta"))
    elif change.reason:
        out.append(style(f"      note: {change.reason}", fg="bright_black"))
    details = change.details
    for line in details[:MAX_DETAIL_LINES]:
        out.append("      " + line.render())
    if len(details) > MAX_DETAIL_LINES:
        out.append(f"      ... and {plural(len(details) - MAX_DETAIL_LINES, 'more change')}")
    return out


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=True, default=str)


_PAST = {Action.CREATE: "created", Action.UPDATE: "updated", Action.DELETE: "deleted"}


def outcomes_text(outcomes: list[Outcome], style: Style = _plain) -> str:
    lines = []
    for outcome in outcomes:
        change = outcome.change
        if outcome.ok:
            lines.append(style(f"  {change.symbol} {change.ref.kind} {change.label}: {_PAST[change.action]}",
                               fg=COLORS.get(change.action)))
        else:
            error = outcome.error
            lines.append(style(f"  x {change.ref.kind} {change.label}: {outcome.status}: "
                               f"{error.message if error else ''}", fg="red"))
            if error is not None and error.hint:
                lines.append(f"      hint: {error.hint}")
    applied = sum(o.ok for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    summary = f"Applied {applied} of {plural(len(outcomes), 'change')}"
    if failed or skipped:
        summary += f"; {failed} failed, {skipped} not attempted"
    backups = sorted({o.backup.parent.parent for o in outcomes if o.backup is not None})
    if backups:
        saved = sum(o.backup is not None for o in outcomes)
        lines.append("")
        lines.append(f"Backed up {plural(saved, 'resource')} before overwriting or deleting: {backups[0]}")
        lines.append(f"  (`dashkit restore {backups[0]}` puts them back; a file or kind folder in it, one part)")
    lines.append("")
    lines.append(style(summary + ".", bold=True, fg="red" if failed or skipped else "green"))
    return "\n".join(lines)


def outcomes_json(plan: Plan, outcomes: list[Outcome]) -> str:
    data = plan.to_json()
    data["results"] = [o.to_json() for o in outcomes]
    data["applied"] = sum(o.ok for o in outcomes)
    data["failed"] = sum(not o.ok for o in outcomes)
    return json.dumps(data, indent=2, sort_keys=True, default=str)


def retry_summary(tallies: Iterable[RetryTally]) -> str | None:
    """One line on the requests that had to be retried (None when none had to be), e.g. "3 requests retried after
    HTTP 429/503 and connection errors (5 retries in all)."."""
    tallies = list(tallies)
    requests = sum(t.requests for t in tallies)
    if not requests:
        return None
    retries = sum(t.retries for t in tallies)
    causes: Counter[str] = sum((t.causes for t in tallies), Counter())
    reasons = []
    statuses = sorted(cause for cause in causes if cause.isdigit())
    if statuses:
        reasons.append("HTTP " + "/".join(statuses))
    if "connection" in causes:
        reasons.append("connection errors")
    text = f"{plural(requests, 'request')} retried after {' and '.join(reasons)}"
    if retries != requests:
        text += f" ({plural(retries, 'retry')} in all)"
    return text + "."
