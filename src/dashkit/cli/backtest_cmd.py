"""`dashkit backtest`: how often would these alert rules have fired? Replayed over a real Prometheus's history."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

import click

from ..errors import ConfigError, DashkitError, ExitCode
from ..wording import plural
from .main import App


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--prometheus", "prometheus_url", metavar="URL", envvar="DASHKIT_PROMETHEUS_URL", required=True,
              help="The Prometheus whose history to replay over (also $DASHKIT_PROMETHEUS_URL; credentials as "
                   "https://user:password@host are never printed).")
@click.option("--from", "start", metavar="TIME", default="-7d", show_default=True,
              help="Start: RFC 3339 (2026-11-23T10:00:00Z), a date, or a time ago (-36h, now-2d).")
@click.option("--to", "end", metavar="TIME", default="now", show_default=True, help="End, the same way.")
@click.option("--target", "targets", multiple=True, metavar="KIND/ID",
              help="Only these alert rule groups, as `dashkit diff --target` selects them (repeatable; globs: "
                   "'alert_rule_group/*checkout*').")
@click.option("--baseline", metavar="REF",
              help="Also replay the rules as they were at this git ref, and show the change in pages and time firing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="html: one self-contained page with a timeline per alert, for a pull request's artifacts.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the report to FILE (replaced whole) instead of printing it.")
@click.pass_obj
@click.pass_context
def backtest(ctx: click.Context, app: App, paths: tuple[Path, ...], prometheus_url: str, start: str, end: str,
             targets: tuple[str, ...], baseline: str | None, fmt: str, out: Path | None) -> None:
    """Replay alert rules over the history a Prometheus holds: when would each have fired?

    Without PATHS, the project's Grafana-managed alert rule groups (SLO alerts included), evaluated as Grafana
    does: PromQL queries, reduce, threshold and math expressions, `for`, keep_firing_for, no-data and error
    states. With PATHS, the Prometheus rule files given (plain, PrometheusRule, Grafana provisioning files),
    evaluated as Prometheus does.

    Per alert series: its firing intervals, time firing, pages (times it started firing) and flapping (its
    condition holding again right after it resolved). A rule that cannot be replayed exactly is reported, never
    guessed. See docs/backtest.md.

    \b
    Examples:
      dashkit backtest --prometheus http://prometheus:9090
      dashkit backtest --prometheus $URL --from -30d --baseline origin/main
      dashkit backtest rules.yml --prometheus $URL --format html --out backtest.html

    Exit status: 0 replayed, 1 a rule's query failed (the others are still reported), 2 usage, 3 a definition
    failed to build, 4 Prometheus unreachable.
    """
    from ..backtest import engine
    from ..backtest.prometheus import Prometheus, masked
    from ..backtest.times import parse_time, time_range

    now = time.time()
    start_at, end_at = time_range(parse_time(start, now, "--from"), min(parse_time(end, now, "--to"), now))
    if paths and targets:
        raise ConfigError("--target selects the project's rule groups; it does not apply to rule files given",
                          hint="give the rule files you want, or leave them out to replay the project")
    prometheus = Prometheus(prometheus_url)
    current = _rules(app, paths, targets, None)
    previous = _rules(app, paths, targets, baseline) if baseline else None
    prometheus.check(end_at)
    sets = {"current": current, **({"baseline": previous} if previous is not None else {})}
    progress = [0, 0]

    def done(replayed: int, total: int) -> None:
        progress[:] = [replayed, total]

    with app.console.progress(lambda: f"  replaying {masked(prometheus_url)}: {progress[0]} of {progress[1]} rules, "
                                      f"{plural(prometheus.requests, 'query', 'queries')}"):
        runs = engine.run(sets, prometheus, start_at, end_at, charts=fmt == "html", done=done)
    report = _render(fmt, runs["current"], runs.get("baseline"), baseline, prometheus.url, app)
    if out is not None:
        _write(out, report)
        from ..backtest.report_text import summary

        app.console.print(f"Wrote {out}: {summary(runs['current'], runs.get('baseline'), baseline)}", err=True)
    else:
        app.console.print(report)
    if fmt != "text":
        _warn(app, runs["current"])
    if runs["current"].failed or (runs.get("baseline") and runs["baseline"].failed):
        ctx.exit(ExitCode.CHANGES)  # 1: some rules could not be replayed because their queries failed


def _rules(app: App, paths: tuple[Path, ...], targets: tuple[str, ...], ref: str | None) -> list:
    from ..backtest import baseline as git
    from ..backtest.prometheus_rules import file_rules
    from ..build import load_project

    if paths:
        if ref is None:
            return file_rules(paths)
        with git.files_at(ref, paths) as then:
            try:
                return [_named_as(rule, then) for rule in file_rules(then, required=False)] if then else []
            except DashkitError as exc:
                exc.message = f"at --baseline {ref}: {exc.message}"
                raise
    settings = app.settings()
    if ref is None:
        with git.own_imports(settings.root):
            project = load_project(settings)
        return _selected(project, targets, required=True)
    from ..config import load_settings

    with git.project_at(ref, settings.root) as root:
        try:
            with git.own_imports(root):
                project = load_project(load_settings(root))
        except DashkitError as exc:  # the same error, saying it is about the baseline's rules
            exc.message = f"at --baseline {ref}: {exc.message}"
            raise
        return _selected(project, targets, required=False)


def _named_as(rule, copies: dict[Path, Path]):
    """A rule read from a copy of a file at the baseline, named after the file given (it is the same rule)."""
    import dataclasses

    for copy, given in copies.items():
        if rule.source.startswith(str(copy)):
            source = str(given) + rule.source[len(str(copy)):]
            return dataclasses.replace(rule, source=source, group=rule.group.replace(rule.source, source, 1))
    return rule


def _selected(project, targets: tuple[str, ...], required: bool) -> list:
    from ..backtest.rules import environment_datasource_types, project_rules
    from ..targets import parse, select

    resources = project.resources
    if targets:
        parsed = parse(targets)
        try:
            resources = select(resources, parsed)
        except ConfigError:
            if required:
                raise
            return []  # the groups were added after the baseline
        if required and not any(r.kind == "alert_rule_group" for r in resources):
            raise ConfigError(f"--target {', '.join(targets)} selects no alert rule group",
                              hint="backtest replays alert rule groups: --target 'alert_rule_group/<uid or path>'")
    rules = project_rules(resources, environment_datasource_types(project.settings))
    if required and not rules:
        raise ConfigError("the project defines no alert rules to replay",
                          hint="define alert rule groups under alerts/, or give Prometheus rule files as arguments")
    return rules


def _render(fmt: str, current, previous, ref: str | None, url: str, app: App) -> str:
    if fmt == "json":
        from ..backtest.report_json import as_json

        return as_json(current, previous, ref)
    if fmt == "html":
        from ..backtest.report_html import as_html

        return as_html(current, previous, ref, url)
    from ..backtest.report_text import as_text

    return as_text(current, previous, ref, style=app.console.style)


def _warn(app: App, current) -> None:
    """JSON and HTML go to stdout whole: what could not be replayed is said on stderr."""
    for rule in current.skipped:
        app.console.print(f"warning: {rule.alert} in {rule.where} cannot be replayed: {rule.problem}", err=True,
                          fg="yellow")
    for result in current.failed:
        app.console.error(f"{result.rule.alert} in {result.rule.where}: {result.failure}")


def _write(path: Path, text: str) -> None:
    """`text` as the whole of `path`, through a temporary file in its folder: readers never see half a report."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
