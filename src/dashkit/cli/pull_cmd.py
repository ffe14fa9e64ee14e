"""`dashkit pull`: export live dashboards as JSON files mirroring Grafana's folder tree."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode
from .main import App


@click.command()
@click.option("--env", "env_name", required=True, help="Environment from dashkit.yaml.")
@click.option("--uid", "uids", multiple=True, help="Only this dashboard (repeatable).")
@click.option("--folder", "folders", multiple=True, help="Only dashboards in this folder (title path or uid; "
                                                         "subfolders included; repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only dashboards with all these tags (repeatable).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write to.")
@click.pass_obj
@click.pass_context
def pull(ctx: click.Context, app: App, env_name: str, uids: tuple[str, ...], folders: tuple[str, ...],
         tags: tuple[str, ...], out: Path) -> None:
    """Export live dashboards as JSON (server-managed fields removed), ready for `dashkit import` or review.

    Every file name is made from the folder and dashboard titles, made safe (never outside --out, never hidden)
    and unique (a uid is appended when two titles would share a file); .dashkit-pull.json records each file's uid and
    exact folder titles. Reports "N written of M found". Exit 0 when every dashboard found was written; 5 (partial,
    as for a sync that applied only part of its plan) when some could not be, each listed with the reason; 4 when
    Grafana fails; 2 when a path would lead outside --out (through a symlink), nothing written there."""
    from ..pull import pull as run
    from ..sync import connect

    settings = app.settings()
    with connect(settings, env_name, log=app.console.debug if app.verbose else None) as conn:
        app.console.add_secrets(*conn.secrets)
        result = run(conn.client, out, uids=uids, folders=folders, tags=tags, api=conn.api,
                     map_parallel=lambda fn, items: conn.pool.map(fn, items))
    for item in result.written:
        app.console.print(f"  {item.file}  ({item.uid})")
    for item in result.failed:
        app.console.print(f"  x {item.title} ({item.uid}): {item.reason}", fg="red")
    written = len(result.written)
    app.console.print(f"Pulled {written} dashboard{'s' if written != 1 else ''} into {out}: "
                      f"{written} written of {result.found} found.")
    if written != result.found:
        ctx.exit(ExitCode.PARTIAL)
