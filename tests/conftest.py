"""Shared fixtures: a scratch dashkit project, the emulator over real HTTP, and a CLI runner."""

from __future__ import annotations

import io
import pprint
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from dashkit.cli.main import main
from dashkit.cli.output import Console
from dashkit.emulator import Emulator, EmulatorConfig

TOKEN = "glsa_test_token_0123456789abcdef"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class Grafana:
    """The emulator as a test sees it: its URL, and helpers that act like another Grafana user."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.url = emulator.url
        self.admin = requests.Session()
        self.admin.auth = ("admin", "admin")

    def stats(self) -> dict:
        return requests.get(f"{self.url}/__emulator/stats", timeout=5).json()

    def reset_stats(self) -> None:
        requests.post(f"{self.url}/__emulator/stats/reset", timeout=5)

    def writes(self) -> int:
        return self.stats()["writes"]

    def faults(self, **spec) -> None:
        requests.post(f"{self.url}/__emulator/faults", json=spec, timeout=5).raise_for_status()

    def clear_faults(self) -> None:
        requests.delete(f"{self.url}/__emulator/faults", timeout=5)

    def dashboard(self, uid: str) -> dict | None:
        r = self.admin.get(f"{self.url}/api/dashboards/uid/{uid}", timeout=5)
        return r.json() if r.status_code == 200 else None

    def save_as_admin(self, dashboard: dict, folder_uid: str = "", overwrite: bool = False) -> dict:
        r = self.admin.post(f"{self.url}/api/dashboards/db", timeout=5,
                            json={"dashboard": dashboard, "folderUid": folder_uid, "overwrite": overwrite})
        r.raise_for_status()
        return r.json()

    def search(self, **params) -> list[dict]:
        return self.admin.get(f"{self.url}/api/search", params=params, timeout=5).json()


class OneAnswer(BaseHTTPRequestHandler):
    """A stand-in for what sits in front of Grafana (a proxy, a login page): GET answers `answer()`."""

    def answer(self) -> tuple[int, str, bytes]:
        raise NotImplementedError

    def do_GET(self):
        status, content_type, body = self.answer()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP server running `handler`; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


ALL_PROFILES = ("11.6.0", "12.2.0", "13.0.0")  # the Grafana generations dashkit supports, as the emulator plays them


def pytest_generate_tests(metafunc):
    """A module that sets GRAFANA_PROFILES = ALL_PROFILES runs each of its tests against every generation."""
    profiles = getattr(metafunc.module, "GRAFANA_PROFILES", None)
    if profiles and "grafana_version" in metafunc.fixturenames:
        metafunc.parametrize("grafana_version", profiles, ids=[f"grafana{p.split('.')[0]}" for p in profiles])


@pytest.fixture
def grafana_version() -> str:
    return "11.6.0"


@pytest.fixture
def grafana(grafana_version):
    emulator = Emulator(EmulatorConfig(port=0, grafana_version=grafana_version,
                                       tokens={TOKEN: {"login": "sa-1-dashkit", "name": "dashkit",
                                                       "role": "Admin", "org_id": 1}}))
    emulator.start()
    try:
        yield Grafana(emulator)
    finally:
        emulator.stop()


class Project:
    """A scratch dashkit project on disk."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url
        self.config(url)

    def config(self, url: str | None = None, extra_env: str = "", owner: str = "team-a") -> None:
        (self.root / "dashkit.yaml").write_text(textwrap.dedent(f"""\
            owner: {owner}
            environments:
              local:
                url: {url or self.url}
                token_env: DASHKIT_TEST_TOKEN
                datasources:
                  prometheus: {{uid: prom-local}}
                  loki: {{name: Loki}}
            """) + extra_env)

    def write(self, rel: str, source: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        return path

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def dashboard(self, rel: str, title: str, panels: int = 2, expr: str = "up", uid: str | None = None,
                  **fields) -> Path:
        """A module exporting a plain-dict dashboard with `panels` timeseries panels querying `expr`."""
        body = {
            "title": title,
            "panels": [
                {"id": i + 1, "type": "timeseries", "title": f"Panel {i + 1}", "datasource": "@prometheus",
                 "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i // 2) * 8},
                 "targets": [{"refId": "A", "expr": expr}]}
                for i in range(panels)
            ],
            **fields,
        }
        if uid:
            body["uid"] = uid
        return self.write(rel, f"dashboard = {pprint.pformat(body)}\n")


def run_cli(root: Path, *args: str) -> Result:
    """Run the dashkit CLI in the project at `root`, as a user would, and capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["-C", str(root), *args], console=Console(out=out, err=err, color=False))
    return Result(code, out.getvalue(), err.getvalue())


class SecondProject:
    """A second dashkit project on disk with its own owner, pointing at the same Grafana; calling it runs the CLI
    there (`b("sync", "--env", "local", "--yes")`)."""

    def __init__(self, root: Path, url: str, owner: str) -> None:
        self.project = Project(root, url)
        self.project.config(owner=owner)

    def __call__(self, *args: str) -> Result:
        return run_cli(self.project.root, *args)


@pytest.fixture
def project(tmp_path, monkeypatch, request):
    monkeypatch.setenv("DASHKIT_TEST_TOKEN", TOKEN)
    url = request.getfixturevalue("grafana").url if "grafana" in request.fixturenames else "http://127.0.0.1:9"
    return Project(tmp_path, url)


@pytest.fixture
def dashkit(project, capsys):
    def run(*args: str, verbose: bool = False) -> Result:
        out, err = io.StringIO(), io.StringIO()
        argv = ["-C", str(project.root), *(["-v"] if verbose else []), *args]
        capsys.readouterr()
        code = main(argv, console=Console(out=out, err=err, color=False))
        direct = capsys.readouterr()  # what click itself prints (--help, --version)
        return Result(code, out.getvalue() + direct.out, err.getvalue() + direct.err)

    return run


def in_terminal(argv: list[str], env: dict, answer: bytes, cwd: Path | None = None,
                timeout: float = 60) -> tuple[int, str]:
    """Run argv on a pseudo-terminal, as a person would, and type `answer` at the first [y/N] question:
    (exit code, everything the screen showed)."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # child
        if cwd is not None:
            os.chdir(cwd)
        os.execvpe(argv[0], argv, env)
    screen = b""
    answered = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
            if not answered and b"[y/N]" in screen:
                os.write(fd, answer)
                answered = True
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), screen.decode(errors="replace")
