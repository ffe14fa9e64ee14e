"""The HTTP side: a threading HTTP/1.1 keep-alive server, request dispatch (auth, org, RBAC, latency, faults)."""

from __future__ import annotations

import io
import re
import socket
import sys
import threading
import time
import traceback
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from dashkit.emulator import k8s
from dashkit.emulator.auth import authorize, authorize_control, select_org
from dashkit.emulator.config import MEGABYTE
from dashkit.emulator.faults import DROP, DROP_AFTER, fault_reply
from dashkit.emulator.k8s import namespace_for_org
from dashkit.emulator.replies import ApiError, Reply, not_found_route
from dashkit.emulator.routing import Request, Route, Router
from dashkit.emulator.runtime import Runtime

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CONTROL_PREFIX = "/__emulator/"
MAX_LINE = 1024  # a chunk-size or trailer line
MAX_TRAILERS = 64
LINGER_SECONDS = 0.5  # after refusing a body, as Go's net/http: read on briefly so the answer is not reset away
LINGER_BYTES = 256 * 1024
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_DIGITS = re.compile(r"[0-9]{1,20}")


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The `Date` header value, formatted once per second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


class RefusedBody(Exception):
    """A request body the emulator will not read: bad framing (400) or over `max_body_bytes` (413)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


class _DeadlineReader(io.RawIOBase):
    """The read side of a connection: every read gives up at `deadline`, so a client that trickles a request
    byte by byte (slow loris) times out as surely as one that sends nothing."""

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        super().__init__()
        self._sock = sock
        self._timeout = timeout
        self._deadline = time.monotonic() + timeout

    def restart(self) -> None:
        """The next request (line, headers, body) must arrive within `timeout` from now."""
        self._deadline = time.monotonic() + self._timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("request not received in time")
        self._sock.settimeout(remaining)
        return self._sock.recv_into(buffer)


class _TimedWriter(io.BufferedIOBase):
    """The write side of a connection: unbuffered, each send may take up to `timeout`."""

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        super().__init__()
        self._sock = sock
        self._timeout = timeout

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._sock.settimeout(self._timeout)
        self._sock.sendall(data)
        with memoryview(data) as view:
            return view.nbytes


class EmulatorHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its runtime and router, and can cut open keep-alive connections."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], runtime: Runtime, router: Router) -> None:
        self.runtime = runtime
        self.router = router
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, EmulatorRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError | ValueError):  # client went away, or we cut the connection on stop
            return
        super().handle_error(request, client_address)


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    """One connection; serves requests until the client closes it (HTTP/1.1 keep-alive)."""

    server: EmulatorHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as Go's net/http: no ~40 ms delayed-ACK stall per kept-alive reply
    server_version = "dashkit-emulator"
    sys_version = ""

    def setup(self) -> None:
        self.connection = self.request
        if self.disable_nagle_algorithm:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        timeout = self.server.runtime.config.idle_timeout
        self._reader = _DeadlineReader(self.connection, timeout)
        self.rfile = io.BufferedReader(self._reader)
        self.wfile = _TimedWriter(self.connection, timeout)

    def handle_one_request(self) -> None:
        """One request; a read that times out (idle keep-alive, or a request too slow to arrive) closes."""
        self._reader.restart()
        super().handle_one_request()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: `_log` writes one line per request when verbose."""

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _dispatch(self) -> None:
        started = time.perf_counter()
        method = self.command
        split = urlsplit(self.path)
        path = split.path
        try:
            body = self._read_body(path)
        except RefusedBody as refused:
            self.close_connection = True
            self._send(refused.reply, method, path, started)
            self._discard_unread()
            return
        runtime = self.server.runtime
        query = parse_qs(split.query, keep_blank_values=True)
        match = self.server.router.match(method, path)
        if path.startswith(CONTROL_PREFIX):
            self._send(self._run(match, method, path, query, body, control=True), method, path, started)
            return
        apis = runtime.profile.serves_apis and (path == "/apis" or path.startswith("/apis/"))
        if not (apis or path == "/api" or path.startswith("/api/")):
            self._send(not_found_route(), method, path, started)
            return

        runtime.stats.request(match[0].key if match else f"{method} (unmatched)")
        if runtime.latency_ms > 0:
            time.sleep(runtime.latency_ms / 1000.0)
        fault = runtime.faults.decide(method, path)
        if fault == DROP:
            runtime.stats.fault()
            self._drop(method, path, started, fault)
            return
        if fault and fault != DROP_AFTER:
            runtime.stats.fault()
            reply = fault_reply(fault, runtime.faults.plan.retry_after)
            self._send(reply, method, path, started, note=f"fault {fault}")
            return
        reply = self._run(match, method, path, query, body, control=False)
        if apis:
            reply = self._apis_unmatched(method, path) if match is None else k8s.as_status(reply)
        if method in WRITE_METHODS and 200 <= reply.status < 300 and not any(query.get("dryRun", ())):
            runtime.stats.write()
            runtime.store.mark_dirty()
        if fault == DROP_AFTER:
            runtime.stats.fault()
            self._drop(method, path, started, fault)
            return
        self._send(reply, method, path, started)

    def _run(
        self,
        match: tuple[Route, dict[str, str]] | None,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: bytes,
        *,
        control: bool,
    ) -> Reply:
        if match is None:
            return not_found_route()
        route, params = match
        runtime = self.server.runtime
        req = Request(method, path, query, self.headers, body, runtime, {k: unquote(v) for k, v in params.items()})
        try:
            if control and not runtime.config.loopback:
                authorize_control(runtime.credentials.authenticate(self.headers))
            if route.auth and not control:
                identity = runtime.credentials.authenticate(self.headers)
                req.identity = identity
                req.org_id = select_org(identity, query, self.headers)
                authorize(identity, route.needs)
            try:
                with runtime.store.lock:
                    reply = route.handler(req)
            except ApiError as error:
                reply = error.reply
            if route.deprecation is not None and route.deprecation.applies(runtime.profile):
                namespace = namespace_for_org(req.org_id, runtime.config.stack_id)
                reply.headers.update(route.deprecation.headers(namespace))
            return reply
        except ApiError as error:
            return error.reply
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return Reply(500, {"message": "Internal Server Error", "traceID": ""})

    def _apis_unmatched(self, method: str, path: str) -> Reply:
        """Under /apis, a path no route serves is the apiserver's 404 Status; one served for other methods is 405."""
        router = self.server.router
        if any(router.match(other, path) for other in ("GET", "POST", "PUT", "DELETE") if other != method):
            return k8s.method_not_allowed()
        return k8s.unknown_path()

    def _read_body(self, path: str) -> bytes:
        """The request body, read up to `max_body_bytes` and never buffered beyond it."""
        limit = self.server.runtime.config.max_body_bytes
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked(limit, path)
        text = (self.headers.get("Content-Length") or "0").strip()
        if not _DIGITS.fullmatch(text):
            raise _bad_framing()
        length = int(text)
        if length > limit:
            raise RefusedBody(self._too_large(path))
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise _bad_framing()
        return body

    def _read_chunked(self, limit: int, path: str) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(MAX_LINE)
            size_text = line.split(b";", 1)[0].strip()
            if not line.endswith(b"\n") or not _CHUNK_SIZE.fullmatch(size_text):
                raise _bad_framing()
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > limit:
                raise RefusedBody(self._too_large(path))
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.readline(MAX_LINE) not in (b"\r\n", b"\n"):
                raise _bad_framing()
            chunks.append(chunk)
        for _ in range(MAX_TRAILERS):
            line = self.rfile.readline(MAX_LINE)
            if line in (b"\r\n", b"\n"):
                return b"".join(chunks)
            if not line.endswith(b"\n"):
                break
        raise _bad_framing()

    def _too_large(self, path: str) -> Reply:
        """413; a dashboard save on 12.x+ words it as Grafana does (grafana-api.md §4.3 step 8)."""
        runtime = self.server.runtime
        limit = runtime.config.max_body_bytes
        size = f"{limit // MEGABYTE} MB" if limit % MEGABYTE == 0 else f"{limit} bytes"
        if path.rstrip("/") == "/api/dashboards/db" and runtime.profile.at_least(12):
            return Reply(413, {"message": f"Dashboard is too large, max is {size}", "traceID": ""})
        return Reply(413, {"message": f"Request body is too large, max is {size}"})

    def _discard_unread(self) -> None:
        """After refusing a body: stop writing, then read (and drop) what the client still sends, briefly and
        boundedly, so that closing does not reset the connection before the client has read the answer."""
        try:
            self.connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + LINGER_SECONDS
            discarded = 0
            while discarded < LINGER_BYTES:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.connection.settimeout(remaining)
                data = self.connection.recv(64 * 1024)
                if not data:
                    break
                discarded += len(data)
        except OSError:
            pass

    def _send(self, reply: Reply, method: str, path: str, started: float, note: str = "") -> None:
        payload = reply.payload()
        reason = self.responses.get(reply.status, ("",))[0]
        lines = [
            f"HTTP/1.1 {reply.status} {reason}",
            f"Date: {_http_date()}",
            f"Content-Type: {reply.content_type}",
            f"Content-Length: {len(payload)}",
            *(f"{name}: {value}" for name, value in reply.headers.items()),
        ]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if method == "HEAD" else head + payload)
        self._log(method, path, str(reply.status), started, note)

    def _drop(self, method: str, path: str, started: float, fault: str) -> None:
        """Close the connection without answering (a proxy reset, or a response lost after the write)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._log(method, path, "---", started, f"fault {fault}")

    def _log(self, method: str, path: str, status: str, started: float, note: str) -> None:
        if self.server.runtime.config.verbose:
            elapsed = (time.perf_counter() - started) * 1000
            extra = f" [{note}]" if note else ""
            sys.stderr.write(f"emulator: {method} {path} -> {status} {elapsed:.1f}ms{extra}\n")


def _bad_framing() -> RefusedBody:
    return RefusedBody(Reply(400, {"message": "bad request framing"}))
