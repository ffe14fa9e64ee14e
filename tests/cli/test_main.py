"""The dashkit command as users run it: the installed entry point, the terminal prompt, the error boundary."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

from conftest import TOKEN, in_terminal

DASHKIT = str(Path(sys.executable).parent / "dashkit")


def test_version_and_help(dashkit):
    assert dashkit("--version").out.startswith("dashkit, version")
    help_text = dashkit("--help").out
    for command in ("build", "diff", "sync", "emulator"):
        assert command in help_text


def test_unknown_command_is_a_usage_error(dashkit):
    result = dashkit("deploy")
    assert result.code == 2 and "No such command" in result.err


def test_unexpected_exception_is_reported_as_a_bug(project, dashkit, monkeypatch):
    from dashkit import build as build_module

    def broken(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(build_module, "write_build", broken)
    project.dashboard("dashboards/a.py", "A")
    result = dashkit("build")
    assert result.code == 70
    assert "Traceback" in result.err and "kaboom" in result.err and "this is a bug" in result.err


def test_no_project_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    proc = subprocess.run([DASHKIT, "build"], capture_output=True, text=True)
    assert proc.returncode == 2 and "no dashkit.yaml found" in proc.stderr


def test_progress_is_shown_on_long_runs(grafana, project, dashkit):
    for i in range(25):
        project.dashboard(f"dashboards/d{i}.py", f"D{i}", panels=1)
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0
    assert "applied 25/25" in result.err


def _run_in_terminal(args, env, answer):
    """Run the real dashkit in a pseudo-terminal and answer its question; return (exit code, screen text)."""
    return in_terminal([DASHKIT, *args], env, answer + b"\n")


def test_sync_asks_before_applying_in_a_terminal(grafana, project):
    project.dashboard("dashboards/a.py", "A")
    env = {**os.environ, "DASHKIT_TEST_TOKEN": TOKEN, "NO_COLOR": "1"}
    code, screen = _run_in_terminal(["-C", str(project.root), "sync", "--env", "local"], env, b"n")
    assert code == 0 and "Apply 1 change to local?" in screen and "Nothing applied" in screen
    assert grafana.writes() == 0
    code, screen = _run_in_terminal(["-C", str(project.root), "sync", "--env", "local"], env, b"y")
    assert code == 0 and "Applied 1 of 1 change." in screen
    assert grafana.dashboard("a") is not None


def test_emulator_command_serves_until_terminated(tmp_path):
    data = tmp_path / "state.json"
    proc = subprocess.Popen([DASHKIT, "emulator", "--port", "0", "--token", "t0k3n-value", "--data", str(data)],
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        url = re.search(r"listening on (http://\S+);", line).group(1)
        assert "t0k3n-value" not in line
        assert requests.get(url + "/api/health", timeout=5).json()["database"] == "ok"
        reply = requests.post(url + "/api/folders", json={"uid": "kept", "title": "Kept"},
                              headers={"Authorization": "Bearer t0k3n-value"}, timeout=5)
        assert reply.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert "kept" in data.read_text()


def test_emulator_on_a_busy_port_exits_2():
    first = subprocess.Popen([DASHKIT, "emulator", "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        port = re.search(r":(\d+);", first.stderr.readline()).group(1)
        second = subprocess.run([DASHKIT, "emulator", "--port", port], capture_output=True, text=True, timeout=20)
        assert second.returncode == 2 and "cannot listen" in second.stderr and "Traceback" not in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=10)


def test_an_unwritable_output_path_is_a_clear_error(project, dashkit):
    project.dashboard("dashboards/a.py", "A")
    (project.root / "not-a-folder").write_text("x")
    result = dashkit("build", "--out", str(project.root / "not-a-folder" / "build"))
    assert result.code == 2 and "not-a-folder" in result.err and "Traceback" not in result.err
