"""A real Prometheus on loopback, holding a few series of the last two hours (blocks built by promtool)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

SERIES = (
    'http_requests_total{job="api",instance="a:80",status_code="200"}',
    'http_requests_total{job="api",instance="a:80",status_code="500"}',
    'http_requests_total{job="web",instance="w:80",status_code="200"}',
    'http_request_duration_seconds_bucket{job="api",le="0.5"}',
    'http_request_duration_seconds_bucket{job="api",le="+Inf"}',
    'node_memory_MemAvailable_bytes{instance="n1"}',
    'job:http_requests:rate5m{job="api"}',
)
STEP = 60  # seconds between samples
SPAN = 2 * 3600  # samples cover the last two hours


def openmetrics(now: float) -> str:
    """Every series in SERIES, one sample a minute over SPAN, ending a minute before `now`."""
    first = int(now) - SPAN
    lines = []
    for series in SERIES:
        lines += [f"{series} {i} {first + i * STEP}" for i in range(SPAN // STEP)]
    return "\n".join([*lines, "# EOF", ""])


def require_prometheus() -> None:
    missing = [tool for tool in ("prometheus", "promtool") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not on PATH (Debian: apt-get install prometheus)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_prometheus(workdir: Path, scrape: str | None = None) -> Iterator[str]:
    """The base URL of a Prometheus serving SERIES, stopped on exit; with `scrape` ("host:port") it also scrapes
    that target every second (what fills /api/v1/metadata)."""
    now = time.time()
    data, source, config, log = (workdir / name for name in ("data", "series.om", "prometheus.yml", "log"))
    source.write_text(openmetrics(now))
    jobs = (f"\n  - job_name: exporter\n    scrape_interval: 1s\n    static_configs:\n"
            f"      - targets: ['{scrape}']\n") if scrape else " []\n"
    config.write_text(f"global:\n  scrape_interval: 15s\nscrape_configs:{jobs}")
    params = {"match[]": "http_requests_total", "start": str(now - SPAN - 60), "end": str(now)}
    with prometheus_over(data, source, config, log, params) as url:
        yield url


@contextlib.contextmanager
def prometheus_over(data: Path, source: Path, config: Path, log: Path,
                    ready: dict[str, str], block_duration: str | None = None) -> Iterator[str]:
    """The base URL of a Prometheus on loopback over the OpenMetrics file `source` (turned into TSDB blocks in `data`
    by promtool), configured by `config`; ready once the series API answers `ready` (its query parameters) with
    series; stopped on exit."""
    build = ["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet"]
    if block_duration:
        build.append(f"--max-block-duration={block_duration}")
    subprocess.run([*build, str(source), str(data)], check=True, capture_output=True, timeout=120)
    url = f"http://127.0.0.1:{free_port()}"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
             f"--web.listen-address={url.removeprefix('http://')}", "--storage.tsdb.retention.time=30d"],
            stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_series(url, process, ready, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_series(url: str, process: subprocess.Popen, params: dict[str, str], log: Path) -> None:
    """Ready, and the promtool blocks loaded: the series API returns them."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(requests.RequestException, KeyError, ValueError):
            if requests.get(f"{url}/-/ready", timeout=1).ok and \
                    requests.get(f"{url}/api/v1/series", params=params, timeout=1).json()["data"]:
                return
        time.sleep(0.05)
    raise RuntimeError(f"prometheus at {url} did not serve the test series within 30s:\n{log.read_text()}")
