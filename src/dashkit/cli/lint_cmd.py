"""`dashkit lint`: the project, or any dashboard JSON / rule YAML files and folders given."""

from __future__ import annotations

import dataclasses
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
@click.option("--prometheus", metavar="URL", help="Also check that metrics and labels exist in this Prometheus.")
@click.pass_obj
@click.pass_context
def lint(ctx: click.Context, app: App, paths: tuple[Path, ...], fmt: str, select: tuple[str, ...],
         ignore: tuple[str, ...], explain_code: str | None, prometheus: str | None) -> None:
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
    settings = _optional_settings(app, bool(paths))
    config = lint_config.from_settings(settings.lint if settings else None)
    lint_config.apply_cli(config, select, ignore)
    problems = []
    if paths:
        docs, problems = documents.from_paths(paths, config.exclude)
    else:
        from ..build import load_project

        docs = documents.from_project(load_project(settings).resources)
    findings = run(docs, config, with_lines=fmt in ("github", "sarif")) + [
        f for f in problems if config.enabled(f.code)]
    if prometheus:
        from ..lint.online import check_against_prometheus

        findings += [dataclasses.replace(f, severity=config.severity_of(f.code, f.severity))
                     for f in check_against_prometheus(docs, prometheus) if config.enabled(f.code)]
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


def _optional_settings(app: App, paths_given: bool):
    """The project's settings; with explicit paths a project is optional (its lint settings apply if found)."""
    if not paths_given:
        return app.settings()
    try:
        return app.settings()
    except ConfigError:
        return None
