"""`dashkit import`: dashboard JSON (files, pulled folders, or a live environment) to Python definitions."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import ConfigError, ExitCode
from ..wording import plural
from .main import App, env_option

if TYPE_CHECKING:
    from ..importer.run import Imported
    from ..pull import NotPulled, PullResult
    from .output import Console


@click.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the modules (default: the project's dashboards/ folder).")
@env_option("--from-env", "env_name", is_flag=False, flag_value="", default=None, metavar="[NAME]",
            help="Pull the dashboards from this environment first, then import them (--from-env alone: "
                 "$DASHKIT_ENV, else the only environment dashkit.yaml defines).")
@click.option("--uid", "uids", multiple=True, help="With --from-env: only this dashboard (repeatable).")
@click.option("--folder", "folders", multiple=True, help="With --from-env: only this folder (repeatable).")
@click.option("--tag", "tags", multiple=True, help="With --from-env: only dashboards with these tags.")
@click.option("--overwrite", is_flag=True, help="Replace the module that already defines a dashboard (same uid) "
                                                 "instead of skipping that dashboard.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.pass_obj
@click.pass_context
def import_(ctx: click.Context, app: App, paths: tuple[Path, ...], out: Path | None, env_name: str | None,
            uids: tuple[str, ...], folders: tuple[str, ...], tags: tuple[str, ...], overwrite: bool,
            fmt: str) -> None:
    """Turn dashboard JSON into readable Python definitions that build back the same dashboard, and check it.

    Modules go to a directory per folder title, names made safe (never outside --out, never a name the loader skips
    or one that shadows a Python module); a title the directories cannot spell is kept in `folder = ...`. A
    dashboard the project already defines (same uid) is skipped with a note. Reports "N written of M found".

    Exit 0 when every dashboard found is written (or already defined) and reproduced; 1 when one is not reproduced;
    2 when one could not be imported (not a dashboard, nested too deep, unwritable), each listed with the reason, or
    when a pull manifest is not what `dashkit pull` writes; with --from-env, 4 when Grafana fails and 5 when the pull
    could write only some of the dashboards it found.

    \b
    --format json prints, for scripts ("source": the file given, or with
    --from-env the file as `dashkit pull` names it):
      {"out": "<folder>", "environment": "<name>" or null,
       "found": N, "written": N, "reproduced": N, "skipped": N,
       "notes": ["<about the project's own modules>", ...],
       "dashboards": [{"title": ..., "source": ..., "module": "<file>" or null,
                       "status": "identical" | "differs" | "skipped" | "error",
                       "reason": "<why skipped or failed>" or null,
                       "differences": [...], "notes": [...]}, ...],
       "not_pulled": [{"uid": ..., "title": ..., "reason": ...}, ...]}
    """
    from ..datasource_lookup import logical_names
    from ..importer.run import import_dashboards, inputs, project_dashboards

    from_env = env_name is not None
    if not paths and not from_env:
        raise ConfigError("nothing to import", hint="give dashboard JSON files or folders, or --from-env NAME")
    settings = _settings(app, required=from_env)
    root = settings.root if settings else Path.cwd()
    out = out or root / "dashboards"
    uid_names = logical_names(settings)
    console = app.console
    with tempfile.TemporaryDirectory(prefix="dashkit-import-") as scratch:
        files = inputs(paths)
        not_pulled = []
        if from_env:
            env_name, pulled = _pull(app, settings, env_name, Path(scratch), uids, folders, tags, uid_names)
            files += inputs([Path(scratch)])
            not_pulled = pulled.failed
        defined, problems = project_dashboards(root)
        results = import_dashboards(files, out, out.parent, uid_names, overwrite, defined,
                                    name_names=logical_names(settings, by="name"))
    written = [r for r in results if r.module is not None]
    skipped = sum(r.skipped is not None for r in results)
    good = sum(r.identical for r in written)
    found = len(results) + len(not_pulled)
    if fmt == "json":
        console.print(json.dumps({
            "out": str(out), "environment": env_name, "found": found, "written": len(written), "reproduced": good,
            "skipped": skipped, "notes": problems,
            "dashboards": [_imported_json(r, Path(scratch)) for r in results],
            "not_pulled": [_not_pulled_json(item) for item in not_pulled]}, indent=2))
    else:
        _print_results(console, problems, not_pulled, results)
        console.print(f"Imported {plural(len(written), 'dashboard')}: {len(written)} written of {found} found"
                      + (f", {skipped} already defined (skipped)" if skipped else "")
                      + f"; {good} reproduced identically.", bold=True)
    if any(r.error for r in results):
        ctx.exit(ExitCode.USAGE)
    if not_pulled:
        ctx.exit(ExitCode.PARTIAL)
    if good < len(written):
        ctx.exit(ExitCode.CHANGES)


def _print_results(console: Console, problems: list[str], not_pulled: list[NotPulled],
                   results: list[Imported]) -> None:
    for problem in problems:
        console.print(f"  note: {problem}", fg="yellow")
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


def _imported_json(result: Imported, scratch: Path) -> dict[str, Any]:
    """One dashboard of an import as --format json prints it; `scratch` is where --from-env pulled to."""
    source = result.source
    if source.is_relative_to(scratch):
        source = source.relative_to(scratch)
    if result.error:
        status = "error"
    elif result.skipped:
        status = "skipped"
    else:
        status = "identical" if result.identical else "differs"
    return {"title": result.title, "source": source.as_posix(), "status": status,
            "module": str(result.module) if result.module is not None else None,
            "reason": result.error or result.skipped, "differences": result.differences, "notes": result.notes}


def _not_pulled_json(item: NotPulled) -> dict[str, str]:
    return {"uid": item.uid, "title": item.title, "reason": item.reason}


def _settings(app: App, required: bool):
    try:
        return app.settings()
    except ConfigError:
        if required:
            raise
        return None


def _pull(app: App, settings, env_name: str, scratch: Path, uids, folders, tags,
          uid_names: dict[str, str]) -> tuple[str, PullResult]:
    """(the environment pulled from, what was pulled); `env_name` as --from-env gave it ('' for the default)."""
    from ..datasource_lookup import lookup
    from ..pull import pull

    with app.connect(settings, env_name, option="--from-env") as conn, app.reading(conn):
        for logical, ref in conn.env.datasources.items():  # name entries resolve through the API
            found = lookup(ref, conn.client) if ref.name else None
            if found is not None:
                uid_names.setdefault(found.uid, logical)
        return conn.env.name, pull(conn.client, scratch, uids=uids, folders=folders, tags=tags, api=conn.api,
                                   map_parallel=lambda fn, items: conn.pool.map(fn, items))
