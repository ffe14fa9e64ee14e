"""`dashkit import`: read dashboard JSON, write definition modules, and prove each builds back the dashboard."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..naming import file_safe
from .adopt import UnsupportedDashboard, adopt
from .codegen import module_name, module_source
from .fidelity import check


@dataclass
class Imported:
    source: Path
    title: str = ""
    module: Path | None = None
    identical: bool = False
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # unreadable or unsupported input: nothing was written


def inputs(paths: Iterable[Path]) -> list[tuple[Path, tuple[str, ...]]]:
    """(file, folder path) for every JSON file given; a folder's subfolders become nested Grafana folders (with
    their exact titles when the folder was written by `dashkit pull`)."""
    from ..pull import MANIFEST

    found = []
    for path in paths:
        if path.is_dir():
            titles = _pulled_titles(path / MANIFEST)
            for file in sorted(path.rglob("*.json")):
                if file.name == MANIFEST:
                    continue
                entry = titles.get(file.relative_to(path).as_posix())
                found.append((file, tuple(entry["folder"]) if entry else file.parent.relative_to(path).parts))
        else:
            found.append((path, ()))
    return found


def _pulled_titles(manifest: Path) -> dict:
    """The exact folder titles `dashkit pull` recorded; without a readable manifest, directory names serve."""
    try:
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        return {}
    return files if isinstance(files, dict) else {}


def import_dashboards(files: list[tuple[Path, tuple[str, ...]]], out: Path, project_root: Path,
                      uid_names: Mapping[str, str] | None = None, overwrite: bool = False) -> list[Imported]:
    results = []
    taken: dict[Path, set[str]] = {}
    for file, folder in files:
        result = Imported(source=file)
        results.append(result)
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            result.error = f"cannot be read: {exc}"
            continue
        except json.JSONDecodeError as exc:
            result.error = f"is not JSON (line {exc.lineno}: {exc.msg})"
            continue
        try:
            adopted = adopt(data, uid_names)
        except UnsupportedDashboard as exc:
            result.error = str(exc)
            continue
        result.title, result.notes = adopted.dashboard["title"], adopted.notes
        directory = out.joinpath(*(file_safe(p) for p in folder))
        names = taken.setdefault(directory, {p.stem for p in directory.glob("*.py")} if not overwrite else set())
        module = directory / f"{module_name(result.title, names)}.py"
        names.add(module.stem)
        module.parent.mkdir(parents=True, exist_ok=True)
        text = module_source(adopted.dashboard, source=str(file), notes=adopted.notes)
        if any(file_safe(p) != p for p in folder):  # the directory names could not spell the folder titles
            text += f"\nfolder = {'/'.join(folder)!r}\n"
        module.write_text(text, encoding="utf-8")
        result.module = module
        fidelity = check(module, project_root, adopted.dashboard)
        result.identical, result.differences = fidelity.identical, fidelity.differences
    return results
