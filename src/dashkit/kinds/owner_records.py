"""Owner records for resources that have no field of their own to carry dashkit's owner marker (mute timings, the
root of the notification policy tree, teams, folder permissions): one notification template per resource, named
`dashkit.owner.<kind>.<name>`, whose content is a comment naming the owner. Every project sharing the Grafana (org)
reads the same records; the first to claim a name owns it."""

from __future__ import annotations

import re

from .alerting_api import alerting_api
from .base import SyncContext

PREFIX = "dashkit.owner."
_MARK = "{{/* dashkit owner record: owner=%s kind=%s */}}"
_MARK_RE = re.compile(r"\{\{/\* dashkit owner record: owner=(\S+) kind=\S+ \*/\}\}")


def record_name(kind: str, name: str) -> str:
    return f"{PREFIX}{kind}.{name}"


def is_record(template_name: object) -> bool:
    return isinstance(template_name, str) and template_name.startswith(PREFIX)


def templates(ctx: SyncContext) -> list[dict]:
    """Every notification template, read once per run (the template kind reads the same list)."""
    if "templates" not in ctx.cache:
        ctx.cache["templates"] = alerting_api(ctx).templates()
    return ctx.cache["templates"]


def owner_of(ctx: SyncContext, kind: str, name: str) -> str | None:
    """The owner whose record claims `name` of `kind`, or None when no project claims it."""
    wanted = record_name(kind, name)
    for template in templates(ctx):
        if template.get("name") == wanted:
            match = _MARK_RE.search(str(template.get("template", "")))
            return match.group(1) if match else None
    return None


def claimed(ctx: SyncContext, kind: str) -> dict[str, str]:
    """name -> owner for every `kind` resource some project claims."""
    prefix = f"{PREFIX}{kind}."
    out = {}
    for template in templates(ctx):
        name = template.get("name")
        match = _MARK_RE.search(str(template.get("template", "")))
        if isinstance(name, str) and name.startswith(prefix) and match:
            out[name[len(prefix):]] = match.group(1)
    return out


def claim(ctx: SyncContext, kind: str, name: str) -> None:
    """Record this project as the owner of `name` (idempotent)."""
    text = _MARK % (ctx.owner, kind)
    alerting_api(ctx).put_template(record_name(kind, name), text)
    ctx.cache.pop("templates", None)


def release(ctx: SyncContext, kind: str, name: str) -> None:
    alerting_api(ctx).delete_template(record_name(kind, name))
    ctx.cache.pop("templates", None)
