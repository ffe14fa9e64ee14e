"""dashkit benchmarks; run through scripts/bench. Figures are printed side by side from one run."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

CONCURRENCY = os.environ.get("BENCH_CONCURRENCY")  # unset: dashkit's default
TOKEN = "bench-" + secrets.token_hex(8)
DASHKIT = [sys.executable, "-m", "dashkit"]

MODULE = '''\
"""Generated for the benchmark: {count} service dashboards."""

SERVICES = [f"svc-{{i:05d}}" for i in range({start}, {stop})]


def _panel(pid, title, expr, unit, x, y):
    return {{"id": pid, "type": "timeseries", "title": title, "datasource": "@prometheus",
            "description": f"{{title}} of the service.", "gridPos": {{"h": 8, "w": 12, "x": x, "y": y}},
            "fieldConfig": {{"defaults": {{"unit": unit}}, "overrides": []}},
            "targets": [{{"refId": "A", "expr": expr, "legendFormat": "{{{{route}}}}"}}]}}


def _dashboard(svc):
    sel = f'service="{{svc}}"'
    return {{
        "title": f"Service {{svc}}", "tags": ["bench"], "schemaVersion": 39,
        "time": {{"from": "now-6h", "to": "now"}},
        "panels": [
            _panel(1, "Request rate", f"sum by (route) (rate(http_requests_total{{{{{{sel}}}}}}[$__rate_interval]))",
                   "reqps", 0, 0),
            _panel(2, "Error ratio", f'sum(rate(http_requests_total{{{{{{sel}},status_code=~"5.."}}}}[5m]))'
                   f" / sum(rate(http_requests_total{{{{{{sel}}}}}}[5m]))", "percentunit", 12, 0),
            _panel(3, "Latency p95", "histogram_quantile(0.95, sum by (le) "
                   f"(rate(http_request_duration_seconds_bucket{{{{{{sel}}}}}}[$__rate_interval])))", "s", 0, 8),
            _panel(4, "CPU", f"sum(rate(container_cpu_usage_seconds_total{{{{{{sel}}}}}}[5m]))", "short", 12, 8),
        ],
    }}


dashboards = [_dashboard(s) for s in SERVICES]
'''


def make_project(root: Path, count: int, url: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "dashkit.yaml").write_text(
        "owner: bench\nenvironments:\n  local:\n"
        f"    url: {url}\n    token_env: BENCH_GRAFANA_TOKEN\n"
        + (f"    concurrency: {int(CONCURRENCY)}\n" if CONCURRENCY else "")
        + "    datasources:\n      prometheus: {uid: prom-local}\n"
    )
    per_module = 10
    for start in range(0, count, per_module):
        stop = min(count, start + per_module)
        folder = root / "dashboards" / f"team-{start // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"services_{start:05d}.py").write_text(MODULE.format(count=stop - start, start=start, stop=stop))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmulatorProcess:
    def __init__(self, latency_ms: float) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [*DASHKIT, "emulator", "--port", str(self.port), "--token", TOKEN, "--latency-ms", str(latency_ms)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                requests.get(self.url + "/api/health", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("emulator did not start")

    def writes(self) -> int:
        return requests.get(self.url + "/__emulator/stats", timeout=5).json()["writes"]

    def reset_stats(self) -> None:
        requests.post(self.url + "/__emulator/stats/reset", timeout=5)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run(args: list[str], cwd: Path) -> tuple[float, int, str]:
    """(seconds, peak RSS in MB, output) of one dashkit command in its own process."""
    env = {**os.environ, "BENCH_GRAFANA_TOKEN": TOKEN, "NO_COLOR": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen([*DASHKIT, "-C", str(cwd), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, text=True)
    output = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"dashkit {' '.join(args)} exited {proc.returncode}:\n{output[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024, output


def naive_upload(build_dir: Path, url: str) -> float:
    """What grafanalib's upload example and most scripts do: POST every dashboard, one after the other."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    started = time.perf_counter()
    for path in sorted(build_dir.rglob("*.json")):
        dashboard = json.loads(path.read_text())
        reply = session.post(url + "/api/dashboards/db", json={"dashboard": dashboard, "overwrite": True}, timeout=30)
        reply.raise_for_status()
    return time.perf_counter() - started


