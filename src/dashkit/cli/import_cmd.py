"""`dashkit import`: dashboard JSON (files, pulled folders, or a live environment) to Python definitions."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import ConfigError, ExitCode
from .main import App

if TYPE_CHECKING:
    from ..pull import PullResult


@click.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the modules (default: the project's dashboards/ folder).")
@click.option("--from-env", "env_name", help="Pull the dashboards from this environment first, then import them.")
@click.option("--uid", "uids", multiple=True, help="With --from-env: only this dashboard (repeatable).")
@click.option("--folder", "folders", multiple=True, help="With --from-env: only this folder (repeatable).")
@click.option("--tag", "tags", multiple=True, help="With --from-env: only dashboards with these tags.")
@click.option("--overwrite", is_flag=True, help="Replace the module that already defines a dashboard (same uid) "
                                                 "instead of skipping that dashboard.")
@click.pass_obj
@click.pass_context
def import_(ctx: click.Context, app: App, paths: tuple[Path, ...], out: Path | None, env_name: str | None,
            uids: tuple[str, ...], folders: tuple[str, ...], tags: tuple[str, ...], overwrite: bool) -> None:
    """Turn dashboard JSON into readable Python definitions that build back the same dashboard, and check it.

    Modules go to a directory per folder title, names made safe (never outside --out, never a name the loader skips
    or one that shadows a Python module); a title the directories cannot spell is kept in `folder = ...`. A
    dashboard the project already defines (same uid) is skipped with a note. Reports "N written of M found".

    Exit 0 when every dashboard found is written (or already defined) and reproduced; 1 when one is not reproduced;
    2 when one could not be imported (not a dashboard, nested too deep, unwritable), each listed with the reason, or
    when a pull manifest is not what `dashkit pull` writes; with --from-env, 4 when Grafana fails and 5 when the pull
    could write only some of the dashboards it found."""
    from ..importer.run import import_dashboards, inputs, project_dashboards

    if not paths and not env_name:
        raise ConfigError("nothing to import", hint="give dashboard JSON files or folders, or --from-env NAME")
    settings = _settings(app, required=bool(env_name))
    root = settings.root if settings else Path.cwd()
    out = out or root / "dashboards"
    uid_names = _logical_names(settings)
    console = app.console
    with tempfile.TemporaryDirectory(prefix="dashkit-import-") as scratch:
        files = inputs(paths)
        not_pulled = []
        if env_name:
            pulled = _pull(app, settings, env_name, Path(scratch), uids, folders, tags, uid_names)
            files += inputs([Path(scratch)])
            not_pulled = pulled.failed
        defined, problems = project_dashboards(root)
        for problem in problems:
            console.print(f"  note: {problem}", fg="yellow")
        results = import_dashboards(files, out, out.parent, uid_names, overwrite, defined)
    for item in not_pulled:
        console.print(f"  x {item.title} ({item.uid}): could not be pulled: {item.reason}", fg="red")
    for result in results:
        if result.error:
            console.print(f"  x {result.source}: {result.error}", fg="red")
        elif result.skipped:
            console.print(f"  - {result.title}: skipped, {result.skipped}")
        elif result.identical:
            console.print(f"  = {result.title}: identical  ({result.module})")
        else:
            console.print(f"  ! {result.title}: differs  ({result.module})", fg="yellow")
            for line in result.differences[:20]:
                console.print(f"      {line}")
        for note in result.notes:
            console.print(f"      note: {note}", fg="bright_black")
    written = [r for r in results if r.module is not None]
    skipped = sum(r.skipped is not None for r in results)
    good = sum(r.identical for r in written)
    found = len(results) + len(not_pulled)
    console.print(f"Imported {len(written)} dashboard{'s' if len(written) != 1 else ''}: {len(written)} written of "
                  f"{found} found" + (f", {skipped} already defined (skipped)" if skipped else "")
                  + f"; {good} reproduced identically.", bold=True)
    if any(r.error for r in results):
        ctx.exit(ExitCode.USAGE)
    if not_pulled:
        ctx.exit(ExitCode.PARTIAL)
    if good < len(written):
        ctx.exit(ExitCode.CHANGES)


def _settings(app: App, required: bool):
    try:
        return app.settings()
    except ConfigError:
        if required:
            raise
        return None


def _logical_names(settings) -> dict[str, str]:
    """Concrete datasource uid -> logical name, from every environment's `uid:` entries in dashkit.yaml."""
    names: dict[str, str] = {}
    for env in sorted(settings.environments.values(), key=lambda e: e.name) if settings else []:
        for logical, ref in sorted(env.datasources.items()):
            if ref.uid:
                names.setdefault(ref.uid, logical)
    return names


def _pull(app: App, settings, env_name: str, scratch: Path, uids, folders, tags,
          uid_names: dict[str, str]) -> PullResult:
    from ..datasources import lookup
    from ..pull import pull
    from ..sync import connect

    with connect(settings, env_name, log=app.console.debug if app.verbose else None) as conn:
        app.console.add_secrets(*conn.secrets)
        for logical, ref in conn.env.datasources.items():  # name entries resolve through the API
            found = lookup(ref, conn.client) if ref.name else None
            if found is not None:
                uid_names.setdefault(found.uid, logical)
        return pull(conn.client, scratch, uids=uids, folders=folders, tags=tags, api=conn.api,
                    map_parallel=lambda fn, items: conn.pool.map(fn, items))
