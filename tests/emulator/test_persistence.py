"""State survives a restart when the emulator is given a `data` file."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import requests

from dashkit.emulator import Emulator, EmulatorConfig

HEADERS = {"Authorization": "Bearer t"}


def start(path: Path) -> Emulator:
    return Emulator(EmulatorConfig(port=0, data=path, tokens={"t": {}})).start()


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    emu = start(state)
    try:
        requests.post(emu.url + "/api/folders", json={"title": "Ops", "uid": "ops"}, headers=HEADERS, timeout=5)
        for version in (0, 1):
            requests.post(
                emu.url + "/api/dashboards/db",
                headers=HEADERS,
                timeout=5,
                json={
                    "dashboard": {"title": "Kept", "uid": "kept", "version": version},
                    "folderUid": "ops",
                },
            )
        before = requests.get(emu.url + "/api/dashboards/uid/kept", headers=HEADERS, timeout=5).json()
    finally:
        emu.stop()
    assert json.loads(state.read_text())["format"] == "dashkit-emulator/1"

    emu = start(state)
    try:
        after = requests.get(emu.url + "/api/dashboards/uid/kept", headers=HEADERS, timeout=5).json()
        assert after["dashboard"] == before["dashboard"]
        assert after["meta"]["version"] == 2 and after["meta"]["folderUid"] == "ops"
        versions = requests.get(emu.url + "/api/dashboards/uid/kept/versions", headers=HEADERS, timeout=5).json()
        assert [v["version"] for v in versions["versions"]] == [2, 1]
        new = requests.post(
            emu.url + "/api/dashboards/db", json={"dashboard": {"title": "New"}}, headers=HEADERS, timeout=5
        ).json()
        assert new["id"] > after["dashboard"]["id"]
    finally:
        emu.stop()


def test_state_is_saved_in_the_background_while_running(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    emu = start(state)
    try:
        requests.post(emu.url + "/api/folders", json={"title": "Live", "uid": "live"}, headers=HEADERS, timeout=5)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not (state.exists() and "live" in state.read_text()):
            time.sleep(0.05)
        assert "live" in state.read_text()
        assert not (tmp_path / "state.json.tmp").exists()
    finally:
        emu.stop()


def test_datasources_library_elements_teams_and_permissions_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    emu = start(state)
    try:
        def post(path: str, body: dict[str, Any]) -> requests.Response:
            return requests.post(emu.url + path, json=body, headers=HEADERS, timeout=5)

        created = post(
            "/api/datasources",
            {"name": "Mine", "uid": "mine", "type": "loki", "access": "proxy", "secureJsonData": {"pw": "hidden-pw"}},
        ).json()
        post("/api/folders", {"title": "Ops", "uid": "ops"})
        post("/api/library-elements", {"uid": "cpu", "name": "CPU", "kind": 1, "model": {}, "folderUid": "ops"})
        panel = {"id": 1, "libraryPanel": {"uid": "cpu", "name": "CPU"}}
        post("/api/dashboards/db", {"dashboard": {"title": "Host", "uid": "host", "panels": [panel]}})
        team = post("/api/teams", {"name": "SRE"}).json()
        post("/api/folders/ops/permissions", {"items": [{"teamId": team["teamId"], "permission": 2}]})
    finally:
        emu.stop()
    assert "hidden-pw" not in state.read_text()

    emu = start(state)
    try:
        def get(path: str) -> Any:
            return requests.get(emu.url + path, headers=HEADERS, timeout=5).json()

        mine = get("/api/datasources/uid/mine")
        assert (mine["id"], mine["readOnly"], mine["secureJsonFields"]) == (created["id"], False, {"pw": True})
        assert get("/api/datasources/uid/prom-local")["readOnly"] is True
        assert len(get("/api/datasources")) == 4
        again = requests.post(
            emu.url + "/api/datasources", json={"type": "tempo", "access": "proxy"}, headers=HEADERS, timeout=5
        ).json()
        assert again["id"] == created["id"] + 1
        assert get("/api/library-elements/cpu")["result"]["meta"]["connectedDashboards"] == 1
        assert [c["connectionUid"] for c in get("/api/library-elements/cpu/connections")["result"]] == ["host"]
        assert [t["name"] for t in get("/api/teams/search")["teams"]] == ["SRE"]
        assert [e["team"] for e in get("/api/folders/ops/permissions")] == ["SRE"]
    finally:
        emu.stop()
