"""`dashkit pull`: export live dashboards as JSON files mirroring Grafana's folder tree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import ExitCode
from ..wording import plural
from .main import App, env_option

if TYPE_CHECKING:
    from ..pull import PullResult


@click.command()
@env_option()
@click.option("--uid", "uids", multiple=True, help="Only this dashboard (repeatable).")
@click.option("--folder", "folders", multiple=True, help="Only dashboards in this folder (title path or uid; "
                                                         "subfolders included; repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only dashboards with all these tags (repeatable).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write to.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.pass_obj
@click.pass_context
def pull(ctx: click.Context, app: App, env_name: str | None, uids: tuple[str, ...], folders: tuple[str, ...],
         tags: tuple[str, ...], out: Path, fmt: str) -> None:
    """Export live dashboards as JSON (server-managed fields removed), ready for `dashkit import` or review.

    Every file name is made from the folder and dashboard titles, made safe (never outside --out, never hidden)
    and unique (a uid is appended when two titles would share a file); .dashkit-pull.json records each file's uid and
    exact folder titles. Reports "N written of M found". Exit 0 when every dashboard found was written; 5 (partial,
    as for a sync that applied only part of its plan) when some could not be, each listed with the reason; 4 when
    Grafana fails; 2 when a path would lead outside --out (through a symlink), nothing written there.

    \b
    --format json prints what was found and written (files relative to "out"):
      {"environment": "<name>", "out": "<folder>", "found": N,
       "written": [{"uid": ..., "title": ..., "file": "<path>",
                    "folder": ["<title>", ...]}, ...],
       "failed": [{"uid": ..., "title": ..., "reason": ...}, ...]}
    """
    from ..pull import pull as run

    settings = app.settings()
    with app.connect(settings, env_name) as conn, app.reading(conn):
        result = run(conn.client, out, uids=uids, folders=folders, tags=tags, api=conn.api,
                     map_parallel=lambda fn, items: conn.pool.map(fn, items))
    written = len(result.written)
    if fmt == "json":
        app.console.print(json.dumps(pull_json(conn.env.name, out, result), indent=2))
    else:
        for item in result.written:
            app.console.print(f"  {item.file}  ({item.uid})")
        for item in result.failed:
            app.console.print(f"  x {item.title} ({item.uid}): {item.reason}", fg="red")
        app.console.print(f"Pulled {plural(written, 'dashboard')} into {out}: "
                          f"{written} written of {result.found} found.")
    if written != result.found:
        ctx.exit(ExitCode.PARTIAL)


def pull_json(env: str, out: Path, result: PullResult) -> dict[str, Any]:
    """A pull as --format json prints it (the shape the --help of pull documents)."""
    return {
        "environment": env,
        "out": str(out),
        "found": result.found,
        "written": [{"uid": item.uid, "title": item.title, "folder": list(item.folder_path),
                     "file": item.file.relative_to(out).as_posix()} for item in result.written],
        "failed": [{"uid": item.uid, "title": item.title, "reason": item.reason} for item in result.failed],
    }
