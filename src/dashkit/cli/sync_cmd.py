"""`dashkit diff` and `dashkit sync`: one planner; diff stops at the plan, sync confirms and applies it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ConfigError, ExitCode, PartialSync
from ..wording import plural
from .main import App, env_option

PROGRESS_THRESHOLD = 20  # show progress when a run has more changes than this


def _options(f):
    f = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                     help="Output format.")(f)
    f = click.option("--force", is_flag=True,
                     help="Overwrite resources changed in Grafana since dashkit wrote them, or owned by another "
                          "project (backups are kept).")(f)
    f = click.option("--prune", is_flag=True,
                     help="Delete resources this project created that are no longer defined.")(f)
    f = click.option("--rotate-secrets", is_flag=True,
                     help="Re-send the secrets of every contact point that has some (needed after rotating one "
                          "when the environment sets no secret_digest_key_env).")(f)
    f = click.option("--adopt-owner", "adopt_owners", multiple=True, metavar="OLD",
                     help="Take over resources marked with owner OLD (after renaming `owner:` in dashkit.yaml); "
                          "repeatable.")(f)
    f = target_option(f)
    f = env_option()(f)
    return f


def target_option(f):
    return click.option("--target", "targets", multiple=True, metavar="KIND/ID",
                        help="Only this resource and what it needs (repeatable; globs: 'dashboard/payments-*'; ID is "
                             "a uid or the path the plan shows).")(f)


def targeted(project, targets: tuple[str, ...]):
    """The project limited to the --target resources and their dependencies (as it is when there are none)."""
    from ..build import Project
    from ..targets import parse, select

    parsed = parse(targets)
    if not parsed:
        return project, ()
    return Project(settings=project.settings, resources=select(project.resources, parsed)), parsed


def _prepare(app: App, env_name: str | None, prune: bool, force: bool, adopt_owners: tuple[str, ...] = (),
             rotate_secrets: bool = False, targets: tuple[str, ...] = ()):
    from ..build import load_project
    from ..sync import plan_sync

    settings = app.settings()
    project = load_project(settings)  # a broken definition stops the run before Grafana is contacted
    project, parsed = targeted(project, targets)
    conn = app.connect(settings, env_name)
    try:
        with app.reading(conn):
            plan = plan_sync(project, conn, prune=prune, force=force, adopt_owners=frozenset(adopt_owners),
                             rotate_secrets=rotate_secrets, targets=parsed)
    except BaseException:
        conn.close()
        raise
    for text in sorted(conn.client.deprecations.values()):  # said once per run, on stderr
        app.console.print(f"warning: {text}", err=True, fg="yellow")
    return project, conn, plan


@click.command()
@_options
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are changes (for CI gates).")
@click.option("--validate", is_flag=True, help="Also send every planned write to Grafana as a dry run (Grafana 12+), "
                                               "so a plan Grafana would refuse fails here (exit 4).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), metavar="PLAN",
              help="Save the plan: `dashkit sync --plan PLAN` applies exactly it, or nothing if Grafana changed "
                   "since.")
@click.pass_obj
@click.pass_context
def diff(ctx: click.Context, app: App, env_name: str, prune: bool, force: bool, fmt: str, exit_code: bool,
         validate: bool, adopt_owners: tuple[str, ...], rotate_secrets: bool, targets: tuple[str, ...],
         out: Path | None) -> None:
    """Show the plan sync would apply, Terraform-style; never writes (to Grafana)."""
    from ..report import plan_json, plan_text
    from ..sync import validate_sync

    project, conn, plan = _prepare(app, env_name, prune, force, adopt_owners, rotate_secrets, targets)
    with conn:
        validation = validate_sync(plan, project, conn) if validate else None
    if fmt == "json":
        app.console.print(plan_json(plan))
    else:
        app.console.print(plan_text(plan, app.console.style))
        if validate:
            app.console.print(validation.summary() if validation is not None else
                              "Server-side validation: " + ("nothing to validate." if not plan.pending else
                                                            "not available (Grafana before 12 serves no dryRun)."))
    if validation is not None and validation.refused:
        raise validation.error()
    if out is not None:
        from ..planfile import save

        save(plan, out, project.settings.owner)
        app.console.print(f"Plan saved to {out}: `dashkit sync --plan {out}` applies exactly it "
                          f"({plural(len(plan.pending), 'change')}).", err=fmt == "json")
    if exit_code and plan.has_changes:
        ctx.exit(ExitCode.CHANGES)


@click.command()
@_options
@click.option("--dry-run", is_flag=True, help="Show the plan and stop; never writes.")
@click.option("-y", "--yes", is_flag=True, help="Apply without asking for confirmation.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), metavar="PLAN",
              help="Apply exactly a plan saved by `dashkit diff --out PLAN` (the code is not read again); nothing is "
                   "written, exit 5, if Grafana changed since for any resource in it.")
@click.pass_obj
@click.pass_context
def sync(ctx: click.Context, app: App, env_name: str, prune: bool, force: bool, fmt: str, dry_run: bool,
         yes: bool, adopt_owners: tuple[str, ...], rotate_secrets: bool, targets: tuple[str, ...],
         plan_file: Path | None) -> None:
    """Plan, confirm (skipped with --yes), and apply only what changed."""
    if plan_file is not None:
        if prune or force or adopt_owners or rotate_secrets or targets:
            raise ConfigError("--plan applies a saved plan as it was made: --prune, --force, --adopt-owner, "
                              "--rotate-secrets and --target belong to `dashkit diff --out`")
        project, conn, plan = _saved(app, env_name, plan_file)
    else:
        project, conn, plan = _prepare(app, env_name, prune, force, adopt_owners, rotate_secrets, targets)
    confirm_and_apply(ctx, app, project, conn, plan, fmt, dry_run, yes)


def _saved(app: App, env_name: str | None, plan_file: Path):
    from ..build import Project
    from ..planfile import load
    from ..sync import plan_from_file

    settings = app.settings()
    conn = app.connect(settings, env_name or load(plan_file).environment)
    try:
        with app.reading(conn):
            plan = plan_from_file(plan_file, settings, conn)
    except BaseException:
        conn.close()
        raise
    return Project(settings=settings, resources=[]), conn, plan


def confirm_and_apply(ctx: click.Context, app: App, project, conn, plan, fmt: str, dry_run: bool,
                      yes: bool) -> None:
    """Show the plan, ask (unless --yes), apply it, and report; shared by sync, sync --plan and restore."""
    from ..report import outcomes_json, outcomes_text, plan_json, plan_text
    from ..sync import apply_sync

    console = app.console
    with conn:
        text_out = fmt == "text"
        if text_out:
            console.print(plan_text(plan, console.style, verb="dry run: sync would" if dry_run else "sync will"))
        if dry_run or not plan.pending:
            if fmt == "json":
                console.print(plan_json(plan))
            if not dry_run:
                _fail_if_blocked(plan)
            return
        if not yes:
            if not (sys.stdin.isatty() and console.interactive):
                raise ConfigError("sync needs confirmation but there is no terminal to ask on",
                                  hint="pass --yes to apply without asking, or --dry-run to only look")
            if not console.confirm(f"Apply {plural(len(plan.pending), 'change')} to {plan.env}?"):
                console.print("Nothing applied.")
                ctx.exit(ExitCode.OK)
        outcomes = apply_sync(plan, project, conn, on_progress=_progress(console, len(plan.pending)))
    if text_out:
        console.print(outcomes_text(outcomes, console.style))
    else:
        console.print(outcomes_json(plan, outcomes))
    if not all(o.ok for o in outcomes):
        raise PartialSync("sync applied only part of its plan (see above)",
                          hint="fix the cause and run sync again: it picks up where this run stopped")
    _fail_if_blocked(plan)


def _fail_if_blocked(plan) -> None:
    """Exit 5 when drifted or foreign-owned resources were left alone: someone should look before --force."""
    if plan.blocked and not any(c.forceable for c in plan.blocked):
        if all(c.desired is None for c in plan.blocked):
            raise PartialSync(f"not deleted: {plural(len(plan.blocked), 'resource')} still in use (see above)",
                              hint="remove each from what uses it, or delete that in the same run, then sync --prune "
                                   "again")
        raise PartialSync(f"left alone: {plural(len(plan.blocked), 'resource')} that Grafana does not let dashkit "
                          "change or delete (see above)",
                          hint="each reason above says what would let it change; --force does not")
    if plan.blocked:
        from ..kinds.base import is_dashkit_owner

        owners = sorted({c.foreign_owner for c in plan.blocked if is_dashkit_owner(c.foreign_owner)})
        hint = "review the drift above; sync --force overwrites it (backups are kept)"
        if owners:
            hint = (f"another project ({', '.join(repr(o) for o in owners)}) owns resources this project also "
                    f"defines: rename yours, or, if this project used to be '{owners[0]}' (its `owner:` was "
                    f"renamed), take them over with `dashkit sync --adopt-owner {owners[0]}`; --force overwrites "
                    "them (backups are kept)")
        raise PartialSync(f"left alone: {plural(len(plan.blocked), 'resource')} drifted or not owned by this project",
                          hint=hint)


def _progress(console, total: int):
    if total <= PROGRESS_THRESHOLD:
        return None
    step = max(1, total // 10)
    interactive = console.interactive

    def report(outcome, done: int, of: int) -> None:
        if interactive:
            console.print(f"\r  applying {done}/{of}", err=True, nl=done == of)
        elif done % step == 0 or done == of:
            console.print(f"  applied {done}/{of}", err=True)

    return report
