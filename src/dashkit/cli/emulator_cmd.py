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
@click.option("--grafana", "profile", type=click.Choice(["11", "12", "13"]),
              help="Grafana generation to serve: 11 (11.6.0, legacy /api only; the default), 12 (12.2.0) or 13 "
                   "(13.0.0), which also serve the app-platform APIs under /apis.")
@click.option("--grafana-version", default=None,
              help="Exact Grafana version whose API quirks to reproduce (e.g. 12.1.0); instead of --grafana.")
@click.option("--stack-id", type=click.IntRange(min=1),
              help="Serve org 1 in the Grafana Cloud namespace stacks-<id> (default: 'default').")
@click.option("--latency-ms", default=0.0, type=float, help="Delay added to every API request.")
@click.option("--fault-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of API requests to fail.")
@click.option("--faults", default="429,502,503,504,drop,drop_after", show_default=True,
              help="Fault kinds to inject, comma-separated.")
@click.option("--retry-after", default=1, type=int, show_default=True, help="Retry-After seconds on injected 429s.")
@click.option("--user", "users", multiple=True, metavar="LOGIN:PASSWORD[:ROLE]",
              help="Basic-auth user to accept instead of admin/admin and viewer/viewer (repeatable; role "
                   "Admin unless it ends in :Viewer, :Editor or :Admin).")
@click.option("--idle-timeout", default=60.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds a connection may wait for its next request, and a request may take to arrive.")
@click.option("--max-body-mb", default=64, show_default=True, type=click.IntRange(min=1),
              help="Largest request body accepted (chunked too); larger ones get 413.")
@click.pass_obj
def emulator(app: App, host: str, port: int, data: Path | None, tokens: tuple[str, ...],
             datasources_file: Path | None, profile: str | None, grafana_version: str | None,
             stack_id: int | None, latency_ms: float, fault_rate: float, faults: str, retry_after: int,
             users: tuple[str, ...], idle_timeout: float, max_body_mb: int) -> None:
    """Run the bundled local Grafana-API-compatible server (for trying dashkit and for tests).

    On 127.0.0.1 (the default) basic auth admin/admin works too. Any other --host is reachable from other
    machines: it needs --token, which every request then has to carry, and the default users are off.
    Stop it with Ctrl-C; with --data its state survives restarts.
    """
    from ..emulator import Emulator, EmulatorConfig, load_datasources, parse_fault_spec
    from ..emulator.config import MEGABYTE, ExposedWithoutToken
    from ..emulator.profile import PROFILES

    if profile and grafana_version:
        raise ConfigError("emulator: give either --grafana or --grafana-version, not both")
    grafana_version = PROFILES[profile] if profile else grafana_version or PROFILES["11"]

    app.console.add_secrets(*tokens)
    accounts = _parse_users(users)
    app.console.add_secrets(*(spec["password"] for spec in accounts.values()))
    try:
        config = EmulatorConfig(
            host=host,
            port=port,
            data=str(data) if data else None,
            tokens={t: {} for t in tokens},
            users=accounts or None,
            datasources=load_datasources(str(datasources_file)) if datasources_file else None,
            grafana_version=grafana_version,
            stack_id=stack_id,
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            fault_kinds=parse_fault_spec(faults),
            retry_after=retry_after,
            max_body_bytes=max_body_mb * MEGABYTE,
            idle_timeout=idle_timeout,
            verbose=app.verbose,
        )
        server = Emulator(config)
    except ExposedWithoutToken as exc:
        raise ConfigError(f"emulator: {exc}", hint="pass --token T (or set DASHKIT_EMULATOR_TOKEN), "
                                                   "or listen on 127.0.0.1") from None
    except ValueError as exc:
        raise ConfigError(f"emulator: {exc}") from None
    logins = sorted(config.basic_auth_users())

    if not config.loopback:
        plain = "" if users else "; the default users admin/admin and viewer/viewer are off"
        app.console.print(f"warning: the emulator listens on {host!r}, which other machines can reach: every "
                          f"request but /api/health (the API and /__emulator/*) needs the token{plain}.", err=True)

    def ready(url: str) -> None:
        accepted = ["the token(s) given"] if tokens else []
        if logins:
            accepted.append("basic auth admin/admin" if users == () else f"basic auth as {', '.join(logins)}")
        app.console.print(f"dashkit emulator (Grafana {grafana_version} API) listening on {url}; "
                          f"accepts {' and '.join(accepted)}. Ctrl-C stops it.", err=True)

    try:
        server.serve_forever(on_ready=ready)
    except OSError as exc:
        raise ConfigError(f"emulator cannot listen on {host}:{port}: {exc.strerror or exc}",
                          hint="pick another --port, or stop what uses this one") from None


_ROLES = {"viewer": "Viewer", "editor": "Editor", "admin": "Admin"}


def _parse_users(specs: tuple[str, ...]) -> dict[str, dict[str, object]]:
    """`--user LOGIN:PASSWORD[:ROLE]` values as EmulatorConfig users (members of orgs 1 and 2)."""
    users: dict[str, dict[str, object]] = {}
    for spec in specs:
        login, _, password = spec.partition(":")
        role = "Admin"
        head, _, last = password.rpartition(":")
        if head and last.lower() in _ROLES:
            password, role = head, _ROLES[last.lower()]
        if not login or not password:
            raise ConfigError(f"emulator: --user {login or '?'}:... needs the form LOGIN:PASSWORD[:ROLE]")
        users[login] = {"password": password, "role": role, "orgs": [1, 2]}
    return users
