"""Hardening of the emulator's network side: a non-loopback host needs a token for everything, request bodies
are capped (chunked ones too), and idle or trickling connections time out. All through real sockets."""

from __future__ import annotations

import http.client
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from dashkit.emulator import Emulator, EmulatorConfig
from dashkit.emulator.config import ExposedWithoutToken, is_loopback_host

DASHKIT = str(Path(sys.executable).parent / "dashkit")
ADMIN = {"Authorization": "Bearer admin-token"}


def _connect(emu: Emulator) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", emu.port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
    return sock


def _reply(sock: socket.socket) -> tuple[int, bytes]:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, response.read()


def _closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed: EOF (or a reset) instead of more bytes."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


# ---- who may call a non-loopback emulator ---------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "", "::", "192.168.1.20", "10.0.0.1", "grafana.example.com"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback_host(host)


@pytest.mark.parametrize("host", ["localhost", "::1"])
def test_loopback_names_keep_the_open_defaults(emulator_factory, host: str) -> None:
    emu = emulator_factory(host=host, tokens={})
    assert requests.get(emu.url + "/__emulator/stats", timeout=5).status_code == 200
    assert requests.get(emu.url + "/api/user", auth=("admin", "admin"), timeout=5).json()["login"] == "admin"


@pytest.mark.parametrize("tokens", [{}, {"": {}}, {"   ": {}}])
def test_a_non_loopback_host_refuses_to_start_without_a_token(tokens) -> None:
    with pytest.raises(ExposedWithoutToken, match=r"host '0\.0\.0\.0' is not a loopback address.*needs a token"):
        Emulator(EmulatorConfig(host="0.0.0.0", port=0, tokens=tokens))


def test_a_config_opened_up_after_construction_is_still_refused() -> None:
    config = EmulatorConfig(port=0)
    config.host = "0.0.0.0"
    with pytest.raises(ExposedWithoutToken):
        Emulator(config)


@pytest.fixture
def exposed(emulator_factory) -> Emulator:
    """An emulator bound to every interface (reached here through 127.0.0.1), with the test tokens."""
    return emulator_factory(host="0.0.0.0")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/__emulator/stats", None),
        ("POST", "/__emulator/stats/reset", None),
        ("GET", "/__emulator/faults", None),
        ("POST", "/__emulator/faults", {"rate": 1.0}),
        ("DELETE", "/__emulator/faults", None),
        ("POST", "/__emulator/latency", {"ms": 5000}),
        ("POST", "/__emulator/health", {"database": "failing"}),
        ("POST", "/__emulator/provisioned", {"dashboard": {"uid": "planted", "title": "Planted"}}),
        ("POST", "/__emulator/reset", None),
    ],
)
def test_control_calls_need_the_token_off_loopback(exposed: Emulator, method, path, body) -> None:
    url = exposed.url + path
    anonymous = requests.request(method, url, json=body, timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json()["messageId"] == "auth.unauthorized"
    unknown = {"Authorization": "Bearer nope"}
    assert requests.request(method, url, json=body, headers=unknown, timeout=5).status_code == 401
    assert requests.request(method, url, json=body, auth=("admin", "admin"), timeout=5).status_code == 401
    viewer = requests.request(method, url, json=body, headers={"Authorization": "Bearer viewer-token"}, timeout=5)
    assert (viewer.status_code, viewer.json()) == (403, {"message": "emulator control endpoints need an Admin token"})
    assert requests.get(exposed.url + "/api/health", timeout=5).json()["database"] == "ok"  # nothing was applied
    assert requests.get(exposed.url + "/api/dashboards/uid/planted", headers=ADMIN, timeout=5).status_code == 404
    assert requests.request(method, url, json=body, headers=ADMIN, timeout=5).status_code == 200


def test_the_api_needs_the_token_and_the_default_users_are_off(exposed: Emulator) -> None:
    assert requests.get(exposed.url + "/api/search", timeout=5).status_code == 401
    for login, password in (("admin", "admin"), ("viewer", "viewer")):
        refused = requests.get(exposed.url + "/api/search", auth=(login, password), timeout=5)
        assert (refused.status_code, refused.json()["messageId"]) == (401, "password-auth.failed")
    assert requests.get(exposed.url + "/api/search", headers=ADMIN, timeout=5).status_code == 200
    assert requests.get(exposed.url + "/api/health", timeout=5).status_code == 200  # as Grafana: a probe


def test_users_configured_explicitly_may_use_the_api_but_not_the_controls(emulator_factory) -> None:
    emu = emulator_factory(host="0.0.0.0", users={"ops": {"password": "long-secret", "role": "Admin"}})
    assert requests.get(emu.url + "/api/user", auth=("ops", "long-secret"), timeout=5).json()["login"] == "ops"
    assert requests.get(emu.url + "/api/user", auth=("admin", "admin"), timeout=5).status_code == 401
    assert requests.post(emu.url + "/__emulator/reset", auth=("ops", "long-secret"), timeout=5).status_code == 403


def test_on_loopback_the_controls_stay_open(emulator: Emulator) -> None:
    assert requests.post(emulator.url + "/__emulator/latency", json={"ms": 0}, timeout=5).status_code == 200
    assert requests.get(emulator.url + "/api/org", auth=("admin", "admin"), timeout=5).status_code == 200


def _without_env_token() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "DASHKIT_EMULATOR_TOKEN"} | {"NO_COLOR": "1"}


