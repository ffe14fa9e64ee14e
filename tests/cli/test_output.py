"""What the commands print: counts in words, a word on retried requests, progress on a terminal, JSON for scripts."""

import io
import json
import re

import requests

from dashkit.cli import output
from dashkit.cli.main import main
from dashkit.cli.output import Console


def test_counts_of_one_are_singular(grafana, project, dashkit):
    project.dashboard("dashboards/a.py", "A")
    assert "Built 1 dashboard: 1 file in " in dashkit("build").out
    synced = dashkit("sync", "--env", "local", "--yes")
    assert synced.code == 0, synced.text
    assert "Applied 1 of 1 change." in synced.out
    assert "(1 resource checked)" in dashkit("diff", "--env", "local").out
    project.dashboard("dashboards/b.py", "B")
    assert "Built 2 dashboards: 2 files in " in dashkit("build").out
    assert "Applied 1 of 1 change." in dashkit("sync", "--env", "local", "--yes").out
    assert "(2 resources checked)" in dashkit("diff", "--env", "local").out


def test_lint_counts_read_naturally(project, dashkit):
    bad = project.root / "in" / "bad.json"
    bad.parent.mkdir()
    bad.write_text(json.dumps({"uid": "x", "title": "X", "panels": [
        {"id": 1, "type": "timeseries", "title": "P", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
         "targets": [{"refId": "A", "expr": "sum(rate(x[5m])"}]}]}))
    result = dashkit("lint", "--select", "DK130", str(bad))
    assert "1 finding (1 error, 0 warnings, 0 info) in 1 dashboard or rule group" in result.out, result.out


def _retries_in(text: str) -> tuple[int, int]:
    """(requests retried, retries in all) from the summary line."""
    found = re.search(r"(\d+) requests? retried after [^(\n]*?(?: \((\d+) retries in all\))?\.$", text, re.M)
    assert found, text
    return int(found[1]), int(found[2] or found[1])


def test_sync_says_how_many_requests_were_retried(grafana, project, dashkit):
    project.dashboard("dashboards/a.py", "A")
    grafana.faults(rate=1.0, kinds=["429"], retry_after=0, count=3)  # the first request: three times
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0, result.text
    assert result.err.count("retried after") == 1
    assert "1 request retried after HTTP 429 (3 retries in all)." in result.err


def test_the_retry_summary_counts_every_retry_under_scattered_faults(grafana, project, dashkit):
    for i in range(8):
        project.dashboard(f"dashboards/team{i % 2}/d{i}.py", f"Dash {i}")
    grafana.faults(rate=0.5, kinds=["429", "503"], retry_after=0, seed=7, count=6)
    result = dashkit("sync", "--env", "local", "--yes", "--format", "json")
    assert result.code == 0, result.text
    json.loads(result.out)  # the summary goes to stderr: stdout stays one JSON document
    retried, retries = _retries_in(result.err)
    assert retries == grafana.stats()["faults_injected"] == 6
    assert 1 <= retried <= 6
    assert "HTTP 429" in result.err or "HTTP 503" in result.err


def test_no_retry_summary_when_nothing_was_retried(grafana, project, dashkit):
    project.dashboard("dashboards/a.py", "A")
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0 and "retried" not in result.text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _diff_json(project, err) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["-C", str(project.root), "diff", "--env", "local", "--format", "json"],
                console=Console(out=out, err=err, color=False))
    return code, out.getvalue()


def test_reading_shows_progress_on_a_terminal_only(grafana, project, monkeypatch):
    for i in range(3):
        project.dashboard(f"dashboards/d{i}.py", f"D{i}")
    monkeypatch.setattr(output, "PROGRESS_AFTER", 0.05)
    monkeypatch.setattr(output, "PROGRESS_EVERY", 0.02)
    requests.post(f"{grafana.url}/__emulator/latency", json={"ms": 100}, timeout=5).raise_for_status()

    terminal = Terminal()
    code, out = _diff_json(project, terminal)
    assert code == 0
    assert json.loads(out)["environment"] == "local"
    screen = terminal.getvalue()
    assert re.search(r"\r  reading local: \d+ requests sent", screen), repr(screen)
    assert screen.endswith("\r") and screen.rstrip("\r").endswith(" ")  # the line is erased when reading is done

    piped = io.StringIO()
    code, out = _diff_json(project, piped)
    assert code == 0 and json.loads(out)["environment"] == "local"
    assert "reading" not in piped.getvalue()


def test_a_quick_read_shows_no_progress(grafana, project):
    project.dashboard("dashboards/a.py", "A")
    terminal = Terminal()
    code, _ = _diff_json(project, terminal)  # PROGRESS_AFTER is a second; this read takes milliseconds
    assert code == 0 and "reading" not in terminal.getvalue()


def test_build_json_lists_the_files_written(project, dashkit):
    project.dashboard("dashboards/payments/api.py", "API")
    project.dashboard("dashboards/home.py", "Home")
    result = dashkit("build", "--format", "json")
    assert result.code == 0, result.text
    report = json.loads(result.out)
    out = project.root / "build"
    assert report["out"] == str(out)
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert report["files"] == on_disk and "dashboards/payments/payments-api.json" in on_disk
    assert report["resources"]["dashboard"] == 2


def test_pull_and_import_json_hold_what_was_written(grafana, project, dashkit):
    grafana.admin.post(f"{grafana.url}/api/folders", json={"uid": "team", "title": "Team"}).raise_for_status()
    grafana.save_as_admin({"uid": "checkout", "title": "Checkout", "panels": []}, folder_uid="team")
    grafana.save_as_admin({"uid": "home", "title": "Home", "panels": []})
    out = project.root / "pulled"
    pulled = dashkit("pull", "--env", "local", "--out", str(out), "--format", "json")
    assert pulled.code == 0, pulled.text
    report = json.loads(pulled.out)
    assert report["environment"] == "local" and report["found"] == 2 and report["failed"] == []
    by_uid = {item["uid"]: item for item in report["written"]}
    assert by_uid["checkout"]["folder"] == ["Team"] and by_uid["home"]["folder"] == []
    for item in report["written"]:
        assert json.loads((out / item["file"]).read_text())["uid"] == item["uid"]

    imported = dashkit("import", str(out), "--format", "json")
    assert imported.code == 0, imported.text
    report = json.loads(imported.out)
    assert (report["found"], report["written"], report["reproduced"], report["environment"]) == (2, 2, 2, None)
    assert {d["status"] for d in report["dashboards"]} == {"identical"}
    for dashboard in report["dashboards"]:
        assert dashboard["module"].endswith(".py") and (project.root / dashboard["module"]).is_file()

    again = dashkit("import", "--from-env", "local", "--format", "json")
    report = json.loads(again.out)
    assert again.code == 0 and report["environment"] == "local"
    assert sorted((d["title"], d["status"]) for d in report["dashboards"]) == [
        ("Checkout", "skipped"), ("Home", "skipped")]
    assert all("already defined" in d["reason"] and not d["source"].startswith("/") for d in report["dashboards"])
