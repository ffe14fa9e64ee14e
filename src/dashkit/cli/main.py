"""The `dashkit` command: global options, lazily loaded subcommands, and the ONE error boundary."""

from __future__ import annotations

import importlib
import os
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from .. import __version__
from ..errors import ConfigError, DashkitError, ExitCode
from ..wording import plural
from .output import Console

if TYPE_CHECKING:
    from ..client import GrafanaClient
    from ..config import Settings
    from ..sync import Connection

ENV_VAR = "DASHKIT_ENV"  # the environment --env defaults to

# name -> (module under dashkit.cli, attribute, one-line help). Modules load only when their command runs.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "build": ("build_cmd", "build", "Render every resource to JSON under build/."),
    "diff": ("sync_cmd", "diff", "Show what sync would change in a Grafana environment; never writes."),
    "sync": ("sync_cmd", "sync", "Apply only what changed to a Grafana environment."),
    "emulator": ("emulator_cmd", "emulator", "Run the bundled Grafana-API-compatible server."),
    "lint": ("lint_cmd", "lint", "Check dashboards and alert rules (the project, or files given)."),
    "pull": ("pull_cmd", "pull", "Export live dashboards as JSON files mirroring the folder tree."),
    "import": ("import_cmd", "import_", "Turn dashboard JSON into Python definitions that build it back."),
    "init": ("init_cmd", "init", "Create a new dashkit project that syncs to `dashkit emulator` out of the box."),
    "restore": ("restore_cmd", "restore", "Put back what a sync backed up before overwriting or deleting it."),
    "backtest": ("backtest_cmd", "backtest", "How often would the alert rules have fired? Replay Prometheus history."),
}


@dataclass
class App:
    """What every command receives: where the project is, how to print, and the Grafana connections it opened."""

    console: Console = field(default_factory=Console)
    project: Path | None = None
    verbose: bool = False
    clients: list[GrafanaClient] = field(default_factory=list)

    def settings(self) -> Settings:
        from ..config import find_project_root, load_settings

        root = self.project.resolve() if self.project else find_project_root(Path.cwd())
        if self.project and not (root / "dashkit.yaml").is_file():
            raise ConfigError(f"{root} holds no dashkit.yaml", hint="pass the folder of your dashkit project")
        return load_settings(root)

    def environment(self, settings: Settings, name: str | None, option: str = "--env") -> str:
        """The environment a command runs against: `name` as given, else $DASHKIT_ENV, else the only one
        dashkit.yaml defines. Unknown or missing, the error lists the environments there are."""
        from ..config import CONFIG_FILE

        from_var = not name and bool(os.environ.get(ENV_VAR))
        name = name or os.environ.get(ENV_VAR)
        if not name:
            if len(settings.environments) == 1:
                return next(iter(settings.environments))
            raise ConfigError(f"no environment chosen (defined in {CONFIG_FILE}: "
                              f"{', '.join(sorted(settings.environments))})",
                              hint=f"pass {option} NAME, or set {ENV_VAR}=NAME")
        try:
            settings.environment(name)
        except ConfigError as exc:
            if from_var:
                raise ConfigError(exc.message, hint=f"{ENV_VAR}={name} is set in this shell: change it, or pass "
                                                    f"{option} NAME") from None
            raise
        return name

    def connect(self, settings: Settings, name: str | None, option: str = "--env") -> Connection:
        """A connection to the chosen environment (see `environment`); its secrets are masked in all output and its
        retries are summarised when the command ends."""
        from ..sync import connect

        conn = connect(settings, self.environment(settings, name, option),
                       log=self.console.debug if self.verbose else None)
        self.console.add_secrets(*conn.secrets)
        self.clients.append(conn.client)
        return conn

    def reading(self, conn: Connection) -> AbstractContextManager[None]:
        """Around a long read from Grafana: a progress line on a terminal (see Console.progress)."""
        return self.console.progress(lambda: f"  reading {conn.env.name}: {plural(conn.client.sent, 'request')} sent")

    def report_retries(self) -> None:
        if not self.clients:
            return  # nothing talked to Grafana (lint, build): no need to load the sync machinery
        from ..report import retry_summary

        summary = retry_summary([client.retried for client in self.clients])
        if summary:
            self.console.print(summary, err=True, fg="yellow")


def complete_environments(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Shell completion for --env: the environments of the project's dashkit.yaml; none outside a project."""
    app = ctx.find_object(App) or App()
    try:
        names = sorted(app.settings().environments)
    except (DashkitError, OSError, ValueError):  # no project, or a broken dashkit.yaml: nothing to offer
        return []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def env_option(*decls: str, **attrs: Any) -> Callable[[Any], Any]:
    """--env NAME (or the option `decls` names): completes from dashkit.yaml; resolve it with App.environment."""
    attrs.setdefault("help", f"Environment from dashkit.yaml (default: ${ENV_VAR}, else the only one defined).")
    attrs.setdefault("metavar", "NAME")
    return click.option(*(decls or ("--env", "env_name")), shell_complete=complete_environments, **attrs)


def _set_project(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(App).project = value


def _set_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        app = ctx.ensure_object(App)
        app.verbose = app.console.verbose = True


def _set_no_color(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(App).console.color = False


def global_options() -> list[click.Option]:
    """-C, -v and --no-color, as the group and every subcommand take them: before or after the command name, with
    the same effect (the last -C given wins)."""
    return [
        click.Option(["-C", "--project"], type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                     expose_value=False, callback=_set_project,
                     help="Project folder (default: nearest folder upwards holding dashkit.yaml)."),
        click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_set_verbose,
                     help="Show each API call and full tracebacks of definitions."),
        click.Option(["--no-color"], is_flag=True, expose_value=False, callback=_set_no_color,
                     help="Plain output (also when NO_COLOR is set)."),
    ]


class LazyGroup(click.Group):
    """Subcommands load when they run; the group and each of them take the global options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params[:0] = global_options()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        command: click.Command = getattr(importlib.import_module(f"{__package__}.{module}"), attr)
        taken = {param.name for param in command.params}
        command.params.extend(option for option in global_options() if option.name not in taken)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dashkit")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """dashkit: Grafana dashboards and alerting as Python code.

    Write dashboards in Python, check them, see exactly what would change in a live Grafana, and sync only that.

    -C, -v and --no-color work before or after the command. --env defaults to $DASHKIT_ENV, else to the only
    environment dashkit.yaml defines.

    Shell completion (commands, options, environment names): eval "$(_DASHKIT_COMPLETE=bash_source dashkit)" in
    ~/.bashrc; zsh_source in ~/.zshrc; fish_source for fish.
    """
    ctx.call_on_close(ctx.ensure_object(App).report_retries)  # once, when the command ends, however it ends


def main(argv: list[str] | None = None, console: Console | None = None) -> int:
    """Run dashkit; map every expected failure to a message and its exit code."""
    console = console or Console()
    app = App(console=console)
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
