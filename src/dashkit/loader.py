"""Discover definition modules under dashboards/ and alerts/ and import each one in isolation."""

from __future__ import annotations

import importlib.util
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .errors import DefinitionError

AREAS = ("dashboards", "alerts")


@dataclass(frozen=True)
class Definition:
    """One imported definition module."""

    area: str  # "dashboards" or "alerts"
    relpath: str  # e.g. "dashboards/payments/api.py", always with forward slashes
    folder_path: tuple[str, ...]  # directories between the area folder and the module
    module: ModuleType


def discover(root: Path) -> list[Path]:
    """Every *.py under dashboards/ and alerts/ whose name (and folders) do not start with '_' or '.', sorted."""
    found = []
    for area in AREAS:
        base = root / area
        if not base.is_dir():
            continue
        for path in base.rglob("*.py"):
            parts = path.relative_to(base).parts
            if any(p.startswith(("_", ".")) for p in parts):
                continue
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def load_definitions(root: Path) -> list[Definition]:
    return [import_definition(root, path) for path in discover(root)]


def import_definition(root: Path, path: Path) -> Definition:
    rel = path.relative_to(root)
    relpath = rel.as_posix()
    area = rel.parts[0]
    folder_path = tuple(rel.parts[1:-1])
    name = "dashkit_definitions." + re.sub(r"\W", "_", relpath[:-3])
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DefinitionError(relpath, "cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    added = [p for p in (str(root), str(path.parent)) if p not in sys.path]
    sys.path[:0] = added
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a definition may raise anything, SystemExit included
        sys.modules.pop(name, None)
        error = DefinitionError(*_describe_failure(relpath, path, exc))
        error.detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        raise error from None
    finally:
        for p in added:
            if p in sys.path:
                sys.path.remove(p)
    return Definition(area=area, relpath=relpath, folder_path=folder_path, module=module)


def _describe_failure(relpath: str, path: Path, exc: BaseException) -> tuple[str, str, str]:
    """(where, what, hint) for an exception raised while importing a definition."""
    where = relpath
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename) == path:
        where = f"{relpath}:{exc.lineno}"
        return where, f"SyntaxError: {exc.msg}", "fix the syntax error"
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == path:
            line = frame.lineno
    if line is not None:
        where = f"{relpath}:{line}"
    text = str(exc) or repr(exc)
    return where, f"{type(exc).__name__}: {text}", "fix the definition module; run 'dashkit build -v' for the traceback"