def test_cli_refuses_an_open_host_without_a_token() -> None:
    result = subprocess.run([DASHKIT, "emulator", "--host", "0.0.0.0", "--port", "0"], capture_output=True,
                            text=True, timeout=20, env=_without_env_token())
    assert result.returncode == 2
    assert "host '0.0.0.0' is not a loopback address" in result.stderr and "--token" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_warns_about_an_open_host_and_serves_only_with_the_token() -> None:
    command = [DASHKIT, "emulator", "--host", "0.0.0.0", "--port", "0", "--token", "cli-t0ken",
               "--user", "ops:pass:word:Editor"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=_without_env_token())
    try:
        assert proc.stderr is not None
        warning, ready = proc.stderr.readline(), proc.stderr.readline()
        assert warning.startswith("warning: the emulator listens on '0.0.0.0', which other machines can reach")
        assert "needs the token" in warning
        assert "basic auth as ops" in ready and "admin/admin" not in ready and "pass:word" not in ready
        url = re.search(r"listening on (http://\S+);", ready).group(1)
        assert requests.get(url + "/__emulator/stats", timeout=5).status_code == 401
        token = {"Authorization": "Bearer cli-t0ken"}
        assert requests.get(url + "/__emulator/stats", headers=token, timeout=5).status_code == 200
        assert requests.get(url + "/api/user", auth=("admin", "admin"), timeout=5).status_code == 401
        editor = requests.get(url + "/api/user", auth=("ops", "pass:word"), timeout=5)
        assert editor.json()["login"] == "ops"
        assert requests.post(url + "/api/folders", json={"title": "F"}, auth=("ops", "pass:word"),
                             timeout=5).status_code == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


# ---- request body cap -----------------------------------------------------------------------------------------


@pytest.fixture
def capped(emulator_factory) -> Emulator:
    return emulator_factory(max_body_bytes=1024)


