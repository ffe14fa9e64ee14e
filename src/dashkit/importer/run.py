"""`dashkit import`: read dashboard JSON, write definition modules, and prove each builds back the dashboard."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .. import naming, safe_paths
from ..errors import ConfigError, DashkitError
from ..kinds.base import BuildContext
from ..kinds.dashboard import DashboardKind
from ..loader import discover, import_definition
from .adopt import Adopted, UnsupportedDashboard, adopt
from .definition_writer import module_name, module_source
from .fidelity import check
from .python_source import TupleExpr, render_statement

MAX_DEPTH = 100  # JSON nesting levels: Python refuses to compile 200 nested brackets; real dashboards stay under 20
MAX_TITLE = 1024  # characters of one folder title in a pull manifest (Grafana's own column holds 189)
MAX_FOLDER_DEPTH = 32


@dataclass
class Imported:
    source: Path
    title: str = ""
    module: Path | None = None
    identical: bool = False
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # unreadable or unsupported input: nothing was written
    skipped: str | None = None  # the project already defines this dashboard (same uid): nothing was written


@dataclass(frozen=True)
class Defined:
    """Where the project defines a dashboard: the module, and how many dashboards that module defines."""

    relpath: str
    module: Path
    dashboards: int
    imported_now: bool = False  # written by this import, from another input with the same uid


class Input(NamedTuple):
    """One dashboard file to import: its folder titles, and the datasources (uid -> name) of the Grafana it was
    pulled from, when `dashkit pull` recorded them."""

    file: Path
    folder: tuple[str, ...]
    datasources: Mapping[str, str]


def inputs(paths: Iterable[Path]) -> list[Input]:
    """Every JSON file given, with its folder: the exact titles `dashkit pull` recorded in the manifest of the
    pulled folder holding it (found next to it or above it, so one file of a pull keeps its folder too), else a
    folder's subfolders as nested Grafana folders, and a lone file in General."""
    from ..pull import MANIFEST

    found = []
    for path in paths:
        if path.is_dir():
            files = [(file, file.relative_to(path).parent.parts) for file in sorted(path.rglob("*.json"))
                     if file.name != MANIFEST and file.is_file()]  # a folder may be titled `x.json`
        else:
            files = [(path, ())]
        manifest = _nearest_manifest(path if path.is_dir() else path.parent)
        pulled = read_manifest(manifest) if manifest is not None else PulledManifest()
        for file, folder in files:
            key = file.absolute().relative_to(manifest.parent).as_posix() if manifest is not None else ""
            found.append(Input(file, pulled.folders.get(key, folder), pulled.datasources))
    return found


@dataclass(frozen=True)
class PulledManifest:
    """What `dashkit pull` recorded: file (relative to the pulled folder) -> exact folder titles, and the
    datasources of that Grafana (uid -> name)."""

    folders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    datasources: Mapping[str, str] = field(default_factory=dict)


def _nearest_manifest(folder: Path) -> Path | None:
    """The pull manifest in `folder` or the nearest folder above it."""
    from ..pull import MANIFEST

    folder = folder.absolute()
    for candidate in (folder, *folder.parents):
        if (candidate / MANIFEST).is_file():
            return candidate / MANIFEST
    return None


