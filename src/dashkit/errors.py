"""Errors users can act on, and the exit codes the CLI maps them to."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    CHANGES = 1  # diff --exit-code with changes; lint with error-level findings
    USAGE = 2  # usage or configuration error
    DEFINITION = 3  # a definition failed to import or build
    GRAFANA = 4  # Grafana unreachable, auth or API error
    PARTIAL = 5  # sync applied only part of its plan
    BUG = 70


class DashkitError(Exception):
    """An expected failure: one message naming what failed, and a hint for what to do."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.detail: str | None = None  # extra text (a definition's traceback) shown only with --verbose

    def __str__(self) -> str:
        return self.message


class ConfigError(DashkitError):
    """dashkit.yaml or the command line is wrong."""

    exit_code = ExitCode.USAGE


class DefinitionError(DashkitError):
    """A definition module failed to import, or produced something that is not a valid resource."""

    exit_code = ExitCode.DEFINITION

    def __init__(self, path: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"{path}: {message}", hint)
        self.path = path


class GrafanaError(DashkitError):
    """Grafana answered with an error, or could not be reached."""

    exit_code = ExitCode.GRAFANA

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        status: int | None = None,
        body: object = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.body = body
        self.method = method
        self.path = path


class GrafanaUnreachable(GrafanaError):
    """No answer at all: connection refused, DNS, TLS, timeout after retries."""


class AuthError(GrafanaError):
    """401 or 403: the credentials are wrong or lack a permission."""


class NotFound(GrafanaError):
    """404 from Grafana."""


class Conflict(GrafanaError):
    """409 or 412: someone else changed the resource (optimistic lock), or it already exists."""


class ResponseLost(GrafanaError):
    """A non-idempotent write was sent but its answer was lost: it may or may not have been applied."""


class PartialSync(DashkitError):
    """sync applied only part of its plan; the CLI has already printed what was and was not applied."""

    exit_code = ExitCode.PARTIAL
