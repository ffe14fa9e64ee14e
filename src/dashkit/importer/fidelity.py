"""Does a generated definition module build back the dashboard it was imported from? Compared the way dashkit
diffs: server-managed fields ignored, a missing uid derived and missing panel ids assigned on both sides."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diff import semantic_diff
from ..errors import DefinitionError
from ..kinds.dashboard import DashboardKind, dashboard_resource
from ..loader import import_definition


@dataclass
class Fidelity:
    title: str
    identical: bool
    differences: list[str]  # rendered DiffLines ("+" the module adds, "-" it loses), or why it did not build


def check(module_path: Path, project_root: Path, expected: dict[str, Any]) -> Fidelity:
    """Import `module_path` (under `project_root`/dashboards) in isolation and compare its `dashboard` with
    `expected`, the adopted JSON."""
    title = str(expected.get("title", ""))
    kind = DashboardKind()
    try:
        definition = import_definition(project_root, module_path)
        if not hasattr(definition.module, "dashboard"):
            return Fidelity(title, False, [f"{definition.relpath}: defines no `dashboard`"])
        built = dashboard_resource(definition.module.dashboard, definition.folder_path, definition.relpath)
    except DefinitionError as exc:
        return Fidelity(title, False, [str(exc)])
    wanted = dashboard_resource(expected, definition.folder_path, "expected")
    lines = semantic_diff(kind.comparable(wanted.body, ""), kind.comparable(built.body, ""), kind.keyed_lists())
    return Fidelity(title, not lines, [line.render() for line in lines])
