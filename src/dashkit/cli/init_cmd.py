"""`dashkit init`: scaffold a project that builds, lints clean and syncs against `dashkit emulator`."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click

from ..errors import ConfigError
from .main import App


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Owner marker and service name (default: made from the folder's name).")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(1, 65535),
              help="Port of the emulator the `local` environment points at (when 3000 is taken).")
@click.option("--force", is_flag=True, help="Overwrite files of the scaffold that already exist.")
@click.pass_obj
def init(app: App, directory: Path | None, name: str | None, port: int, force: bool) -> None:
    """Create a dashkit project in DIRECTORY (default: the current folder): dashkit.yaml with a `local`
    environment for `dashkit emulator`, a golden-signals dashboard, an alert, an SLO and a .gitignore.

    Existing files are never overwritten without --force (exit 2, naming them); a .gitignore that exists gets
    the lines it lacks."""
    from ..scaffold import (
        GITIGNORE_LINES,
        LOCAL_TOKEN,
        TOKEN_ENV,
        emulator_command,
        emulator_url,
        project_name,
        scaffold_files,
    )

    target = directory if directory is not None else (app.project or Path.cwd())
    project = project_name(name if name is not None else target.resolve().name)
    files = scaffold_files(project, port)
    taken = sorted(rel for rel in files if rel != ".gitignore" and (target / rel).exists())
    if taken and not force:
        raise ConfigError(f"{target} already holds {', '.join(taken)}; nothing was written",
                          hint="pass --force to overwrite them, or give another DIRECTORY")
    console = app.console
    console.print(f"Created dashkit project '{project}' in {target}:")
    for rel, text in files.items():
        path = target / rel
        if rel == ".gitignore" and path.exists():
            existing = path.read_text(encoding="utf-8")
            missing = [line for line in GITIGNORE_LINES if line not in existing.splitlines()]
            if missing:
                path.write_text(existing + ("" if existing.endswith("\n") or not existing else "\n")
                                + "".join(f"{line}\n" for line in missing), encoding="utf-8")
            console.print(f"  ~ {rel}" + (f"  (added {', '.join(missing)})" if missing else "  (already complete)"))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        console.print(f"  {'~' if rel in taken else '+'} {rel}")
    steps = [
        *([f"cd {shlex.quote(_shown(target))}"] if target.resolve() != Path.cwd().resolve() else []),
        ("dashkit build && dashkit lint", "render everything under build/ and check it"),
        (f"{emulator_command(port)} &", f"a local Grafana API on {emulator_url(port)}; stop it with: kill $!"),
        (f"export {TOKEN_ENV}={LOCAL_TOKEN}", "the token dashkit.yaml's `local` environment reads"),
        ("dashkit diff --env local", "what sync would create"),
        ("dashkit sync --env local", "create it (asks first; --yes does not)"),
    ]
    width = max(len(step if isinstance(step, str) else step[0]) for step in steps)
    console.print()
    console.print("Next steps:")
    for step in steps:
        command, why = (step, "") if isinstance(step, str) else step
        console.print(f"  {command:<{width}}   # {why}" if why else f"  {command}")


def _shown(target: Path) -> str:
    """target as the user would type it from here: relative when inside the current folder."""
    absolute = target.resolve()
    try:
        return os.fspath(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.fspath(absolute)
