"""Discover definition modules under datasources/, dashboards/ and alerts/ and import each one in isolation."""

from __future__ import annotations

import contextlib
import importlib.util
import re
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .errors import DefinitionError

AREAS = ("datasources", "dashboards", "alerts")
FIRST_AREA = "datasources"  # imported before the others: the datasources it defines are names their builders accept


@dataclass(frozen=True)
class Definition:
    """One imported definition module, or one YAML definition file (SLO specs under alerts/)."""

    area: str  # "datasources", "dashboards" or "alerts"
    relpath: str  # e.g. "dashboards/payments/api.py", always with forward slashes
    folder_path: tuple[str, ...]  # directories between the area folder and the module
    module: ModuleType  # empty for a YAML file
    documents: tuple[Any, ...] = ()  # the YAML documents of a YAML file

    @property
    def is_yaml(self) -> bool:
        return self.relpath.endswith((".yaml", ".yml"))


def discover(root: Path) -> list[Path]:
    """Every *.py under datasources/, dashboards/ and alerts/ (and *.yaml, *.yml under alerts/) whose name and
    folders do not start with '_' or '.': datasources/ first, then the others sorted by path."""
    found = []
    for area in AREAS:
        base = root / area
        if not base.is_dir():
            continue
        patterns = ("*.py", "*.yaml", "*.yml") if area == "alerts" else ("*.py",)
        for path in (p for pattern in patterns for p in base.rglob(pattern)):
            parts = path.relative_to(base).parts
            if any(p.startswith(("_", ".")) for p in parts):
                continue
            found.append(path)
    return sorted(found, key=lambda p: (p.relative_to(root).parts[0] != FIRST_AREA, p.relative_to(root).as_posix()))


def load_definitions(root: Path) -> Iterator[Definition]:
    """Every definition, imported one at a time: a consumer that takes what it needs from each before asking for the
    next holds one module's objects at a time (thousands of dashboards need not all be in memory at once). A module
    leaves sys.modules once the next one is asked for.

    While a project loads, the logical names of the datasources a datasources/ module defines are known to the
    builders of every module imported after it (they are imported first), as the names dashkit.yaml maps are."""
    with contextlib.ExitStack() as declared:
        for path in discover(root):
            definition = import_definition(root, path)
            try:
                yield definition
            finally:
                sys.modules.pop(definition.module.__name__, None)
            if definition.area == FIRST_AREA:
                _declare_datasources(definition, declared)


def _declare_datasources(definition: Definition, declared: contextlib.ExitStack) -> None:
    from .builders.datasource_definitions import declared_logical_names
    from .project_context import known_datasources, loading_project

    known = known_datasources()
    names = declared_logical_names(getattr(definition.module, "datasources", None))
    if known is None or not names - known:
        return
    wider = known | names
    scope = loading_project(wider)
    scope.__enter__()

    def leave() -> None:
        # A generator abandoned on an error is closed when its traceback goes, after the project load that set the
        # outer names has ended: then there is nothing left to restore.
        if known_datasources() == wider:
            scope.__exit__(None, None, None)

    declared.callback(leave)


def import_definition(root: Path, path: Path) -> Definition:
    rel = path.relative_to(root)
    relpath = rel.as_posix()
    area = rel.parts[0]
    folder_path = tuple(rel.parts[1:-1])
    if path.suffix in (".yaml", ".yml"):
        return Definition(area=area, relpath=relpath, folder_path=folder_path, module=ModuleType(relpath),
                          documents=_yaml_documents(relpath, path))
    name = "dashkit_definitions." + re.sub(r"\W", "_", relpath[:-3])
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DefinitionError(relpath, "cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    added = [p for p in (str(root), str(path.parent)) if p not in sys.path]
    sys.path[:0] = added
    sys.modules[name] = module
    try:
        with contextlib.redirect_stdout(sys.stderr):  # a print() must not corrupt --format json output
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


def _yaml_documents(relpath: str, path: Path) -> tuple[Any, ...]:
    import yaml

    from .safe_yaml import safe_load_all

    try:
        return tuple(d for d in safe_load_all(path.read_text(encoding="utf-8")) if d is not None)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{relpath}:{mark.line + 1}" if mark is not None else relpath
        raise DefinitionError(where, f"invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except UnicodeDecodeError as exc:
        raise DefinitionError(relpath, f"is not UTF-8 text: {exc}") from None


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