def read_manifest(manifest: Path) -> PulledManifest:
    """A pull manifest. One that cannot be read leaves directory names to serve; one that reads but is not what
    `pull` writes is refused (ConfigError) rather than trusted, since its titles decide where modules go."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return PulledManifest()
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise _bad_manifest(manifest, "has no `files` object")
    titles = {}
    for key, entry in files.items():
        problem = _manifest_key_problem(manifest.parent, key) or _manifest_entry_problem(entry)
        if problem:
            raise _bad_manifest(manifest, f"entry {str(key)[:100]!r} {problem}")
        titles[key] = tuple(title.strip() for title in entry["folder"])
    datasources = data.get("datasources", {})
    if not isinstance(datasources, dict) or not all(
            isinstance(uid, str) and isinstance(ds, dict) and isinstance(ds.get("name"), str)
            for uid, ds in datasources.items()):
        raise _bad_manifest(manifest, "has a `datasources` entry that is not uid -> {name, type}")
    return PulledManifest(titles, {uid: ds["name"] for uid, ds in datasources.items()})


def _manifest_key_problem(root: Path, key: Any) -> str | None:
    if not isinstance(key, str) or not key.endswith(".json") or len(key) > 4096:
        return "is not the relative path of a .json file"
    parts = key.split("/")
    if "\\" in key or ":" in parts[0] or any(p in ("", ".", "..") for p in parts):
        return "is not a plain relative path"
    try:
        safe_paths.inside(root, root / key)
    except safe_paths.UnsafePath:
        return "points outside the pulled folder"
    return None


def _manifest_entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("folder"), list):
        return "has no `folder` list"
    if not isinstance(entry.get("uid", ""), str):
        return "has a uid that is not a string"
    folder = entry["folder"]
    if len(folder) > MAX_FOLDER_DEPTH:
        return f"has a folder path deeper than {MAX_FOLDER_DEPTH} levels"
    if not all(isinstance(t, str) and t.strip() and len(t) <= MAX_TITLE for t in folder):
        return f"has a folder title that is not a non-empty string of at most {MAX_TITLE} characters"
    return None


def _bad_manifest(manifest: Path, problem: str) -> ConfigError:
    return ConfigError(f"{manifest} {problem}; nothing was imported",
                       hint="`dashkit pull` writes this file; pull again, or delete it to use the directory names as "
                            "folder titles")


def project_dashboards(project_root: Path) -> tuple[dict[str, Defined], list[str]]:
    """uid -> where the project defines it, for every dashboard its dashboards/ modules define (loaded as `dashkit
    build` loads them), and one line per module that could not be loaded (its dashboards stay unknown)."""
    kind = DashboardKind()
    ctx = BuildContext(root=project_root, owner="")
    defined: dict[str, Defined] = {}
    problems = []
    for path in discover(project_root):
        if path.relative_to(project_root).parts[0] != kind.area:
            continue
        try:
            definition = import_definition(project_root, path)
            resources = kind.collect(definition, ctx)
        except DashkitError as exc:
            problems.append(f"{exc}: the dashboards it defines are not known, so not checked for duplicates")
            continue
        for resource in resources:
            defined.setdefault(resource.uid, Defined(definition.relpath, path, len(resources)))
    return defined, problems


def import_dashboards(files: list[Input], out: Path, project_root: Path,
                      uid_names: Mapping[str, str] | None = None, overwrite: bool = False,
                      defined: Mapping[str, Defined] | None = None,
                      name_names: Mapping[str, str] | None = None) -> list[Imported]:
    """One module per input under `out`, in a directory per folder title (names made safe, never outside `out`).
    A dashboard whose uid is in `defined` is skipped, or with `overwrite` replaces the module defining it.

    Datasources become logical names by uid (`uid_names`: concrete uid -> logical name) or, for the datasource
    names dashkit.yaml maps (`name_names`: name -> logical name), by the uid that name has in the Grafana a file
    was pulled from (recorded in the pull manifest) or in the dashboard's own datasource variable."""
    results = []
    known = dict(defined or {})
    taken: dict[Path, set[str]] = {}
    for file, folder, pulled_datasources in files:
        result = Imported(source=file)
        results.append(result)
        by_uid = dict(uid_names or {})
        for uid, name in sorted(pulled_datasources.items()):
            if name in (name_names or {}):
                by_uid.setdefault(uid, name_names[name])
        try:
            adopted = _read(file, by_uid, name_names)
        except UnsupportedDashboard as exc:
            result.error = str(exc)
            continue
        titles = tuple(title.strip() for title in folder if title.strip())
        result.title, result.notes = adopted.dashboard["title"], adopted.notes
        uid = _built_uid(adopted.dashboard, titles)
        existing = known.get(uid) if uid else None
        if existing is not None:
            why_not = _not_replaceable(existing, out)
            if not overwrite or why_not:
                result.skipped = (f"uid {uid} is already defined in {existing.relpath}: not imported again "
                                  f"({why_not or '--overwrite replaces that module'})")
                continue
            module = existing.module
        else:
            directory = out.joinpath(*(_directory_name(title) for title in titles))
            names = taken.setdefault(directory, {p.stem.casefold() for p in directory.glob("*.py")})
            module = directory / f"{module_name(result.title, names)}.py"
            names.add(module.stem)
        text = module_source(adopted.dashboard, source=str(file), notes=adopted.notes)
        statement = _folder_statement(titles, module.resolve().parent.relative_to(out.resolve()).parts)
        text += f"\n{statement}" if statement else ""
        try:
            compile(text, str(module), "exec")
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            result.error = f"gives a module Python cannot compile ({type(exc).__name__}: {exc}); nothing was written"
            continue
        try:
            safe_paths.write_text(out, module, text)
        except (OSError, safe_paths.UnsafePath) as exc:
            result.error = f"cannot be written: {exc}"
            continue
        result.module = module
        if uid:
            known[uid] = Defined(_shown(module, project_root), module, 1, imported_now=True)
        fidelity = check(module, project_root, adopted.dashboard)
        result.identical, result.differences = fidelity.identical, fidelity.differences
    return results


