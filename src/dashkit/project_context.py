"""What the project being loaded declares, for code running inside its definition modules (builders)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_DATASOURCES: ContextVar[frozenset[str] | None] = ContextVar("dashkit_datasources", default=None)


def known_datasources() -> frozenset[str] | None:
    """Logical datasource names the current project maps in dashkit.yaml, or None outside a project load."""
    return _DATASOURCES.get()


@contextmanager
def loading_project(datasources: Iterable[str]) -> Iterator[None]:
    token = _DATASOURCES.set(frozenset(datasources))
    try:
        yield
    finally:
        _DATASOURCES.reset(token)