def _chunked_head(path: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admin-token\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()


def test_a_chunked_body_over_the_cap_is_refused_before_it_ends(capped: Emulator) -> None:
    sock = _connect(capped)
    try:
        # 1,100 bytes in two chunks and no terminating chunk: the answer must not wait for the end of the body
        sock.sendall(_chunked_head("/api/folders") + b"3e8\r\n" + b"x" * 1000 + b"\r\n64\r\n" + b"y" * 100 + b"\r\n")
        status, body = _reply(sock)
        assert (status, body) == (413, b'{"message":"Request body is too large, max is 1024 bytes"}')
        assert _closed_by_server(sock)
    finally:
        sock.close()
    assert requests.get(capped.url + "/api/search", headers=ADMIN, timeout=5).json() == []  # and it still serves


def test_a_huge_declared_chunk_is_refused_without_reading_it(capped: Emulator) -> None:
    sock = _connect(capped)
    try:
        sock.sendall(_chunked_head("/api/folders") + b"ffffffff\r\n" + b"x" * 10)
        assert _reply(sock)[0] == 413
        assert _closed_by_server(sock)
    finally:
        sock.close()


def test_a_chunked_body_within_the_cap_is_served(capped: Emulator) -> None:
    payload = b'{"title": "Chunked", "uid": "chunked"}'
    with requests.Session() as session:
        reply = session.post(capped.url + "/api/folders", data=iter([payload[:10], payload[10:]]), headers=ADMIN,
                             timeout=5)  # a generator body: requests sends it chunked
        assert reply.status_code == 200 and reply.json()["uid"] == "chunked"
        assert session.get(capped.url + "/api/folders/chunked", headers=ADMIN, timeout=5).status_code == 200


@pytest.mark.parametrize("size_line", [b"-5", b"+5", b"0x5", b"zz", b"5" * 2000])
def test_malformed_chunk_sizes_are_400(capped: Emulator, size_line: bytes) -> None:
    sock = _connect(capped)
    try:
        sock.sendall(_chunked_head("/api/folders") + size_line + b"\r\nhello\r\n0\r\n\r\n")
        status, body = _reply(sock)
        assert (status, body) == (400, b'{"message":"bad request framing"}')
    finally:
        sock.close()


def test_a_content_length_over_the_cap_is_413(capped: Emulator) -> None:
    reply = requests.post(capped.url + "/api/folders", data=b"x" * 5000, headers=ADMIN, timeout=5)
    assert (reply.status_code, reply.json()) == (413, {"message": "Request body is too large, max is 1024 bytes"})
    assert reply.headers["Connection"] == "close"
    assert requests.post(capped.url + "/api/folders", json={"title": "Fits"}, headers=ADMIN, timeout=5).ok


def test_a_dashboard_over_the_cap_on_12_is_worded_as_grafana_does(emulator_factory) -> None:
    emu = emulator_factory(grafana_version="12.1.0", max_body_bytes=1024 * 1024)
    big = {"dashboard": {"title": "Big", "description": "x" * (1024 * 1024)}}
    reply = requests.post(emu.url + "/api/dashboards/db", json=big, headers=ADMIN, timeout=10)
    assert (reply.status_code, reply.json()) == (413, {"message": "Dashboard is too large, max is 1 MB", "traceID": ""})


# ---- idle and slow connections --------------------------------------------------------------------------------


@pytest.fixture
def impatient(emulator_factory) -> Iterator[Emulator]:
    yield emulator_factory(idle_timeout=1.0)


def test_a_connection_that_never_sends_a_request_is_closed(impatient: Emulator) -> None:
    sock = _connect(impatient)
    try:
        started = time.monotonic()
        assert _closed_by_server(sock)
        assert 0.8 < time.monotonic() - started < 4
    finally:
        sock.close()


def test_an_idle_kept_alive_connection_is_closed_and_a_busy_one_is_not(impatient: Emulator) -> None:
    sock = _connect(impatient)
    try:
        for _ in range(3):  # 1.2 s in all, each request within 1 s of the last answer
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _reply(sock)[0] == 200
            time.sleep(0.4)
        started = time.monotonic()
        assert _closed_by_server(sock)
        assert time.monotonic() - started < 4
    finally:
        sock.close()


def test_a_request_trickled_byte_by_byte_times_out(impatient: Emulator) -> None:
    sock = _connect(impatient)
    try:
        sock.sendall(b"GET /api/health HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        while not closed and time.monotonic() - started < 6:
            try:
                sock.sendall(b"X")  # one byte of a header line every 50 ms: never idle, never finished
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if select.select([sock], [], [], 0.05)[0]:
                closed = _closed_by_server(sock)
        assert closed
        assert time.monotonic() - started < 3
    finally:
        sock.close()
    assert requests.get(impatient.url + "/api/health", timeout=5).status_code == 200
