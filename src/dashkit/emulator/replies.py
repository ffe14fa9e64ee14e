"""HTTP replies and the error body shapes Grafana's API uses (grafana-api.md §1)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

JSON = "application/json"
JSON_UTF8 = "application/json; charset=UTF-8"


@dataclass
class Reply:
    """One HTTP answer: a JSON-able `body` (or raw bytes) with its status and headers."""

    status: int = 200
    body: Any = None
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    pretty: bool = False

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.pretty:
            return json.dumps(self.body, indent=2, ensure_ascii=False).encode()
        return compact_json(self.body).encode()


def compact_json(value: Any) -> str:
    """`value` as the JSON text a reply carries: no spaces, non-ASCII kept as it is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class ApiError(Exception):
    """Raised by a handler to answer with an error reply."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(f"{reply.status} {reply.body!r}")
        self.reply = reply


def ok(body: Any, status: int = 200) -> Reply:
    return Reply(status=status, body=body)


def message_error(status: int, message: str, *, trace: bool = False) -> ApiError:
    """Shape 1: `{"message"}`, plus `traceID` when Grafana attached an internal error."""
    body: dict[str, Any] = {"message": message}
    if trace:
        body["traceID"] = ""
    return ApiError(Reply(status, body))


def status_error(status: int, message: str, status_code: str) -> ApiError:
    """Shape 2: a dashboard/folder error carrying a `status` code such as `version-mismatch`."""
    return ApiError(Reply(status, {"message": message, "status": status_code}))


# errutil's public message when none is configured: the status reason (10.x/11.x spelling, then k8s-style in 12.x)
_REASONS = {400: "Bad request", 403: "Forbidden", 404: "Not found", 409: "Conflict", 500: "Internal server error"}
_K8S_REASONS = {400: "BadRequest", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 500: "InternalError"}


def status_reason(status: int, *, k8s_style: bool) -> str:
    """The `message` of an errutil error configured without a public one (grafana-api.md §1 shape 3): "Not found"
    before 12, "NotFound" from 12 on."""
    return (_K8S_REASONS if k8s_style else _REASONS)[status]


def errutil_error(status: int, message_id: str, message: str, extra: dict[str, Any] | None = None) -> ApiError:
    """Shape 3: an errutil public error."""
    body: dict[str, Any] = {"message": message, "messageId": message_id, "statusCode": status}
    if extra:
        body["extra"] = extra
    body["traceID"] = ""
    return ApiError(Reply(status, body))


def access_denied(needed: tuple[str, ...]) -> ApiError:
    """Shape 4: the RBAC middleware's 403."""
    wanted = needed[0] if len(needed) == 1 else "any of " + ", ".join(needed)
    body = {
        "title": "Access denied",
        "message": f"You'll need additional permissions to perform this action. Permissions needed: {wanted}",
        "accessErrorId": "ACE" + "".join(secrets.choice("0123456789") for _ in range(10)),
    }
    return ApiError(Reply(403, body, content_type=JSON_UTF8))


def bad_request_data() -> ApiError:
    return message_error(400, "bad request data")


def not_found_route() -> Reply:
    return Reply(404, {"message": "Not found"})
