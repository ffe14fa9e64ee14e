"""dashkit benchmarks; run through scripts/bench. Every figure is measured in this one run, side by side with what a
user could write instead, on real-size dashboards: the kube-prometheus kubelet dashboard from the shared corpus
(24 panels, about 19 KB; dashkit's own service_dashboard, 19 panels and about 20 KB, when the corpus is absent),
written as plain-dict definitions as `dashkit import` would leave them.

Each dashkit command runs in its own process against the bundled emulator in another process, with latency added to
every request; wall time, client CPU (user + system) and peak RSS come from the OS."""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
KUBELET = CORPUS / "prometheus-operator+kube-prometheus" / "dashboards" / "kubelet.json"
TOKEN = "bench-" + secrets.token_hex(8)
PYTHON = sys.executable
DASHKIT = [PYTHON, "-m", "dashkit"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # users run with bytecode caches
ENV.update({"BENCH_GRAFANA_TOKEN": TOKEN, "NO_COLOR": "1"})


# ---- the project -----------------------------------------------------------------------------------------------
def dashboard_module() -> tuple[str, str]:
    """(source of `_bench_dashboard.py` defining `dashboard(i)`, what it is)."""
    if KUBELET.is_file():
        body = json.loads(KUBELET.read_text())
        for key in ("id", "uid"):
            body.pop(key, None)
        body["title"] = "@TITLE@"
        literal = repr(body).replace("'@TITLE@'", "f'Kubelet {i:05d}'")
        panels = sum(1 + len(p.get("panels") or []) for p in body.get("panels") or [])
        size = len(json.dumps(body, separators=(",", ":")))
        return (f'"""The kubelet dashboard of kube-prometheus as a plain dict."""\n\n\ndef dashboard(i):\n'
                f"    return {literal}\n"), f"kube-prometheus kubelet dashboard ({panels} panels, {size // 1000} KB)"
    return ('from dashkit.builders import service_dashboard\n\n\ndef dashboard(i):\n'
            '    return service_dashboard(f"svc-{i:05d}", traces_datasource=None, logs_datasource=None)\n',
            "dashkit service_dashboard (19 panels, 20 KB)")


def make_project(root: Path, count: int, folders: int, url: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "dashkit.yaml").write_text(
        f"owner: bench\nenvironments:\n  local:\n    url: {url}\n    token_env: BENCH_GRAFANA_TOKEN\n"
        "    datasources:\n      prometheus: {uid: prom-local}\n")
    (root / "_bench_dashboard.py").write_text(dashboard_module()[0])
    per = -(-count // folders)
    for f in range(folders):
        start, stop = f * per, min(count, (f + 1) * per)
        if start >= stop:
            break
        module = root / "dashboards" / f"team-{f:03d}" / "dashboards.py"
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text("from _bench_dashboard import dashboard\n\n"
                          f"dashboards = [dashboard(i) for i in range({start}, {stop})]\n")


# ---- processes -------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """The bundled emulator in its own process, playing one Grafana generation."""

    def __init__(self, grafana: str, latency_ms: float) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [*DASHKIT, "emulator", "--grafana", grafana, "--port", str(self.port), "--token", TOKEN,
             "--latency-ms", str(latency_ms)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        for _ in range(300):
            try:
                requests.get(self.url + "/api/health", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the emulator did not start")

    def stats(self) -> dict:
        return requests.get(self.url + "/__emulator/stats", timeout=30).json()

    def reset(self) -> None:
        requests.post(self.url + "/__emulator/stats/reset", timeout=30)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: int
    output: str


def run(argv: list[str], cwd: Path | None = None, env: dict | None = None) -> Run:
    """One process: wall time, CPU seconds (user + system) and peak RSS, from the OS."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd,
                            env=env or ENV)
    output = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv[:6])} exited {os.waitstatus_to_exitcode(status)}:\n{output[-3000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, output)


def dashkit(root: Path, *args: str) -> Run:
    return run([*DASHKIT, "-C", str(root), *args])


# What a user could write instead, each in its own process, like dashkit.
BLIND_UPLOAD = '''
import json, sys, pathlib, requests
from concurrent.futures import ThreadPoolExecutor
url, token, folder = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
session = requests.Session()
session.headers["Authorization"] = f"Bearer {token}"
adapter = requests.adapters.HTTPAdapter(pool_maxsize=24)
session.mount("http://", adapter)
def upload(path):
    dashboard = json.loads(path.read_text())
    session.post(url + "/api/dashboards/db", json={"dashboard": dashboard, "overwrite": True}, timeout=60
                 ).raise_for_status()
with ThreadPoolExecutor(24) as pool:
    list(pool.map(upload, sorted(folder.rglob("*.json"))))
'''

BARE_PROBE = '''
import sys, requests
from concurrent.futures import ThreadPoolExecutor
url, token = sys.argv[1], sys.argv[2]
session = requests.Session()
session.headers["Authorization"] = f"Bearer {token}"
session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=24))
hits, page = [], 1
while True:
    batch = session.get(url + "/api/search", params={"type": "dash-db", "limit": 5000, "page": page}).json()
    hits += batch
    if len(batch) < 5000:
        break
    page += 1
def fetch(uid):
    return session.get(f"{url}/api/dashboards/uid/{uid}", timeout=60).json()["dashboard"]["title"]
with ThreadPoolExecutor(24) as pool:
    titles = list(pool.map(fetch, [h["uid"] for h in hits]))
print(len(titles))
'''


def script(code: str, *args: str) -> Run:
    return run([PYTHON, "-c", textwrap.dedent(code), *args])


# ---- builders -------------------------------------------------------------------------------------------------
BUILDERS = '''
import json, sys, time
n = int(sys.argv[1])
from dashkit.builders import service_dashboard
kwargs = dict(traces_datasource=None, logs_datasource=None)
shape = service_dashboard("shape", **kwargs)
panels = [p for p in shape["panels"] if p["type"] != "row"]
service_dashboard("warm", **kwargs)
started = time.perf_counter()
for i in range(n):
    json.dumps(service_dashboard(f"svc-{i}", **kwargs))
dashkit_s = time.perf_counter() - started

def expr(p, i):
    return [t["expr"].replace('"shape"', f'"svc-{i}"') for t in p.get("targets") or []]

from grafanalib import core as g
from grafanalib._gen import DashboardEncoder
def grafanalib_dashboard(i):
    out = []
    for p in panels:
        targets = [g.Target(expr=e, refId=chr(65 + k)) for k, e in enumerate(expr(p, i))]
        unit = (p.get("fieldConfig") or {}).get("defaults", {}).get("unit") or ""
        pos = g.GridPos(h=p["gridPos"]["h"], w=p["gridPos"]["w"], x=p["gridPos"]["x"], y=p["gridPos"]["y"])
        kind = {"timeseries": g.TimeSeries, "stat": g.Stat, "gauge": g.GaugePanel, "heatmap": g.Heatmap,
                "alertlist": g.AlertList}[p["type"]]
        if kind is g.AlertList:
            out.append(g.AlertList(title=p["title"], gridPos=pos))
        elif kind is g.Heatmap:
            out.append(g.Heatmap(title=p["title"], targets=targets, gridPos=pos, dataSource="prometheus"))
        elif kind in (g.GaugePanel, g.Stat):
            out.append(kind(title=p["title"], targets=targets, gridPos=pos, format=unit, dataSource="prometheus"))
        else:
            out.append(kind(title=p["title"], targets=targets, gridPos=pos, unit=unit, dataSource="prometheus"))
    return g.Dashboard(title=f"svc-{i}", panels=out).auto_panel_ids()
grafanalib_dashboard(0)
started = time.perf_counter()
for i in range(n):
    json.dumps(grafanalib_dashboard(i).to_json_data(), cls=DashboardEncoder)
grafanalib_s = time.perf_counter() - started

foundation_s = None
try:
    from grafana_foundation_sdk.builders import dashboard as fd, timeseries, stat, gauge, heatmap, text
    from grafana_foundation_sdk.builders import prometheus
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    # the SDK has no alert list panel builder: a text panel stands in for it
    kinds = {"timeseries": timeseries, "stat": stat, "gauge": gauge, "heatmap": heatmap, "alertlist": text}
    def foundation_dashboard(i):
        d = fd.Dashboard(f"svc-{i}")
        for p in panels:
            panel = kinds[p["type"]].Panel().title(p["title"]).height(p["gridPos"]["h"]).span(p["gridPos"]["w"])
            for k, e in enumerate(expr(p, i)):
                panel = panel.with_target(prometheus.Dataquery().expr(e).ref_id(chr(65 + k)))
            unit = (p.get("fieldConfig") or {}).get("defaults", {}).get("unit")
            if unit and hasattr(panel, "unit"):
                panel = panel.unit(unit)
            d = d.with_panel(panel)
        return d.build()
    foundation_dashboard(0)
    started = time.perf_counter()
    for i in range(n):
        json.dumps(foundation_dashboard(i), cls=JSONEncoder)
    foundation_s = time.perf_counter() - started
except ImportError:
    pass
print(json.dumps({"dashkit": dashkit_s, "grafanalib": grafanalib_s, "foundation": foundation_s,
                  "panels": len(panels)}))
'''


HOSTILE = r'''
import json, statistics, time
from dashkit.lint.model import DocKind, Document
from dashkit.lint.registry import LintContext
from dashkit.lint.rules.dashboard_structure import PanelOverlap
from dashkit.cli.output import Console

panels = [{"id": i + 1, "type": "stat", "title": f"P{i + 1}",
           "gridPos": {"x": (i % 4) * 6, "y": (i // 4) * 8, "w": 6, "h": 8}} for i in range(40_000)]
doc = Document(DocKind.DASHBOARD, {"uid": "big", "title": "Big", "panels": panels}, "big.json", label="Big")
started = time.perf_counter()
list(PanelOverlap().check(doc, LintContext()))
overlap = time.perf_counter() - started

console = Console()
console.add_secrets('p4ss-w0rd/é+&x y', 'https://hooks.example/T0/B0/secret-path', 'glsa_' + 'x' * 32,
                    "deploy:s3cret!", "s3cret!")
text = chr(10).join(f'~ panels[{i}].targets[0].expr: "sum(rate(http_requests_total{{job=api-{i}}}[5m]))"'
                 for i in range(260))
console.mask(text)
timings = []
for _ in range(5):
    started = time.perf_counter()
    for _ in range(20):
        console.mask(text)
    timings.append((time.perf_counter() - started) / 20)
print(json.dumps({"overlap": overlap, "mask": statistics.median(timings), "mask_bytes": len(text)}))
'''


def hostile(report: Report, work: Path) -> None:
    report.section("Hostile input")
    result = json.loads(run([PYTHON, "-c", HOSTILE]).output.strip().splitlines()[-1])
    report.row("panel-overlap check (DK104), 40,000 panels", f"{result['overlap']:.2f} s")
    report.check(f"overlap check of 40,000 panels <= 1 s: {result['overlap']:.2f} s", result["overlap"] <= 1.0)
    levels = "\n".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9))
    bomb = work / "bomb.yaml"
    bomb.write_text(f"kind: List\na0: &a0 [{', '.join(['lol'] * 10)}]\n{levels}\nitems: *a8\n")
    started = time.perf_counter()
    proc = subprocess.run([*DASHKIT, "lint", str(bomb)], capture_output=True, text=True, env=ENV)
    bomb_s = time.perf_counter() - started
    report.row(f"lint of a {bomb.stat().st_size}-byte YAML alias bomb (10^8 nodes)", f"{bomb_s:.2f} s",
               "DK001" if "DK001" in proc.stdout else "no DK001!")
    report.check(f"an alias bomb is a finding in <= 2 s: {bomb_s:.2f} s", bomb_s <= 2.0 and "DK001" in proc.stdout)
    report.row(f"masking a {result['mask_bytes'] // 1000} KB diff with 5 secrets (every form)",
               f"{result['mask'] * 1000:.2f} ms")
    report.check(f"masking 20 KB of output <= 2 ms: {result['mask'] * 1000:.2f} ms", result["mask"] <= 0.002)


# ---- backtest --------------------------------------------------------------------------------------------------
BACKTEST_SERVICES = 10  # x 10 rules each (one per rate window) = 100 alert rules, each with its own query
BACKTEST_DAYS = 7


def backtest_history(start: int) -> str:
    """7 days at 1-minute resolution of http_requests_total for 10 services x 2 instances, as OpenMetrics: 1% errors,
    with a few incidents (10% to 40% for 5 to 60 minutes) per service."""
    import random

    rng = random.Random(17)
    minutes = BACKTEST_DAYS * 24 * 60
    lines = []
    for s in range(BACKTEST_SERVICES):
        incidents = [(rng.randrange(minutes), rng.randrange(5, 60), rng.choice((0.1, 0.2, 0.4))) for _ in range(6)]
        for instance in ("a", "b"):
            good = bad = 0.0
            labels = f'service="svc-{s:02d}",instance="{instance}"'
            rows_good, rows_bad = [], []
            for m in range(minutes):
                ratio = next((r for at, length, r in incidents if at <= m < at + length), 0.01)
                t = start + m * 60
                rows_good.append(f'http_requests_total{{{labels},status_code="200"}} {good:g} {t}')
                rows_bad.append(f'http_requests_total{{{labels},status_code="500"}} {bad:g} {t}')
                good += 1000 * (1 - ratio)
                bad += 1000 * ratio
            lines += rows_good + rows_bad
    return "\n".join([*lines, "# EOF", ""])


def backtest_project(root: Path) -> None:
    """100 Grafana-managed alert rules: per service, the error ratio over windows of 1 to 10 minutes above 5%."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "dashkit.yaml").write_text("owner: bench\nenvironments:\n  local:\n    url: http://127.0.0.1:9\n"
                                       "    token_env: BENCH_GRAFANA_TOKEN\n    datasources:\n"
                                       "      prometheus: {uid: prom-local}\n")
    (root / "alerts").mkdir(exist_ok=True)
    (root / "alerts" / "errors.py").write_text(BACKTEST_RULES.replace("@SERVICES@", str(BACKTEST_SERVICES)))


BACKTEST_RULES = '''
from dashkit.builders import alert_rule, rule_group


def errors(service, window):
    ratio = ('sum by (service, instance) (rate(http_requests_total{service="%s",status_code="500"}[%dm]))'
             ' / sum by (service, instance) (rate(http_requests_total{service="%s"}[%dm]))')
    return alert_rule(f"Errors{window}m", expr=ratio % (service, window, service, window), threshold=0.05,
                      pending="5m", summary="errors")


rule_groups = [rule_group(f"svc-{s:02d}", [errors(f"svc-{s:02d}", w) for w in range(1, 11)])
               for s in range(@SERVICES@)]
'''


def backtest_bench(report: Report, work: Path) -> None:
    report.section(f"Backtest: {BACKTEST_SERVICES * 10} alert rules over {BACKTEST_DAYS} days at 1-minute resolution")
    if not (shutil.which("prometheus") and shutil.which("promtool")):
        report.row("dashkit backtest", "skipped", "(prometheus and promtool not installed: apt-get install prometheus)")
        return
    folder = work / "backtest"
    folder.mkdir()
    end = int(time.time()) // 3600 * 3600
    start = end - BACKTEST_DAYS * 86400
    source = folder / "history.om"
    source.write_text(backtest_history(start))
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", "--max-block-duration=192h",
                    str(source), str(folder / "data")], check=True, capture_output=True)
    (folder / "prometheus.yml").write_text("global:\n  scrape_interval: 15s\nscrape_configs: []\n")
    url = f"http://127.0.0.1:{free_port()}"
    proc = subprocess.Popen(["prometheus", f"--config.file={folder / 'prometheus.yml'}",
                             f"--storage.tsdb.path={folder / 'data'}", "--storage.tsdb.retention.time=30d",
                             f"--web.listen-address={url.removeprefix('http://')}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                if requests.get(url + "/api/v1/query", params={"query": "count(http_requests_total)",
                                                              "time": end - 60}, timeout=1).json()["data"]["result"]:
                    break
            except (requests.RequestException, KeyError, ValueError):
                pass
            time.sleep(0.05)
        project = folder / "project"
        backtest_project(project)
        times = ["--from", str(start), "--to", str(end - 60)]
        result = dashkit(project, "backtest", "--prometheus", url, *times, "--format", "json")
        doc = json.loads(result.output[result.output.index("{"):])
        pages = sum(a["pages"] for a in doc["alerts"])
        report.row(f"dashkit backtest, {BACKTEST_SERVICES * 10} Grafana rules x {BACKTEST_DAYS * 1440} evaluations",
                   f"{result.wall:.2f} s", f"CPU {result.cpu:.2f} s, peak {result.rss_mb} MB; {pages} pages")
        report.check(f"backtest of 100 alert rules over 7 days at 1m <= 10 s: {result.wall:.2f} s", result.wall <= 10)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def foundation_sdk_path(cache: Path) -> Path | None:
    """grafana-foundation-sdk, installed for the benchmark only (beside, not into, the project's environment)."""
    target = cache / "bench-foundation-sdk"
    if not (target / "grafana_foundation_sdk").is_dir():
        proc = subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               "--no-deps", "--target", str(target), "grafana-foundation-sdk"], capture_output=True)
        if proc.returncode != 0:
            return None
    return target


