"""`dashkit emulator`: run the bundled Grafana-API-compatible server in the foreground."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ConfigError
from .main import App


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=3000, show_default=True, type=int, help="Port (0 picks a free one).")
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path), help="JSON file to keep state in.")
@click.option("--token", "tokens", multiple=True, envvar="DASHKIT_EMULATOR_TOKEN",
              help="Service-account token to accept (repeatable; default env DASHKIT_EMULATOR_TOKEN).")
@click.option("--datasources", "datasources_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="YAML/JSON list of datasources to seed (default: Prometheus, Loki, Tempo).")
@click.option("--grafana-version", default="11.6.0", show_default=True,
              help="Grafana version whose API quirks to reproduce.")
@click.option("--latency-ms", default=0.0, type=float, help="Delay added to every API request.")
@click.option("--fault-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of API requests to fail.")
@click.option("--faults", default="429,502,503,504,drop,drop_after", show_default=True,
              help="Fault kinds to inject, comma-separated.")
@click.option("--retry-after", default=1, type=int, show_default=True, help="Retry-After seconds on injected 429s.")
@click.pass_obj
def emulator(app: App, host: str, port: int, data: Path | None, tokens: tuple[str, ...],
             datasources_file: Path | None, grafana_version: str, latency_ms: float, fault_rate: float,
             faults: str, retry_after: int) -> None:
    """Run the bundled local Grafana-API-compatible server (for trying dashkit and for tests).

    Basic auth admin/admin works too. Stop it with Ctrl-C; with --data its state survives restarts.
    """
    from ..emulator import Emulator, EmulatorConfig, load_datasources, parse_fault_spec

    app.console.add_secrets(*tokens)
    try:
        config = EmulatorConfig(
            host=host,
            port=port,
            data=str(data) if data else None,
            tokens={t: {} for t in tokens},
            datasources=load_datasources(str(datasources_file)) if datasources_file else None,
            grafana_version=grafana_version,
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            fault_kinds=parse_fault_spec(faults),
            retry_after=retry_after,
            verbose=app.verbose,
        )
        server = Emulator(config)
    except ValueError as exc:
        raise ConfigError(f"emulator: {exc}") from None

    def ready(url: str) -> None:
        auth = "the token(s) given and " if tokens else ""
        app.console.print(f"dashkit emulator (Grafana {grafana_version} API) listening on {url}; "
                          f"accepts {auth}basic auth admin/admin. Ctrl-C stops it.", err=True)

    try:
        server.serve_forever(on_ready=ready)
    except OSError as exc:
        raise ConfigError(f"emulator cannot listen on {host}:{port}: {exc.strerror or exc}",
                          hint="pick another --port, or stop what uses this one") from None
