"""Contact points, the notification policy tree, message templates and mute timings.

Secrets are never values in code: a contact point names the environment variable holding each one
(`webhook_url_env="SLACK_WEBHOOK_URL"`), read only when dashkit talks to Grafana.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..durations import canonical_duration
from ..gotemplate import template_errors
from ..secrets import secret_env
from .errors import BuilderError

DEFAULT_RECEIVER = "grafana-default-email"  # exists in every Grafana org
_NAME_RE = re.compile(r"^[^/\\]{1,190}$")
_LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class ContactPoint:
    """A Grafana contact point (one integration). `settings` may hold secret placeholders."""

    name: str
    type: str
    settings: Mapping[str, Any]
    disable_resolve_message: bool = False
    secret_keys: tuple[str, ...] = ()

    def to_grafana(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "settings": dict(self.settings),
                "disableResolveMessage": self.disable_resolve_message}


def _name(name: str, what: str) -> str:
    if not isinstance(name, str) or not name.strip() or not _NAME_RE.match(name):
        raise BuilderError(f"{what} needs a non-empty name without '/', got {name!r}")
    return name.strip()


def _secret(env: str, what: str) -> dict[str, str]:
    try:
        return secret_env(env)
    except ValueError:
        raise BuilderError(f"{what} must be the NAME of an environment variable holding the secret, got {env!r}; "
                           "never put the secret itself in code") from None


def slack(name: str, *, webhook_url_env: str | None = None, token_env: str | None = None,
          channel: str | None = None, title: str | None = None, text: str | None = None,
          mention_channel: str | None = None, disable_resolve_message: bool = False) -> ContactPoint:
    """Slack, through an incoming webhook (secret URL) or a bot token plus channel."""
    name = _name(name, "a Slack contact point")
    settings: dict[str, Any] = {}
    secret_keys: tuple[str, ...]
    if webhook_url_env and not token_env:
        settings["url"] = _secret(webhook_url_env, "webhook_url_env")
        secret_keys = ("url",)
    elif token_env and not webhook_url_env:
        if not channel:
            raise BuilderError(f"Slack contact point '{name}' with a bot token needs a channel")
        settings["token"] = _secret(token_env, "token_env")
        secret_keys = ("token",)
    else:
        raise BuilderError(f"Slack contact point '{name}' needs webhook_url_env or token_env (one of them)")
    if channel:
        settings["recipient"] = channel
    for key, value in (("title", title), ("text", text)):
        if value:
            _template(value, f"Slack contact point '{name}' {key}")
            settings[key] = value
    if mention_channel:
        if mention_channel not in ("here", "channel"):
            raise BuilderError("mention_channel must be 'here' or 'channel'")
        settings["mentionChannel"] = mention_channel
    return ContactPoint(name, "slack", settings, disable_resolve_message, secret_keys)


def pagerduty(name: str, *, integration_key_env: str, severity: str = "critical", summary: str | None = None,
              disable_resolve_message: bool = False) -> ContactPoint:
    """PagerDuty Events API v2; the integration (routing) key comes from an environment variable."""
    name = _name(name, "a PagerDuty contact point")
    if severity not in ("critical", "error", "warning", "info"):
        raise BuilderError(f"PagerDuty severity must be critical, error, warning or info, got {severity!r}")
    settings: dict[str, Any] = {"integrationKey": _secret(integration_key_env, "integration_key_env"),
                                "severity": severity}
    if summary:
        settings["summary"] = _template(summary, f"PagerDuty contact point '{name}' summary")
    return ContactPoint(name, "pagerduty", settings, disable_resolve_message, ("integrationKey",))


def email(name: str, addresses: Sequence[str], *, single_email: bool = False, subject: str | None = None,
          disable_resolve_message: bool = False) -> ContactPoint:
    """E-mail to one or more addresses."""
    name = _name(name, "an e-mail contact point")
    if isinstance(addresses, str) or not addresses:
        raise BuilderError(f"e-mail contact point '{name}' needs a list of addresses")
    for address in addresses:
        if not isinstance(address, str) or not re.match(r"^[^@\s]+@[^@\s]+$", address):
            raise BuilderError(f"e-mail contact point '{name}': {address!r} is not an e-mail address")
    settings: dict[str, Any] = {"addresses": ";".join(addresses), "singleEmail": single_email}
    if subject:
        settings["subject"] = _template(subject, f"e-mail contact point '{name}' subject")
    return ContactPoint(name, "email", settings, disable_resolve_message)


def webhook(name: str, *, url: str | None = None, url_env: str | None = None, http_method: str = "POST",
            username: str | None = None, password_env: str | None = None,
            disable_resolve_message: bool = False) -> ContactPoint:
    """A generic webhook receiving Grafana's JSON payload; its URL may be plain or held in an env var."""
    name = _name(name, "a webhook contact point")
    if (url is None) == (url_env is None):
        raise BuilderError(f"webhook contact point '{name}' needs url or url_env (one of them)")
    if url is not None and not re.match(r"^https?://", url):
        raise BuilderError(f"webhook contact point '{name}': url must start with http:// or https://")
    if http_method not in ("POST", "PUT"):
        raise BuilderError("webhook http_method must be POST or PUT")
    settings: dict[str, Any] = {"url": url if url is not None else _secret(url_env or "", "url_env"),
                                "httpMethod": http_method}
    secret_keys = () if url is not None else ("url",)
    if username:
        settings["username"] = username
    if password_env:
        settings["password"] = _secret(password_env, "password_env")
        secret_keys += ("password",)
    return ContactPoint(name, "webhook", settings, disable_resolve_message, secret_keys)


