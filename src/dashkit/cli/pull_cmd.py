"""`dashkit pull`: export live dashboards as JSON files mirroring Grafana's folder tree."""

from __future__ import annotations

from pathlib import Path

import click

from .main import App


@click.command()
@click.option("--env", "env_name", required=True, help="Environment from dashkit.yaml.")
@click.option("--uid", "uids", multiple=True, help="Only this dashboard (repeatable).")
@click.option("--folder", "folders", multiple=True, help="Only dashboards in this folder (title path or uid; "
                                                         "subfolders included; repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only dashboards with all these tags (repeatable).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write to.")
@click.pass_obj
def pull(app: App, env_name: str, uids: tuple[str, ...], folders: tuple[str, ...], tags: tuple[str, ...],
         out: Path) -> None:
    """Export live dashboards as JSON (server-managed fields removed), ready for `dashkit import` or review."""
    from ..pull import pull as run
    from ..sync import connect

    settings = app.settings()
    with connect(settings, env_name, log=app.console.debug if app.verbose else None) as conn:
        app.console.add_secrets(*conn.secrets)
        written = run(conn.client, out, uids=uids, folders=folders, tags=tags,
                      map_parallel=lambda fn, items: conn.pool.map(fn, items))
    for item in written:
        app.console.print(f"  {item.file}  ({item.uid})")
    app.console.print(f"Pulled {len(written)} dashboard{'s' if len(written) != 1 else ''} into {out}")
