"""Console: the one object commands print through (so tests capture it and secrets are masked)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

import click

MASK = "***"


class Console:
    def __init__(
        self,
        *,
        color: bool | None = None,
        verbose: bool = False,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.color = False if os.environ.get("NO_COLOR") else color
        self.verbose = verbose
        self._out = out
        self._err = err
        self._secrets: list[str] = []

    def add_secrets(self, *secrets: str) -> None:
        """Never print these, whatever code path tries (defence in depth behind the client's own care)."""
        for secret in secrets:
            if secret and len(secret) >= 4 and secret not in self._secrets:
                self._secrets.append(secret)

    def mask(self, text: str) -> str:
        from ..secrets import seen

        for secret in (*self._secrets, *seen()):
            if len(secret) >= 4:
                text = text.replace(secret, MASK)
        return text

    def print(self, text: str = "", *, err: bool = False, fg: str | None = None, bold: bool = False,
              nl: bool = True) -> None:
        text = self.mask(text)
        if fg or bold:
            text = click.style(text, fg=fg, bold=bold)
        click.echo(text, file=self._err if err else self._out, err=err, color=self.color, nl=nl)

    def style(self, text: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if (fg or bold) else text

    def debug(self, text: str) -> None:
        if self.verbose:
            self.print(text, err=True, fg="bright_black")

    def error(self, message: str, hint: str | None = None) -> None:
        self.print(self.style("error: ", fg="red", bold=True) + message, err=True)
        if hint:
            self.print(self.style("hint: ", fg="yellow") + hint, err=True)

    @property
    def interactive(self) -> bool:
        stream = self._err or sys.stderr
        return bool(getattr(stream, "isatty", lambda: False)())

    def confirm(self, question: str) -> bool:
        return click.confirm(self.mask(question), default=False, err=True)
