"""`dashkit restore BACKUP`: put back what sync backed up before overwriting or deleting it.

Every sync that overwrites or deletes saves the live JSON under `.dashkit/backups/<env>/<run>/<kind>/<file>.json`
and lists in `<run>/index.json` which resource each file holds. Restoring reads those files back into resources and
goes through the normal planner, so what would change is shown (and confirmed) before anything is written; the
versions overwritten by the restore are backed up in turn. A restored dashboard or rule group is marked as restored:
the next sync reports it (drift) instead of putting the code's version back without --force."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .apply import BACKUP_INDEX
from .errors import ConfigError
from .kinds.base import get_kind
from .model import Resource


@dataclass(frozen=True)
class BackupFile:
    path: Path
    kind: str
    uid: str
    env: str


def backup_files(path: Path) -> list[BackupFile]:
    """The backup files `path` names: one file, a run's folder, or one kind's folder of a run."""
    path = path.resolve()
    if not path.exists():
        raise ConfigError(f"{path}: no such backup", hint="backups are under .dashkit/backups/<env>/<run>/")
    run = next((p for p in (path, *path.parents) if (p / BACKUP_INDEX).is_file()), None)
    if run is None:
        raise ConfigError(f"{path} is not inside a dashkit backup (no {BACKUP_INDEX} beside it)",
                          hint="give a file or folder under .dashkit/backups/<env>/<run>/")
    try:
        index = json.loads((run / BACKUP_INDEX).read_text(encoding="utf-8")).get("files") or {}
    except (OSError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{run / BACKUP_INDEX} cannot be read: {exc}") from None
    out = []
    for relative, entry in sorted(index.items()):
        file = (run / relative).resolve()
        if not isinstance(entry, dict) or not file.is_relative_to(run) or not file.is_file():
            continue
        if file == path or path in file.parents:
            out.append(BackupFile(file, str(entry.get("kind")), str(entry.get("uid")), str(entry.get("env", ""))))
    if not out:
        raise ConfigError(f"{path}: no backup file of this run is there")
    return out


def resources(files: list[BackupFile], root: Path) -> list[Resource]:
    out = []
    for backup in files:
        try:
            document: Any = json.loads(backup.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{backup.path}: cannot be read: {exc}") from None
        try:
            source = backup.path.relative_to(root).as_posix()
        except ValueError:
            source = str(backup.path)
        out.append(get_kind(backup.kind).from_backup(document, backup.uid, source))
    return out
