"""`dashkit init`: a new project that builds, lints clean and syncs to the emulator, with next steps that work as
printed, and never a file overwritten without --force."""

import io
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from conftest import TOKEN, Result, in_terminal
from dashkit.cli.main import main
from dashkit.cli.output import Console

DASHKIT = str(Path(sys.executable).parent / "dashkit")


def run(*args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), console=Console(out=out, err=err, color=False))
    return Result(code, out.getvalue(), err.getvalue())


def test_init_gives_a_project_that_builds_lints_and_syncs(grafana, tmp_path, monkeypatch):
    monkeypatch.setenv("GRAFANA_TOKEN", TOKEN)
    root = tmp_path / "Orders API"
    created = run("init", str(root))
    assert created.code == 0, created.text
    assert "Created dashkit project 'orders-api'" in created.out
    for step in ("dashkit emulator --token dev-token &", "export GRAFANA_TOKEN=dev-token",
                 "dashkit diff --env local", "dashkit sync --env local"):
        assert step in created.out
    config = (root / "dashkit.yaml").read_text()
    assert "owner: orders-api" in config and "url: http://127.0.0.1:3000" in config
    assert (root / ".gitignore").read_text().splitlines()[:2] == ["build/", ".dashkit/"]
    (root / "dashkit.yaml").write_text(config.replace("http://127.0.0.1:3000", grafana.url))

    built = run("-C", str(root), "build")
    assert built.code == 0, built.text
    assert "2 dashboards" in built.out and "2 alert_rule_groups" in built.out and "1 slo" in built.out
    linted = run("-C", str(root), "lint")
    assert linted.code == 0 and "No findings" in linted.out, linted.text

    synced = run("-C", str(root), "sync", "--env", "local", "--yes")
    assert synced.code == 0, synced.text
    titles = sorted(hit["title"] for hit in grafana.search(type="dash-db"))
    assert titles == ["orders-api SLOs", "orders-api golden signals"]
    rules = grafana.admin.get(f"{grafana.url}/api/v1/provisioning/alert-rules", timeout=5).json()
    assert sorted(r["title"] for r in rules) == ["HighErrorRate", "OrdersApiAvailabilityBudgetBurn (page)",
                                                 "OrdersApiAvailabilityBudgetBurn (ticket)"]
    grafana.reset_stats()
    again = run("-C", str(root), "sync", "--env", "local", "--yes")
    assert again.code == 0 and "No changes" in again.out and grafana.writes() == 0


def test_init_never_overwrites_without_force(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gitignore").write_text("*.log\nbuild/")
    assert run("init", "--name", "orders").code == 0
    assert (tmp_path / ".gitignore").read_text() == "*.log\nbuild/\n.dashkit/\n__pycache__/\n"
    dashboard = tmp_path / "dashboards" / "orders" / "golden_signals.py"
    dashboard.write_text("# mine\n")

    refused = run("init", "--name", "orders")
    assert refused.code == 2
    assert "already holds alerts/orders/alerts.py, alerts/slo/orders.yaml, dashboards/orders/golden_signals.py, " \
           "dashkit.yaml; nothing was written" in refused.err
    assert "--force" in refused.err and dashboard.read_text() == "# mine\n"

    forced = run("init", "--name", "orders", "--force")
    assert forced.code == 0, forced.text
    assert "~ dashboards/orders/golden_signals.py" in forced.out
    assert "service_dashboard" in dashboard.read_text()
    assert (tmp_path / ".gitignore").read_text() == "*.log\nbuild/\n.dashkit/\n__pycache__/\n"
    assert "cd " not in forced.out  # initialised in the current folder: nothing to change into


def test_an_empty_folder_points_at_init(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("build")
    assert result.code == 2 and "no dashkit.yaml found" in result.err and "`dashkit init` creates one" in result.err
    assert run("init").code == 0 and run("build").code == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_printed_next_steps_work_as_written(tmp_path):
    """The steps run in a shell on a terminal, one by one, answering sync's question."""
    port = _free_port()
    env = {**os.environ, "PATH": f"{Path(DASHKIT).parent}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}
    env.pop("GRAFANA_TOKEN", None)
    created = subprocess.run([DASHKIT, "init", "shop", "--port", str(port)], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    steps = created.stdout.split("Next steps:\n", 1)[1].splitlines()
    commands = [re.sub(r"\s+#.*$", "", line).strip() for line in steps if line.strip()]
    assert commands[0] == "cd shop" and commands[2] == f"dashkit emulator --port {port} --token dev-token &"
    ready = f"until (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; do sleep 0.1; done"  # a person's pace
    script = "\n".join([*commands[:3], ready, *commands[3:], "kill $!", "wait"]) + "\n"
    (tmp_path / "steps.sh").write_text(script)

    code, screen = in_terminal(["bash", "-e", str(tmp_path / "steps.sh")], env, b"y\n", cwd=tmp_path, timeout=120)
    assert code == 0, screen
    assert "No findings" in screen
    assert re.search(r"Plan: \d+ to add, 0 to change, 0 to destroy\.", screen), screen
    assert re.search(r"Applied (\d+) of \1 changes\.", screen) and "error:" not in screen