def lint_corpus_time(repeat: int = 5) -> tuple[float, int]:
    best, out = float("inf"), ""
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run([*DASHKIT, "lint", str(CORPUS), "--format", "json"], capture_output=True, text=True,
                              env=ENV)
        best = min(best, time.perf_counter() - started)
        out = proc.stdout
    return best, len(json.loads(out)["findings"])


def lint_fix_corpus_time(work: Path, repeat: int = 3) -> tuple[float, str]:
    """`dashkit lint --fix` of a fresh copy of the corpus each time (the copy is not timed): best wall time, and
    its summary line ("N fixes in M files; K findings left")."""
    best, summary = float("inf"), ""
    for attempt in range(repeat):
        copy = work / f"fix-corpus-{attempt}"
        shutil.copytree(CORPUS, copy)
        started = time.perf_counter()
        proc = subprocess.run([*DASHKIT, "lint", "--fix", str(copy)], capture_output=True, text=True, env=ENV)
        best = min(best, time.perf_counter() - started)
        summary = next((line for line in proc.stdout.splitlines() if re.match(r"\d+ fix(es)? in \d+ files?; ", line)),
                       f"exited {proc.returncode}: {proc.stderr[-300:]}")
        shutil.rmtree(copy, ignore_errors=True)
    return best, summary


