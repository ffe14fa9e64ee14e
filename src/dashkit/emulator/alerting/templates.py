"""Notification templates of the provisioning API (grafana-api.md §7.8): upsert with optional optimistic
concurrency (`version`), idempotent delete."""

from __future__ import annotations

import re
from typing import Any

from dashkit.emulator.alerting import (
    API,
    READ,
    TEMPLATES_DEPRECATED,
    WRITE,
    alerting_state,
    check_relaxed_provenance,
    empty,
    errutil_reason,
    fnv64,
    forget_object_meta,
    request_provenance,
    with_provenance,
)
from dashkit.emulator.binding import text
from dashkit.emulator.replies import Reply, errutil_error, ok
from dashkit.emulator.routing import Request, RouteTable

routes = RouteTable()
_DEFINE = re.compile(r"\{\{-?\s*define")
_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.DOTALL)
_OPENERS = ("define", "if", "range", "with", "block")


def template_version(content: str) -> str:
    return fnv64(content.encode())


def template_json(name: str, stored: dict[str, Any]) -> dict[str, Any]:
    body = {"name": name, "template": stored["template"]}
    with_provenance(body, stored["provenance"])
    body["version"] = template_version(stored["template"])
    return body


def normalize_template(name: str, content: str) -> str:
    """`NotificationTemplate.Validate`: trimmed, and wrapped in `{{ define "<name>" }}` when it defines nothing."""
    content = content.strip()
    if not _DEFINE.search(content):
        body = "\n".join("  " + line for line in content.split("\n"))
        content = f'{{{{ define "{name}" }}}}\n{body}\n{{{{ end }}}}'
    return content


def template_problem(content: str) -> str | None:
    """A light `text/template` parse: every action closed, every block opener matched by an `end`."""
    if content.count("{{") != len(_ACTION.findall(content)):
        return "template: unclosed action"
    depth = 0
    for action in _ACTION.findall(content):
        word = action.split(" ", 1)[0]
        if word in _OPENERS:
            depth += 1
        elif word == "end":
            depth -= 1
            if depth < 0:
                return "template: unexpected {{end}}"
    return "template: unexpected EOF" if depth else None


def invalid_template(reason: str) -> Exception:
    return errutil_error(
        400,
        "alerting.notifications.templates.invalidFormat",
        "Template is in invalid format. Correct the payload and try again.",
        {"Error": reason},
    )


def _check_version(req: Request, wanted: str, stored: dict[str, Any]) -> None:
    if wanted and wanted != template_version(stored["template"]):
        raise errutil_reason(req, 409, "alerting.notifications.conflict")


@routes.route("GET", f"{API}/templates", needs=READ, deprecation=TEMPLATES_DEPRECATED)
def list_templates(req: Request) -> Reply:
    templates = alerting_state(req.org)["templates"]
    return ok([template_json(name, templates[name]) for name in sorted(templates)])


@routes.route("GET", f"{API}/templates/{{name}}", needs=READ, deprecation=TEMPLATES_DEPRECATED)
def get_template(req: Request) -> Reply:
    stored = alerting_state(req.org)["templates"].get(req.params["name"])
    if stored is None:
        raise errutil_reason(req, 404, "alerting.notifications.templates.notFound")
    return ok(template_json(req.params["name"], stored))


@routes.route("PUT", f"{API}/templates/{{name}}", needs=WRITE, deprecation=TEMPLATES_DEPRECATED)
def put_template(req: Request) -> Reply:
    """202 with the stored template. A `version` must match the stored one; with no template stored it is 404."""
    templates = alerting_state(req.org)["templates"]
    name = req.params["name"]
    body = req.json_object()
    content, version = text(body, "template"), text(body, "version")
    if not content:
        raise invalid_template("template must have content")
    content = normalize_template(name, content)
    problem = template_problem(content)
    if problem:
        raise invalid_template(problem)
    stored, provenance = templates.get(name), request_provenance(req)
    if stored is None and version:
        raise errutil_reason(req, 404, "alerting.notifications.templates.notFound")
    if stored is not None:
        check_relaxed_provenance(stored["provenance"], provenance)
        _check_version(req, version, stored)
    templates[name] = {"template": content, "provenance": provenance}
    return ok(template_json(name, templates[name]), 202)


@routes.route("DELETE", f"{API}/templates/{{name}}", needs=WRITE, deprecation=TEMPLATES_DEPRECATED)
def delete_template(req: Request) -> Reply:
    """204, also when there is no such template; `?version=` must match when given."""
    templates = alerting_state(req.org)["templates"]
    stored = templates.get(req.params["name"])
    if stored is not None:
        _check_version(req, req.arg("version"), stored)
        check_relaxed_provenance(stored["provenance"], request_provenance(req))
        del templates[req.params["name"]]
        forget_object_meta(alerting_state(req.org), "templategroups", req.params["name"])
    return empty(204)