def _read(file: Path, uid_names: Mapping[str, str], name_names: Mapping[str, str] | None) -> Adopted:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UnsupportedDashboard(f"cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UnsupportedDashboard(f"is not JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise UnsupportedDashboard(f"is nested more than {MAX_DEPTH} levels deep (too deep to read); dashkit "
                                   "imports dashboards Python can compile back") from None
    if _deeper_than(data, MAX_DEPTH):
        raise UnsupportedDashboard(f"is nested more than {MAX_DEPTH} levels deep; dashkit imports dashboards "
                                   "Python can compile back")
    return adopt(data, uid_names, name_names)


def _deeper_than(data: Any, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def _built_uid(dashboard: dict[str, Any], folder: tuple[str, ...]) -> str | None:
    """The uid the generated module builds: the dashboard's own, else the one dashkit derives."""
    uid = dashboard.get("uid")
    if uid in (None, ""):
        return naming.dashboard_uid(folder, dashboard["title"].strip())
    return uid if naming.is_valid_uid(uid) else None


def _not_replaceable(existing: Defined, out: Path) -> str:
    """Why --overwrite cannot replace the module that defines a dashboard ('' when it can)."""
    if existing.imported_now:
        return "imported from another input of this run"
    if existing.dashboards != 1:
        return f"--overwrite does not replace it: that module defines {existing.dashboards} dashboards"
    if not existing.module.resolve().is_relative_to(out.resolve()):
        return f"--overwrite does not replace it: it is not under {out}"
    return ""


def _shown(module: Path, project_root: Path) -> str:
    try:
        return module.resolve().relative_to(project_root.resolve()).as_posix()
    except ValueError:
        return str(module)


def _directory_name(title: str) -> str:
    """A directory for folder `title` that the loader reads: never hidden (`_`, `.`), never taken for a module."""
    name = safe_paths.segment(naming.file_safe(title), fallback="folder", suffix=safe_paths.stable_tag(title))
    return name[:-3] + "_py" if name.casefold().endswith(".py") else name


def _folder_statement(titles: tuple[str, ...], directories: tuple[str, ...]) -> str:
    """`folder = ...` when the module's directories do not spell its folder titles: "A/B" when that reads back as
    the same titles, else a tuple of exact titles (one holds a '/', or the folder is General's namesake)."""
    if directories == titles:
        return ""
    if titles and all("/" not in t for t in titles) and not (len(titles) == 1 and titles[0].casefold() == "general"):
        return render_statement("folder", "/".join(titles))
    return render_statement("folder", TupleExpr(titles))