def help_time(repeat: int = 7) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([os.path.join(os.path.dirname(PYTHON), "dashkit"), "--help"], stdout=subprocess.DEVNULL,
                       check=True, env=ENV)
        best = min(best, time.perf_counter() - started)
    return best


# ---- scenarios --------------------------------------------------------------------------------------------------
class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str]] = []
        self.checks: list[tuple[str, bool]] = []

    def row(self, name: str, value: str, note: str = "") -> None:
        self.rows.append((name, value, note))
        print(f"  {name}: {value}  {note}", flush=True)

    def check(self, name: str, ok: bool) -> None:
        self.checks.append((name, ok))

    def section(self, title: str) -> None:
        self.rows.append((title, "", ""))
        print(title, flush=True)


def dashboard_lists(stats: dict) -> int:
    return sum(v for k, v in stats["by_route"].items()
               if k.startswith("GET /apis/dashboard.grafana.app/") and k.endswith("/dashboards"))


def legacy_sync(report: Report, work: Path, n: int, latency: float) -> None:
    report.section(f"Grafana 11 (legacy API), {n} dashboards in 10 folders, {latency:g} ms per request")
    with Emulator("11", latency) as emulator:
        root = work / "legacy"
        make_project(root, n, 10, emulator.url)
        emulator.reset()
        first = dashkit(root, "sync", "--env", "local", "--yes")
        stats = emulator.stats()
        report.row("first sync (creates everything)", f"{first.wall:.2f} s",
                   f"{stats['requests']} requests, {stats['writes']} writes")
        report.check(f"first upload: at most one request per dashboard and folder (+20): {stats['requests']}",
                     stats["requests"] <= n + 10 + 20)
        emulator.reset()
        noop = dashkit(root, "sync", "--env", "local", "--yes")
        stats = emulator.stats()
        report.row("dashkit no-op sync", f"{noop.wall:.2f} s",
                   f"CPU {noop.cpu:.2f} s, peak {noop.rss_mb} MB, {stats['requests']} requests, "
                   f"{stats['writes']} writes")
        dashkit(root, "build")
        emulator.reset()
        blind = script(BLIND_UPLOAD, emulator.url, TOKEN, str(root / "build" / "dashboards"))
        stats = emulator.stats()
        report.row("blind 24-way re-upload (requests)", f"{blind.wall:.2f} s",
                   f"CPU {blind.cpu:.2f} s, {stats['requests']} requests, {stats['writes']} writes "
                   f"({stats['writes']} new versions)")
        dashkit(root, "sync", "--env", "local", "--yes", "--force")  # put the folders and markers back
        emulator.reset()
        probe = script(BARE_PROBE, emulator.url, TOKEN)
        stats = emulator.stats()
        report.row("bare list + fetch + parse probe", f"{probe.wall:.2f} s",
                   f"CPU {probe.cpu:.2f} s, {stats['requests']} requests")
        report.row("no-op sync / bare probe", f"{noop.wall / probe.wall:.2f}x", "(goal: within 1.3x)")
        report.check(f"no-op sync of {n} faster than the blind re-upload: {noop.wall:.2f} s < {blind.wall:.2f} s",
                     noop.wall < blind.wall)
        report.check(f"no-op sync of {n}: at most 1.5 s of client CPU: {noop.cpu:.2f} s", noop.cpu <= 1.5)
        report.check("no-op sync writes nothing", "No changes" in noop.output)


