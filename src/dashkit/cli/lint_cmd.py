"""`dashkit lint`: the project, or any dashboard JSON / rule YAML files and folders given."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Iterator
from pathlib import Path

import click

from ..errors import ConfigError, ExitCode
from .main import App


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif"]), default="text",
              help="Output format (github: workflow annotations; sarif: SARIF 2.1.0 for code scanning).")
@click.option("--select", multiple=True, help="Only these rules (codes, prefixes like DK13, or names).")
@click.option("--ignore", multiple=True, help="Skip these rules.")
@click.option("--explain", "explain_code", metavar="CODE", help="Describe a rule (or 'all') and exit.")
@click.option("--prometheus", metavar="URL", help="Also check that metrics and labels exist in this Prometheus, "
                                                   "and read metric types from its metadata.")
@click.option("--metrics-file", "metrics_files", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A saved /metrics page (Prometheus or OpenMetrics text): its '# TYPE' lines tell counters from "
                   "gauges. Repeatable.")
@click.option("--fix", is_flag=True,
              help="Fix the mechanical findings in the JSON files given (rate() ranges, hard-coded datasources, "
                   "missing uids, deprecated panels, the legacy rows layout), write them back, then report what "
                   "remains.")
@click.pass_obj
@click.pass_context
def lint(ctx: click.Context, app: App, paths: tuple[Path, ...], fmt: str, select: tuple[str, ...],
         ignore: tuple[str, ...], explain_code: str | None, prometheus: str | None,
         metrics_files: tuple[Path, ...], fix: bool) -> None:
    """Lint the project, or the dashboard JSON and rule YAML files and folders given. Exit 1 on errors."""
    from ..lint import config as lint_config
    from ..lint import documents, reporters
    from ..lint.explain import explain
    from ..lint.registry import all_rules, find_rule
    from ..lint.runner import has_errors
    from ..lint.runner import lint as run

    if explain_code:
        rules = all_rules() if explain_code == "all" else [find_rule(explain_code)]
        if rules == [None]:
            raise ConfigError(f"unknown lint rule '{explain_code}'", hint="dashkit lint --explain all lists them")
        app.console.print("\n\n".join(explain(r, examples=explain_code != "all") for r in rules))
        return
    if fix and not paths:
        raise ConfigError("--fix rewrites JSON files; give paths",
                          hint="a project's dashboards are built from Python: fix their definitions, or run "
                               "dashkit lint --fix on exported JSON files and folders")
    settings = _optional_settings(app, bool(paths))
    config = lint_config.from_settings(settings.lint if settings else None)
    lint_config.apply_cli(config, select, ignore)
    config.context.prometheus = prometheus
    if prometheus:
        from ..lint.online import metric_metadata

        config.context.metric_types = config.context.metric_types.with_types(
            f"metadata of {prometheus}", metric_metadata(prometheus))
    if metrics_files:
        from ..lint.metric_types import read_metrics_file

        for metrics_file in metrics_files:
            config.context.metric_types = config.context.metric_types.with_types(
                f"# TYPE in {metrics_file}", read_metrics_file(metrics_file))
    problems = []
    fixed = None
    with _no_cycle_collection():
        if paths:
            docs, problems = documents.from_paths(paths, config.exclude)
            if fix:
                from ..datasource_lookup import logical_names
                from ..lint.fix.engine import fix_documents, reread

                names = {**logical_names(settings, by="name"), **logical_names(settings)}
                fixed = fix_documents(docs, config, paths, names)
                docs = reread(docs, fixed, config.exclude)
        else:
            from ..build import load_project

            docs = load_project(settings).lint_documents()
        findings = run(docs, config, with_lines=fmt in ("github", "sarif")) + [
            dataclasses.replace(f, severity=config.severity_of(f.code, f.severity)) for f in problems
            if config.enabled(f.code)]
    if prometheus:
        from ..lint.online import check_against_prometheus

        findings += [dataclasses.replace(f, severity=config.severity_of(f.code, f.severity))
                     for f in check_against_prometheus(docs, prometheus) if config.enabled(f.code)]
    if fixed is not None:
        from ..lint.fix.report import as_text

        app.console.print(as_text(fixed, len(findings), app.console.style), err=fmt != "text")
    if fmt == "json":
        app.console.print(reporters.as_json(findings))
    elif fmt == "github":
        if findings:
            app.console.print(reporters.github(findings))
    elif fmt == "sarif":
        app.console.print(reporters.sarif(findings))
    else:
        app.console.print(reporters.text(findings, app.console.style, checked=len(docs)))
    if has_errors(findings):
        ctx.exit(ExitCode.CHANGES)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Lint holds every file's JSON at once (hundreds of thousands of dicts and lists, none in a cycle): Python's
    cycle collector would walk them all, again and again, for nothing. Reference counting still frees them; what
    was allocated meanwhile is frozen (left out of later collections) before the collector runs again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def _optional_settings(app: App, paths_given: bool):
    """The project's settings; with explicit paths a project is optional (its lint settings apply if found)."""
    if not paths_given:
        return app.settings()
    try:
        return app.settings()
    except ConfigError:
        return None
