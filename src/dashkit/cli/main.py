"""The `dashkit` command: global options, lazily loaded subcommands, and the ONE error boundary."""

from __future__ import annotations

import importlib
import traceback
from dataclasses import dataclass
from pathlib import Path

import click

from .. import __version__
from ..errors import DashkitError, ExitCode
from .output import Console

# name -> (module under dashkit.cli, attribute, one-line help). Modules load only when their command runs.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "build": ("build_cmd", "build", "Render every resource to JSON under build/."),
    "diff": ("sync_cmd", "diff", "Show what sync would change in a Grafana environment; never writes."),
    "sync": ("sync_cmd", "sync", "Apply only what changed to a Grafana environment."),
    "emulator": ("emulator_cmd", "emulator", "Run the bundled Grafana-API-compatible server."),
    "lint": ("lint_cmd", "lint", "Check dashboards and alert rules (the project, or files given)."),
    "pull": ("pull_cmd", "pull", "Export live dashboards as JSON files mirroring the folder tree."),
    "import": ("import_cmd", "import_", "Turn dashboard JSON into Python definitions that build it back."),
}


@dataclass
class App:
    """What every command receives: where the project is and how to print."""

    console: Console
    project: Path | None
    verbose: bool

    def settings(self):
        from ..config import find_project_root, load_settings

        root = self.project.resolve() if self.project else find_project_root(Path.cwd())
        if self.project and not (root / "dashkit.yaml").is_file():
            from ..errors import ConfigError

            raise ConfigError(f"{root} holds no dashkit.yaml", hint="pass the folder of your dashkit project")
        return load_settings(root)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(f"{__package__}.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "--project", type=click.Path(file_okay=False, path_type=Path),
              help="Project folder (default: nearest folder upwards holding dashkit.yaml).")
@click.option("-v", "--verbose", is_flag=True, help="Show each API call and full tracebacks of definitions.")
@click.option("--no-color", is_flag=True, help="Plain output (also when NO_COLOR is set).")
@click.version_option(__version__, "--version", prog_name="dashkit")
@click.pass_context
def cli(ctx: click.Context, project: Path | None, verbose: bool, no_color: bool) -> None:
    """dashkit: Grafana dashboards and alerting as Python code.

    Write dashboards in Python, check them, see exactly what would change in a live Grafana, and sync only that.
    """
    console = ctx.obj.console if isinstance(ctx.obj, App) else Console()
    console.verbose = verbose
    if no_color:
        console.color = False
    ctx.obj = App(console=console, project=project, verbose=verbose)


def main(argv: list[str] | None = None, console: Console | None = None) -> int:
    """Run dashkit; map every expected failure to a message and its exit code."""
    console = console or Console()
    app = App(console=console, project=None, verbose=False)
    try:
        code = cli.main(args=argv, prog_name="dashkit", standalone_mode=False, obj=app)
    except DashkitError as exc:
        console.error(exc.message, exc.hint)
        if exc.detail and console.verbose:
            console.print(exc.detail.rstrip(), err=True)
        return int(exc.exit_code)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        hint = None
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f"run '{exc.ctx.command_path} --help' for usage"
        console.error(exc.format_message(), hint)
        return ExitCode.USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except click.Abort:
        console.print("Aborted.", err=True)
        return 130
    except KeyboardInterrupt:
        console.print("Interrupted.", err=True)
        return 130
    except OSError as exc:
        if not exc.filename:  # not about a file the user named: a bug like any other
            return _bug(console)
        console.error(f"{exc.filename}: {exc.strerror or exc}",
                      "check the path exists, is a folder where one is expected, and is writable")
        return ExitCode.USAGE
    except Exception:
        return _bug(console)
    return code if isinstance(code, int) else ExitCode.OK


def _bug(console: Console) -> int:
    console.print(traceback.format_exc().rstrip(), err=True)  # print masks every form of every secret
    console.error("this is a bug in dashkit; please report it with the traceback above")
    return ExitCode.BUG