def app_platform_sync(report: Report, work: Path, n: int, folders: int, latency: float, wall_limit: float,
                      memory_limit: int | None) -> None:
    report.section(f"Grafana 13 (app-platform API), {n} dashboards in {folders} folders, {latency:g} ms per request")
    with Emulator("13", latency) as emulator:
        root = work / f"apps-{n}"
        make_project(root, n, folders, emulator.url)
        first = dashkit(root, "sync", "--env", "local", "--yes")
        report.row("first sync (dry-runs every write, then writes)", f"{first.wall:.2f} s")
        emulator.reset()
        noop = dashkit(root, "sync", "--env", "local", "--yes")
        stats = emulator.stats()
        lists = dashboard_lists(stats)
        report.row("dashkit no-op sync", f"{noop.wall:.2f} s",
                   f"CPU {noop.cpu:.2f} s, peak {noop.rss_mb} MB, {stats['requests']} requests "
                   f"({lists} dashboard lists), {stats['writes']} writes")
        report.check(f"no-op sync of {n} on 13 at {latency:g} ms <= {wall_limit:g} s: {noop.wall:.2f} s",
                     noop.wall <= wall_limit)
        if n <= 1000:
            report.check(f"no-op sync of {n} on 13: at most 10 dashboard list requests: {lists}", lists <= 10)
        if memory_limit:
            report.check(f"no-op sync of {n} on 13: peak memory <= {memory_limit} MB: {noop.rss_mb} MB",
                         noop.rss_mb <= memory_limit)
        report.check(f"no-op sync of {n} on 13 writes nothing", "No changes" in noop.output)


