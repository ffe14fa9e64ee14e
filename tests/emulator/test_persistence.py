"""State survives a restart when the emulator is given a `data` file."""

from __future__ import annotations

import json
import time
from pathlib import Path

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
