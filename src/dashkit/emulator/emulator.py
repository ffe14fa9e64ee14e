"""`Emulator`: start/stop a Grafana-API-compatible server in a background thread, or serve until signalled."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import TracebackType

from dashkit.emulator.auth import Credentials
from dashkit.emulator.config import EmulatorConfig
from dashkit.emulator.faults import FaultInjector
from dashkit.emulator.persistence import StateFile
from dashkit.emulator.profile import GrafanaProfile
from dashkit.emulator.routing import Router, discover_route_tables
from dashkit.emulator.runtime import Runtime
from dashkit.emulator.server import EmulatorHTTPServer
from dashkit.emulator.stats import RequestStats
from dashkit.emulator.store import Store


class Emulator:
    """A local Grafana double: `start()` it, talk to `url`, `stop()` it (state is flushed to `data`)."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.config.validate()  # again: the fields may have changed since construction
        credentials = Credentials(self.config.tokens, self.config.basic_auth_users())
        org_names = dict(self.config.orgs)
        for org_id in sorted(credentials.org_ids() - set(org_names)):
            org_names[org_id] = f"Org {org_id}"
        profile = GrafanaProfile.from_version(self.config.grafana_version)
        self.runtime = Runtime(
            config=self.config,
            profile=profile,
            store=Store(org_names, self.config.seed_datasources()),
            credentials=credentials,
            faults=FaultInjector(self.config.fault_plan()),
            stats=RequestStats(),
            latency_ms=self.config.latency_ms,
        )
        self._router = Router(discover_route_tables(), profile)
        self._state_file = StateFile(self.runtime.store, self.config.data) if self.config.data else None
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            return self.config.port
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = self.config.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def start(self) -> Emulator:
        """Load state, bind and serve in a daemon thread; returns once the socket is listening."""
        if self._server is not None:
            raise RuntimeError("emulator already started")
        if self._state_file is not None:
            self._state_file.load()
        self._server = EmulatorHTTPServer((self.config.host, self.config.port), self.runtime, self._router)
        if self._state_file is not None:
            self._state_file.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="dashkit-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut kept-alive connections, flush state to `data`."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._state_file is not None:
            self._state_file.stop()

    def serve_forever(self, on_ready: Callable[[str], None] | None = None) -> None:
        """Blocking variant for the CLI: serve until Ctrl-C or SIGTERM, then stop cleanly.

        `on_ready(url)` is called once the socket listens (useful with port 0)."""
        stopping = threading.Event()
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, lambda *_: stopping.set())
        self.start()
        if on_ready is not None:
            on_ready(self.url)
        try:
            while not stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
