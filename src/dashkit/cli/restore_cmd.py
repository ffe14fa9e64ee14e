"""`dashkit restore BACKUP`: put back what a sync backed up, through the normal plan/confirm path."""

from __future__ import annotations

from pathlib import Path

import click

from .main import App, env_option


@click.command()
@click.argument("backup", type=click.Path(exists=True, path_type=Path))
@env_option(help="Environment to restore into (default: the one the backup was taken from).")
@click.option("--force", is_flag=True, help="Also overwrite resources changed in Grafana since, or another owner's.")
@click.option("--dry-run", is_flag=True, help="Show what would be put back and stop.")
@click.option("-y", "--yes", is_flag=True, help="Apply without asking for confirmation.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.pass_obj
@click.pass_context
def restore(ctx: click.Context, app: App, backup: Path, env_name: str | None, force: bool, dry_run: bool, yes: bool,
            fmt: str) -> None:
    """Put back the resources BACKUP holds: a file, a kind's folder or a whole run under .dashkit/backups/<env>/.

    What would change is shown and confirmed first, like a sync; what the restore overwrites is backed up in turn.
    A restored dashboard or rule group is then reported as drift by sync (put back by the code only with --force)."""
    from ..restore import backup_files
    from ..sync import plan_restore
    from .sync_cmd import confirm_and_apply

    settings = app.settings()
    envs = sorted({f.env for f in backup_files(backup) if f.env})
    conn = app.connect(settings, env_name or (envs[0] if len(envs) == 1 else None))
    try:
        with app.reading(conn):
            plan = plan_restore(backup, settings, conn, force=force)
    except BaseException:
        conn.close()
        raise
    from ..build import Project

    confirm_and_apply(ctx, app, Project(settings=settings, resources=[]), conn, plan, fmt, dry_run, yes)
