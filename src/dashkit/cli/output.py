"""Console: the one object commands print through (so tests capture it and secrets are masked)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

import click

from ..secrets import longest_first, masked_forms, seen_forms
from ..secrets import mask as mask_forms

PROGRESS_AFTER = 1.0  # seconds a step runs before a progress line appears
PROGRESS_EVERY = 0.2  # seconds between its updates


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
        self._own_forms: frozenset[str] = frozenset()
        # (seen forms, own forms) -> every form longest first; replaced whole, as worker threads log through mask()
        self._forms: tuple[tuple[str, ...], frozenset[str], tuple[str, ...]] = ((), frozenset(), ())

    def add_secrets(self, *secrets: str) -> None:
        """Never print these in any form, whatever code path tries (defence in depth behind the client's own care).
        For basic auth, give `user:password` too: its base64 is the Authorization header."""
        for secret in secrets:
            if secret:
                self._own_forms = self._own_forms | masked_forms(secret)

    def mask(self, text: str) -> str:
        """text with every form of the secrets given to add_secrets and of every secret read so far masked."""
        shared, own = seen_forms(), self._own_forms
        made_from_shared, made_from_own, forms = self._forms
        if made_from_shared is not shared or made_from_own is not own:
            forms = longest_first((*shared, *own))
            self._forms = (shared, own, forms)
        return mask_forms(text, forms)

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

    @contextmanager
    def progress(self, status: Callable[[], str]) -> Iterator[None]:
        """While the block runs, keep one line on the terminal saying how far it got (`status()`), once it has taken
        longer than PROGRESS_AFTER; erased when the block ends. Nothing at all when stderr is not a terminal, or with
        --verbose (whose log is the progress)."""
        if not self.interactive or self.verbose:
            yield
            return
        done = threading.Event()
        shown = 0  # width of the line on screen

        def keep_showing() -> None:
            nonlocal shown
            if done.wait(PROGRESS_AFTER):
                return
            while True:
                text = self.mask(status())
                self.print("\r" + text.ljust(shown), err=True, nl=False)
                shown = max(shown, len(text))
                if done.wait(PROGRESS_EVERY):
                    return

        ticker = threading.Thread(target=keep_showing, name="dashkit-progress", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()
            if shown:
                self.print("\r" + " " * shown + "\r", err=True, nl=False)
