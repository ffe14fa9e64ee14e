"""`dashkit build`: render every resource to files under build/."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from ..wording import plural
from .main import App
from .sync_cmd import target_option, targeted


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: build/ in the project).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@target_option
@click.pass_obj
def build(app: App, out: Path | None, fmt: str, targets: tuple[str, ...]) -> None:
    """Render every dashboard to JSON under build/, byte-identical across runs.

    \b
    --format json prints what was written (files relative to "out", sorted):
      {"out": "<folder>", "files": ["dashboards/<folder>/<uid>.json", ...],
       "resources": {"<kind>": <count>, ...}}
    """
    from ..build import load_project, write_build

    settings = app.settings()
    project, _ = targeted(load_project(settings), targets)
    target = out if out is not None else settings.root / "build"
    files = write_build(project, target)
    tally = Counter(r.kind for r in project.resources)
    if fmt == "json":
        app.console.print(json.dumps({"out": str(target), "files": [f.relative_to(target).as_posix() for f in files],
                                      "resources": dict(sorted(tally.items()))}, indent=2))
        return
    what = ", ".join(plural(n, kind) for kind, n in sorted(tally.items())) or "nothing"
    app.console.print(f"Built {what}: {plural(len(files), 'file')} in {target}")
