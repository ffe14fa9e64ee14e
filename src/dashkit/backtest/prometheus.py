"""The Prometheus HTTP API as backtest uses it: range queries cut into chunks Prometheus accepts (at most 11,000 points
per series), run a few at a time, retried when Prometheus is busy, each answer laid on its evaluation grid."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import requests

from .. import secrets
from ..errors import ConfigError, GrafanaError

MAX_POINTS = 11_000  # Prometheus refuses a range query with more points than this per series
WORKERS = 8
TIMEOUT = 60.0  # seconds for one answer
RETRIES = 4
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER = 30.0
URL_HINT = "--prometheus takes the base URL that serves /api/v1/..., e.g. http://prometheus:9090"

Labels = tuple[tuple[str, str], ...]  # a series' labels, sorted: hashable, and the same for the same set


class PrometheusError(GrafanaError):
    """Prometheus cannot be reached, wants credentials, or is not a Prometheus: nothing can be replayed (exit 4)."""


class QueryFailed(Exception):
    """Prometheus answered one query with an error: the rules reading it fail, the others still run."""


@dataclass(frozen=True)
class RangeQuery:
    """`expr` evaluated at `start`, `start + step`, ... (`count` times)."""

    expr: str
    start: float
    step: float
    count: int

    @property
    def end(self) -> float:
        return self.start + (self.count - 1) * self.step


@dataclass
class Matrix:
    """What a range query returned, on its grid: per series, its value at each step (None where it had none)."""

    query: RangeQuery
    series: dict[Labels, list[float | None]] = field(default_factory=dict)


def chunks(query: RangeQuery, max_points: int = MAX_POINTS) -> list[RangeQuery]:
    """`query` cut into consecutive queries of at most `max_points` steps each, on the same grid."""
    return [RangeQuery(query.expr, query.start + first * query.step, query.step, min(max_points, query.count - first))
            for first in range(0, query.count, max_points)]


def without_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """(the URL without `user:password@`, (user, password) or None). The password is masked in all output."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"--prometheus {masked(url)!r} is not an http(s) URL", hint=URL_HINT)
    if parts.username is None and parts.password is None:
        return url.strip().rstrip("/"), None
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    secrets.remember(password)
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")).rstrip("/"), (user, password)