def _template(text: str, where: str) -> str:
    problems = template_errors(text)
    if problems:
        raise BuilderError(f"{where} is not a valid template: {problems[0]}")
    return text


@dataclass(frozen=True)
class Route:
    """A notification policy: alerts matching `matchers` go to `receiver` (nested routes refine it)."""

    receiver: str | None = None
    matchers: tuple[tuple[str, str, str], ...] = ()
    continue_matching: bool = False
    group_by: tuple[str, ...] | None = None
    group_wait: str | None = None
    group_interval: str | None = None
    repeat_interval: str | None = None
    mute_timings: tuple[str, ...] = ()
    routes: tuple[Route, ...] = field(default_factory=tuple)

    def to_grafana(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.receiver:
            out["receiver"] = self.receiver
        if self.group_by is not None:
            out["group_by"] = list(self.group_by)
        if self.matchers:
            out["object_matchers"] = [list(m) for m in self.matchers]
        if self.continue_matching:
            out["continue"] = True
        for key in ("group_wait", "group_interval", "repeat_interval"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.mute_timings:
            out["mute_time_intervals"] = list(self.mute_timings)
        if self.routes:
            out["routes"] = [r.to_grafana() for r in self.routes]
        return out

    def receivers(self) -> set[str]:
        found = {self.receiver} if self.receiver else set()
        for route in self.routes:
            found |= route.receivers()
        return found

    def all_mute_timings(self) -> set[str]:
        found = set(self.mute_timings)
        for route in self.routes:
            found |= route.all_mute_timings()
        return found


def _matchers(matchers: Mapping[str, str] | Sequence[tuple[str, str, str]] | None) -> tuple[tuple[str, str, str], ...]:
    if not matchers:
        return ()
    items = [(k, "=", v) for k, v in matchers.items()] if isinstance(matchers, Mapping) else list(matchers)
    out = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 3):
            raise BuilderError(f"a matcher is (label, op, value), got {item!r}")
        label, op, value = item
        if not isinstance(label, str) or not _LABEL_RE.match(label):
            raise BuilderError(f"{label!r} is not a label name")
        if op not in ("=", "!=", "=~", "!~"):
            raise BuilderError(f"matcher operator must be =, !=, =~ or !~, got {op!r}")
        if op in ("=~", "!~"):
            try:
                re.compile(value)
            except re.error as exc:
                raise BuilderError(f"matcher {label}{op}{value!r}: invalid regular expression ({exc})") from None
        out.append((label, op, str(value)))
    return tuple(out)


def _opt_duration(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    try:
        return canonical_duration(value)
    except ValueError:
        raise BuilderError(f"{what} {value!r} must be a duration like '30s', '5m' or '4h'") from None


def route(receiver: str | None = None, *, matchers: Mapping[str, str] | Sequence[tuple[str, str, str]] | None = None,
          continue_matching: bool = False, group_by: Sequence[str] | None = None, group_wait: str | None = None,
          group_interval: str | None = None, repeat_interval: str | None = None,
          mute_timings: Sequence[str] = (), routes: Sequence[Route] = ()) -> Route:
    """A child policy: `route("pagerduty", matchers={"severity": "critical"}, continue_matching=True)`."""
    if receiver is not None:
        _name(receiver, "a route receiver")
    return Route(receiver=receiver, matchers=_matchers(matchers), continue_matching=continue_matching,
                 group_by=tuple(group_by) if group_by is not None else None,
                 group_wait=_opt_duration(group_wait, "group_wait"),
                 group_interval=_opt_duration(group_interval, "group_interval"),
                 repeat_interval=_opt_duration(repeat_interval, "repeat_interval"),
                 mute_timings=tuple(mute_timings), routes=tuple(routes))


def notification_policy(receiver: str | None = None, *, group_by: Sequence[str] | None = None,
                        group_wait: str | None = None, group_interval: str | None = None,
                        repeat_interval: str | None = None, routes: Sequence[Route] = ()) -> Route:
    """This project's part of the notification policy tree: its routes and, when `receiver` is given, the root's
    default receiver and timings (group_by defaults to grafana_folder and alertname, then 30s, 5m, 4h). The tree is
    shared with other projects and the UI: without a receiver, dashkit leaves the root as it is."""
    if receiver is None:
        if any(v is not None for v in (group_by, group_wait, group_interval, repeat_interval)):
            raise BuilderError("group_by and the timings belong to the root of the tree: give its default receiver "
                               "too, e.g. notification_policy('team-email', group_by=[...], routes=[...])")
        if not routes:
            raise BuilderError("notification_policy needs routes, a default receiver, or both")
        return route(None, routes=routes)
    return route(receiver, group_by=("grafana_folder", "alertname") if group_by is None else group_by,
                 group_wait=group_wait or "30s", group_interval=group_interval or "5m",
                 repeat_interval=repeat_interval or "4h", routes=routes)


@dataclass(frozen=True)
class Template:
    """A notification template group (Go text/template with `define` blocks)."""

    name: str
    content: str


def template(name: str, content: str) -> Template:
    """Message templates contact points can use, e.g. `{{ define "slack.title" }}...{{ end }}`."""
    name = _name(name, "a notification template")
    if not isinstance(content, str) or not re.search(r'\{\{-?\s*define\s+"', content):
        raise BuilderError(f"template '{name}' must define at least one named template: "
                           '{{ define "name" }}...{{ end }}')
    return Template(name, _template(content, f"template '{name}'"))


@dataclass(frozen=True)
class MuteTiming:
    """Times when notifications are held back (maintenance windows, nights, weekends)."""

    name: str
    intervals: tuple[Mapping[str, Any], ...]

    def to_grafana(self) -> dict[str, Any]:
        return {"name": self.name, "time_intervals": [dict(i) for i in self.intervals]}


def mute_timing(name: str, *, times: Sequence[tuple[str, str]] = (), weekdays: Sequence[str] = (),
                days_of_month: Sequence[str] = (), months: Sequence[str] = (), location: str | None = None
                ) -> MuteTiming:
    """One time interval: `mute_timing("nights", times=[("22:00", "24:00"), ("00:00", "06:00")])`."""
    name = _name(name, "a mute timing")
    interval: dict[str, Any] = {}
    if times:
        for start, end in times:
            for value in (start, end):
                if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", value):
                    raise BuilderError(f"mute timing '{name}': {value!r} is not a time like '06:30'")
            if start >= end:
                raise BuilderError(f"mute timing '{name}': {start}-{end} ends before it starts")
        interval["times"] = [{"start_time": s, "end_time": e} for s, e in times]
    for day in weekdays:
        first = day.split(":")[0]
        if first not in _WEEKDAYS or any(part not in _WEEKDAYS for part in day.split(":")):
            raise BuilderError(f"mute timing '{name}': {day!r} is not a weekday or range like 'monday:friday'")
    if weekdays:
        interval["weekdays"] = list(weekdays)
    if days_of_month:
        interval["days_of_month"] = list(days_of_month)
    if months:
        interval["months"] = list(months)
    if location:
        interval["location"] = location
    if not interval:
        raise BuilderError(f"mute timing '{name}' needs times, weekdays, days_of_month or months")
    return MuteTiming(name, (interval,))
