"""BuilderError: a builder called with arguments that would make a broken or misleading dashboard."""

from __future__ import annotations


class BuilderError(ValueError):
    """Raised at the call site, so the loader reports the definition file and line that wrote the mistake."""
