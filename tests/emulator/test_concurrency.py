"""Concurrent keep-alive clients: every save is applied exactly once, and replies are not delayed."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from dashkit.emulator import Emulator


def test_concurrent_saves_each_bump_the_version_once(emulator: Emulator, api) -> None:
    api.save({"title": "Hot", "uid": "hot"})
    body = {"dashboard": {"title": "Hot", "uid": "hot"}, "overwrite": True}

    def writer(_: int) -> list[int]:
        with requests.Session() as session:
            session.headers["Authorization"] = "Bearer admin-token"
            url = emulator.url + "/api/dashboards/db"
            return [session.post(url, json=body, timeout=10).json()["version"] for _ in range(10)]

    with ThreadPoolExecutor(16) as pool:
        versions = [v for batch in pool.map(writer, range(16)) for v in batch]
    assert sorted(versions) == list(range(2, 162))
    assert api.get("/api/dashboards/uid/hot").json()["dashboard"]["version"] == 161


def test_kept_alive_replies_are_not_held_back_by_delayed_acks(api) -> None:
    api.save({"title": "Warm", "uid": "warm"})
    started = time.perf_counter()
    for version in range(1, 31):
        assert api.save({"title": "Warm", "uid": "warm", "version": version}).status_code == 200
    assert time.perf_counter() - started < 0.6  # ~40 ms each if Nagle met a delayed ACK