def masked(url: str) -> str:
    """`url` with any `user:password@` shown as `***@`."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, "***@" + parts.netloc.rsplit("@", 1)[1], parts.path, parts.query, parts.fragment))


class Prometheus:
    """One Prometheus: `check()` once, then `fetch(queries)`. Thread-safe counters say how much was asked."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT, workers: int = WORKERS, max_points: int = MAX_POINTS,
                 session: requests.Session | None = None, backoff: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.url, auth = without_credentials(url)
        self.timeout = timeout
        self.workers = workers
        self.max_points = max_points
        self.session = session or requests.Session()
        if auth is not None:
            self.session.auth = auth
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=workers)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.backoff = backoff
        self.sleep = sleep
        self._lock = threading.Lock()
        self.requests = 0
        self.retried = 0

    def check(self, at: float) -> None:
        """PrometheusError unless the URL answers queries like a Prometheus."""
        try:
            body = self._post("/api/v1/query", {"query": "1", "time": _number(at)})
        except QueryFailed as exc:
            raise PrometheusError(f"Prometheus at {self.url} cannot run queries: {exc}", hint=URL_HINT) from None
        if not isinstance(body.get("data"), dict) or "resultType" not in body["data"]:
            raise PrometheusError(f"Prometheus at {self.url} does not answer queries like a Prometheus",
                                  hint=URL_HINT)

    def fetch(self, queries: Iterable[RangeQuery]) -> Iterator[tuple[RangeQuery, Matrix | QueryFailed]]:
        """Each query's Matrix (or why it failed), as soon as all its chunks are in; `workers` requests at a time.
        PrometheusError when Prometheus stops answering at all."""
        wanted = list(dict.fromkeys(queries))
        parts: dict[RangeQuery, list[RangeQuery]] = {q: chunks(q, self.max_points) for q in wanted}
        results: dict[RangeQuery, Matrix] = {q: Matrix(q) for q in wanted}
        left = {q: len(parts[q]) for q in wanted}
        failed: set[RangeQuery] = set()
        with ThreadPoolExecutor(self.workers, thread_name_prefix="dashkit-prometheus") as pool:
            running: dict[Future, tuple[RangeQuery, RangeQuery]] = {
                pool.submit(self._range, part): (query, part) for query in wanted for part in parts[query]}
            try:
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        query, part = running.pop(future)
                        if query in failed:
                            continue
                        try:
                            _lay(results[query], part, future.result())
                        except QueryFailed as exc:
                            failed.add(query)
                            yield query, exc
                            continue
                        left[query] -= 1
                        if not left[query]:
                            yield query, results.pop(query)
            finally:
                for future in running:
                    future.cancel()

    def _range(self, part: RangeQuery) -> list[dict[str, Any]]:
        body = self._post("/api/v1/query_range", {"query": part.expr, "start": _number(part.start),
                                                   "end": _number(part.end), "step": _number(part.step)})
        data = body.get("data")
        if not isinstance(data, dict) or data.get("resultType") != "matrix" or not isinstance(data.get("result"), list):
            raise QueryFailed("Prometheus did not answer with a matrix")
        return data["result"]

    def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        """The successful answer's JSON; QueryFailed for an error Prometheus reports; PrometheusError when it is not
        reached at all. 429/502/503/504 and dropped connections are retried with backoff."""
        for attempt in range(RETRIES + 1):
            with self._lock:
                self.requests += 1
            try:
                response = self.session.post(self.url + path, data=form, timeout=self.timeout)
            except requests.Timeout:
                if attempt < RETRIES:
                    self._wait(attempt, None)
                    continue
                raise QueryFailed(f"Prometheus did not answer within {self.timeout:g}s") from None
            except requests.RequestException as exc:
                if attempt < RETRIES and attempt < 1:  # one retry: a dropped keep-alive connection
                    self._wait(attempt, None)
                    continue
                error = PrometheusError(f"Prometheus at {self.url} cannot be reached",
                                        hint="check the --prometheus URL and that this machine can reach it")
                error.detail = str(exc)
                raise error from None
            if response.status_code in RETRY_STATUSES and attempt < RETRIES:
                self._wait(attempt, response.headers.get("Retry-After"))
                continue
            return self._answer(response, path)
        raise AssertionError("unreachable")

    def _answer(self, response: requests.Response, path: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code in (401, 403):
            raise PrometheusError(f"Prometheus at {self.url} answered HTTP {response.status_code}",
                                  hint="give credentials in the URL (https://user:password@host) or through "
                                       "DASHKIT_PROMETHEUS_URL", status=response.status_code)
        if not isinstance(body, dict) or body.get("status") not in ("success", "error"):
            raise PrometheusError(f"Prometheus at {self.url} answered POST {path} with HTTP {response.status_code}, "
                                  "not the Prometheus API", hint=URL_HINT, status=response.status_code)
        if body["status"] == "error" or not response.ok:
            kind, message = body.get("errorType") or f"HTTP {response.status_code}", body.get("error") or "failed"
            raise QueryFailed(f"{kind}: {message}")
        return body

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        with self._lock:
            self.retried += 1
        delay = self.backoff * 2 ** attempt
        with contextlib.suppress(TypeError, ValueError):
            delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))  # type: ignore[arg-type]
        self.sleep(delay)


def _lay(matrix: Matrix, part: RangeQuery, result: list[dict[str, Any]]) -> None:
    """Put the series of one chunk's answer on the query's grid."""
    query = matrix.query
    offset = round((part.start - query.start) / query.step)
    step, start, count = query.step, part.start, query.count
    for item in result:
        metric = item.get("metric") or {}
        key = tuple(sorted((str(k), str(v)) for k, v in metric.items()))
        values = matrix.series.get(key)
        if values is None:
            values = matrix.series[key] = [None] * count
        points = item.get("values") or ()
        if not points:
            continue
        first = offset + round((float(points[0][0]) - start) / step)
        if offset + round((float(points[-1][0]) - start) / step) - first + 1 == len(points):  # no gaps: in one go
            values[first:first + len(points)] = [float(v) for _, v in points]
            continue
        for t, v in points:
            values[offset + round((float(t) - start) / step)] = float(v)


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")
