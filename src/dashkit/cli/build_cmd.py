"""`dashkit build`: render every resource to files under build/."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from .main import App


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: build/ in the project).")
@click.pass_obj
def build(app: App, out: Path | None) -> None:
    """Render every dashboard to JSON under build/, byte-identical across runs."""
    from ..build import load_project, write_build

    settings = app.settings()
    project = load_project(settings)
    target = out if out is not None else settings.root / "build"
    files = write_build(project, target)
    tally = Counter(r.kind for r in project.resources)
    what = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(tally.items())) or "nothing"
    app.console.print(f"Built {what}: {len(files)} files in {target}")
