"""Shared by the --fix tests: a dashboard as lint reads it, and its findings of some rules."""

from __future__ import annotations

from typing import Any

from dashkit.lint.config import LintConfig
from dashkit.lint.fix.registry import FixContext, Fixed, Left
from dashkit.lint.model import DocKind, Document, Finding
from dashkit.lint.runner import lint


def document(data: dict[str, Any], path: str = "d.json", prefix: str = "") -> Document:
    return Document(DocKind.DASHBOARD, data, path, label=str(data.get("title", "")), prefix=prefix)


def findings(data: dict[str, Any], *codes: str) -> list[Finding]:
    return lint([document(data)], LintConfig(select=set(codes)))


def run_fixer(fix, data: dict[str, Any], *codes: str, ctx: FixContext | None = None) -> list[Fixed | Left]:
    """What a fixer says about the findings of `codes` in the dashboard (which it changes in place)."""
    return list(fix(document(data), findings(data, *codes), ctx or FixContext()))