def legacy_memory(report: Report, work: Path, n: int, limit: int) -> None:
    with Emulator("11", 0) as emulator:
        root = work / f"memory-{n}"
        make_project(root, n, max(1, n // 100), emulator.url)
        create = dashkit(root, "sync", "--env", "local", "--yes")
        noop = dashkit(root, "sync", "--env", "local", "--yes")
        report.row(f"{n} dashboards, legacy API, no latency", f"peak {noop.rss_mb} MB",
                   f"no-op {noop.wall:.2f} s; the creating sync: peak {create.rss_mb} MB, {create.wall:.2f} s")
        report.check(f"no-op sync of {n}: peak RSS <= {limit} MB: {noop.rss_mb} MB", noop.rss_mb <= limit)


def builders(report: Report, n: int) -> None:
    report.section(f"Builders: {n} service dashboards to JSON text")
    env = dict(ENV)
    extra = foundation_sdk_path(ROOT / ".cache")
    if extra is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(extra), env.get("PYTHONPATH", "")) if p)
    result = json.loads(run([PYTHON, "-c", BUILDERS, str(n)], env=env).output.strip().splitlines()[-1])
    report.row("dashkit service_dashboard", f"{result['dashkit']:.2f} s", f"{result['panels']} panels + rows")
    report.row("grafanalib, the same panels", f"{result['grafanalib']:.2f} s")
    if result["foundation"] is not None:
        report.row("grafana-foundation-sdk, the same panels", f"{result['foundation']:.2f} s")
    report.check(f"service_dashboard at least as fast as grafanalib: {result['dashkit']:.2f} s <= "
                 f"{result['grafanalib']:.2f} s", result["dashkit"] <= result["grafanalib"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dashboards", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--large", type=int, default=10000, help="dashboards of the large 13 scenario (100 folders)")
    parser.add_argument("--memory", type=int, nargs="*", default=[5000, 20000])
    parser.add_argument("--quick", action="store_true", help="skip the large and memory scenarios")
    args = parser.parse_args()
    report = Report()
    print(f"dashboards: {dashboard_module()[1]}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="dashkit-bench-"))
    try:
        legacy_sync(report, work, args.dashboards, args.latency_ms)
        app_platform_sync(report, work, args.dashboards, 10, args.latency_ms, 1.0, None)
        if not args.quick:
            app_platform_sync(report, work, args.large, 100, args.latency_ms, 5.0, 400)
            report.section("Peak memory")
            for n, limit in zip(args.memory, (300, 500), strict=False):
                legacy_memory(report, work, n, limit)
        builders(report, args.dashboards)
        hostile(report, work)
        backtest_bench(report, work)
        report.section("Lint and start-up")
        if CORPUS.is_dir():
            lint_s, findings = lint_corpus_time()
            report.row(f"dashkit lint of the corpus ({len(list(CORPUS.rglob('*.json')))} JSON files, best of 5)",
                       f"{lint_s:.2f} s", f"{findings} findings")
            report.check(f"dashkit lint of the corpus <= 1 s: {lint_s:.2f} s", lint_s <= 1.0)
            fix_s, fixed = lint_fix_corpus_time(work)
            report.row("dashkit lint --fix of a copy of the corpus (best of 3)", f"{fix_s:.2f} s", fixed)
            report.check(f"dashkit lint --fix of the corpus <= 3 s: {fix_s:.2f} s", fix_s <= 3.0)
        help_s = help_time()
        report.row("dashkit --help (best of 7)", f"{help_s * 1000:.0f} ms")
        report.check(f"dashkit --help <= 0.3 s: {help_s:.2f} s", help_s <= 0.3)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(r[0]) for r in report.rows)
    print(f"\ndashkit benchmark ({os.cpu_count()} CPUs; {dashboard_module()[1]})")
    for name, value, note in report.rows:
        print(f"  {name:<{width}}  {value:>9}  {note}" if value else f"{name}")
    print()
    for name, ok in report.checks:
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}")
    return 0 if all(ok for _, ok in report.checks) else 1


if __name__ == "__main__":
    sys.exit(main())