def lint_corpus_time(corpus: Path, repeat: int = 5) -> tuple[float, int, int]:
    """(best wall seconds, documents, findings) of `dashkit lint` over the real-world corpus, as a user runs it."""
    best, out = float("inf"), ""
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run([*DASHKIT, "lint", str(corpus), "--format", "json"], capture_output=True, text=True)
        best = min(best, time.perf_counter() - started)
        out = proc.stdout
    findings = json.loads(out)["findings"]
    documents = len({(f["file"], f.get("subject")) for f in findings})
    return best, documents, len(findings)


def help_time(repeat: int = 7) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "dashkit"), "--help"],
                       stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dashboards", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--memory-dashboards", type=int, default=5000)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    n = args.dashboards
    rows: list[tuple[str, str, str]] = []
    checks: list[tuple[str, bool]] = []
    work = Path(tempfile.mkdtemp(prefix="dashkit-bench-"))
    try:
        emulator = EmulatorProcess(args.latency_ms)
        try:
            root = work / "project"
            make_project(root, n, emulator.url)
            build_s, _, _ = run(["build"], root)
            rows.append((f"build {n} dashboards", f"{build_s:.2f} s", ""))
            create_s, _, _ = run(["sync", "--env", "local", "--yes"], root)
            rows.append((f"first sync (create {n})", f"{create_s:.2f} s", f"{emulator.writes()} writes"))
            emulator.reset_stats()
            diff_s, _, _ = run(["diff", "--env", "local"], root)
            rows.append(("no-op diff", f"{diff_s:.2f} s", f"{emulator.writes()} writes"))
            emulator.reset_stats()
            noop_s, noop_mb, out = run(["sync", "--env", "local", "--yes"], root)
            noop_writes = emulator.writes()
            rows.append(("no-op sync", f"{noop_s:.2f} s", f"{noop_writes} writes, peak {noop_mb} MB"))
            emulator.reset_stats()
            naive_s = naive_upload(root / "build", emulator.url)
            rows.append(("naive sequential POST loop", f"{naive_s:.2f} s", f"{emulator.writes()} writes"))
            ratio = naive_s / noop_s
            rows.append(("naive loop / no-op sync", f"{ratio:.1f}x", ""))
            checks += [
                (f"no-op sync of {n} at {args.latency_ms:g} ms <= 5 s", noop_s <= 5.0),
                ("no-op sync makes 0 writes", noop_writes == 0 and "No changes" in out),
                ("no-op sync >= 10x faster than the naive loop", ratio >= 10),
            ]
        finally:
            emulator.stop()
        if not args.skip_memory:
            m = args.memory_dashboards
            emulator = EmulatorProcess(0)
            try:
                root = work / "memory"
                make_project(root, m, emulator.url)
                sync_s, sync_mb, _ = run(["sync", "--env", "local", "--yes"], root)
                diff_s, diff_mb, _ = run(["diff", "--env", "local"], root)
                rows.append((f"sync {m} (create), no latency", f"{sync_s:.2f} s", f"peak {sync_mb} MB"))
                rows.append((f"no-op diff {m}, no latency", f"{diff_s:.2f} s", f"peak {diff_mb} MB"))
                checks.append((f"peak memory for {m} dashboards <= 300 MB", max(sync_mb, diff_mb) <= 300))
            finally:
                emulator.stop()
        corpus = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
        if corpus.is_dir():
            lint_s, _, count = lint_corpus_time(corpus)
            expressions = len(list(corpus.rglob("*.json")))
            rows.append((f"dashkit lint corpus ({expressions} JSON files, best of 5)", f"{lint_s:.2f} s",
                         f"{count} findings"))
            checks.append(("lint the whole corpus <= 2 s", lint_s <= 2.0))
        help_s = help_time()
        rows.append(("dashkit --help (best of 7)", f"{help_s * 1000:.0f} ms", ""))
        checks.append(("dashkit --help <= 0.3 s", help_s <= 0.3))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    print(f"\ndashkit benchmark ({os.cpu_count()} CPUs)")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>9}  {note}")
    print()
    for name, ok in checks:
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
