"""The Prometheus client against a stand-in that enforces a (small) points-per-series limit as Prometheus enforces
11,000: ranges are cut into queries it accepts and put back together on one grid; 429/503 are retried after
Retry-After; an error answer fails its query only; credentials never show."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from tests.lint.prometheus_fixture import free_port

from dashkit import secrets
from dashkit.backtest.prometheus import (
    Matrix,
    Prometheus,
    PrometheusError,
    QueryFailed,
    RangeQuery,
    chunks,
    masked,
)
from dashkit.errors import ExitCode

LIMIT = 30  # points per series the stand-in accepts


class FakePrometheus(BaseHTTPRequestHandler):
    """`up{i="a"}` = 2t at every step; `up{i="b"}` only at even minutes; `broken` is a parse error; `busy` answers 429
    twice before answering; anything over LIMIT points is refused like Prometheus refuses over 11,000."""

    asked: list[dict] = []
    busy_left = 0

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        type(self).asked.append({"path": self.path, "auth": self.headers.get("Authorization"), **form})
        if self.path == "/api/v1/query":
            return self.reply(200, {"status": "success", "data": {"resultType": "scalar", "result": [0, "1"]}})
        start, end, step = float(form["start"]), float(form["end"]), float(form["step"])
        points = int((end - start) // step) + 1
        if form["query"] == "busy" and type(self).busy_left:
            type(self).busy_left -= 1
            return self.reply(429, {"status": "error", "errorType": "unavailable", "error": "too many"},
                              {"Retry-After": "0.01"})
        if form["query"] == "broken":
            return self.reply(400, {"status": "error", "errorType": "bad_data",
                                    "error": '1:7: parse error: unexpected end of input'})
        if points > LIMIT:
            return self.reply(400, {"status": "error", "errorType": "bad_data", "error": "exceeded maximum "
                                    "resolution of 11,000 points per timeseries"})
        times = [start + i * step for i in range(points)]
        result = [{"metric": {"__name__": "up", "i": "a"}, "values": [[t, str(2 * t)] for t in times]},
                  {"metric": {"__name__": "up", "i": "b"}, "values": [[t, "NaN"] for t in times if t % 120 == 0]}]
        return self.reply(200, {"status": "success", "data": {"resultType": "matrix", "result": result}})

    def reply(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake() -> Iterator[str]:
    FakePrometheus.asked = []
    FakePrometheus.busy_left = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePrometheus)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_a_range_is_cut_into_consecutive_queries_on_the_same_grid():
    parts = chunks(RangeQuery("up", 600.0, 60.0, 100), max_points=30)
    assert [(p.start, p.count) for p in parts] == [(600, 30), (2400, 30), (4200, 30), (6000, 10)]
    assert parts[-1].end == RangeQuery("up", 600.0, 60.0, 100).end


def test_a_long_range_comes_back_whole_from_queries_prometheus_accepts(fake):
    prometheus = Prometheus(f"http://{fake}", max_points=LIMIT)
    query = RangeQuery("up", 1_800_000_000.0, 60.0, 100)
    [(asked, matrix)] = list(prometheus.fetch([query]))
    assert asked == query and isinstance(matrix, Matrix)
    a, b = matrix.series[(("__name__", "up"), ("i", "a"))], matrix.series[(("__name__", "up"), ("i", "b"))]
    assert a == [2 * (query.start + i * 60) for i in range(100)]
    assert [i for i, v in enumerate(b) if v is not None] == list(range(0, 100, 2))  # even minutes: NaN, not absent
    ranges = [r for r in FakePrometheus.asked if r["path"] == "/api/v1/query_range"]
    assert len(ranges) == 4 and all((float(r["end"]) - float(r["start"])) / 60 + 1 <= LIMIT for r in ranges)


def test_busy_prometheus_is_asked_again_after_its_retry_after(fake):
    FakePrometheus.busy_left = 2
    waited: list[float] = []
    prometheus = Prometheus(f"http://{fake}", sleep=waited.append, backoff=0.001)
    [(_, matrix)] = list(prometheus.fetch([RangeQuery("busy", 1_800_000_000.0, 60.0, 5)]))
    assert isinstance(matrix, Matrix) and len(waited) == 2 and min(waited) >= 0.01
    assert prometheus.retried == 2


def test_an_error_answer_fails_its_query_and_the_others_still_come_back(fake):
    prometheus = Prometheus(f"http://{fake}")
    answers = {q.expr: answer for q, answer in prometheus.fetch([RangeQuery("broken", 1_800_000_000.0, 60.0, 5),
                                                                 RangeQuery("up", 1_800_000_000.0, 60.0, 5)])}
    broken, fine = answers["broken"], answers["up"]
    assert isinstance(broken, QueryFailed) and str(broken) == "bad_data: 1:7: parse error: unexpected end of input"
    assert isinstance(fine, Matrix) and len(fine.series) == 2


def test_unreachable_prometheus_is_exit_4_with_a_hint():
    prometheus = Prometheus(f"http://127.0.0.1:{free_port()}", backoff=0.001)
    with pytest.raises(PrometheusError) as caught:
        prometheus.check(1_800_000_000.0)
    assert caught.value.exit_code == ExitCode.GRAFANA
    assert "cannot be reached" in caught.value.message and "--prometheus" in (caught.value.hint or "")


def test_a_page_that_is_not_prometheus_is_exit_4(fake):
    class Html(FakePrometheus):
        def do_POST(self):
            data = b"<html>login</html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    try:
        with pytest.raises(PrometheusError, match="not the Prometheus API"):
            Prometheus(f"http://127.0.0.1:{server.server_address[1]}").check(1_800_000_000.0)
    finally:
        server.shutdown()


def test_credentials_in_the_url_are_sent_and_never_shown(fake):
    prometheus = Prometheus(f"http://grafana:s3cr3t-pw@{fake}/")
    prometheus.check(1_800_000_000.0)
    assert FakePrometheus.asked[0]["auth"] == "Basic " + base64.b64encode(b"grafana:s3cr3t-pw").decode()
    assert "s3cr3t" not in prometheus.url and prometheus.url == f"http://{fake}"
    assert masked(f"https://grafana:s3cr3t-pw@{fake}/prom") == f"https://***@{fake}/prom"
    assert "s3cr3t-pw" in secrets.seen()  # every printed line masks it
