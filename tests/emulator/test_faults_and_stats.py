"""Fault injection, latency and request statistics through the `/__emulator/*` control endpoints."""

from __future__ import annotations

import time

import pytest
import requests

from dashkit.emulator import Emulator, EmulatorConfig, parse_fault_spec


def control(emulator: Emulator, method: str, path: str, **kwargs) -> dict:
    response = requests.request(method, emulator.url + path, timeout=5, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def always(emulator: Emulator, kind: str, **extra) -> None:
    control(emulator, "POST", "/__emulator/faults", json={"rate": 1.0, "kinds": [kind], **extra})


def test_429_carries_retry_after_and_is_not_grafana_json(emulator: Emulator, api) -> None:
    always(emulator, "429", retry_after=7)
    response = api.get("/api/search")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"


@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("502", "502 Bad Gateway"),
        ("503", "Grafana is loading..."),
        ("504", "504 Gateway Time-out"),
    ],
)
def test_gateway_faults_answer_with_html(emulator: Emulator, api, kind: str, needle: str) -> None:
    always(emulator, kind)
    response = api.get("/api/search")
    assert response.status_code == int(kind)
    assert response.headers["Content-Type"].startswith("text/html")
    assert needle in response.text


def test_drop_closes_the_connection_before_the_write(emulator: Emulator, api) -> None:
    always(emulator, "drop")
    with pytest.raises(requests.ConnectionError):
        api.save({"title": "Never", "uid": "never"})
    control(emulator, "DELETE", "/__emulator/faults")
    assert api.get("/api/dashboards/uid/never").status_code == 404


def test_drop_after_applies_the_write_but_loses_the_answer(emulator: Emulator, api) -> None:
    always(emulator, "drop_after")
    with pytest.raises(requests.ConnectionError):
        api.save({"title": "Applied", "uid": "applied"})
    control(emulator, "DELETE", "/__emulator/faults")
    assert api.get("/api/dashboards/uid/applied").json()["dashboard"]["version"] == 1
    stats = control(emulator, "GET", "/__emulator/stats")
    assert stats["writes"] == 1 and stats["faults_injected"] == 1


def test_fault_filters_by_method_and_path(emulator: Emulator, api) -> None:
    always(emulator, "503", methods=["POST"], path_regex="^/api/dashboards")
    assert api.get("/api/search").status_code == 200
    assert api.post("/api/folders", json={"title": "f"}).status_code == 200
    assert api.save({"title": "x"}).status_code == 503


def test_faults_are_deterministic_for_a_seed(emulator: Emulator, api) -> None:
    def run() -> list[int]:
        control(
            emulator,
            "POST",
            "/__emulator/faults",
            json={"rate": 0.5, "kinds": ["429", "502", "503"], "seed": 7, "retry_after": 0},
        )
        return [api.get("/api/health").status_code for _ in range(30)]

    first, second = run(), run()
    assert first == second
    assert 200 in first and len(set(first)) > 1


def test_control_endpoints_are_never_faulted_or_counted(emulator: Emulator) -> None:
    always(emulator, "drop")
    assert control(emulator, "GET", "/__emulator/stats")["requests"] == 0
    assert control(emulator, "GET", "/__emulator/faults")["rate"] == 1.0


def test_stats_count_requests_applied_writes_and_routes(emulator: Emulator, api, client_for) -> None:
    api.save({"title": "One", "uid": "one"})
    api.save({"title": "One", "uid": "one"})  # 412: received, not a write
    api.get("/api/dashboards/uid/one")
    client_for("viewer-token").save({"title": "Denied"})  # 403: not a write
    api.get("/api/unknown")
    always(emulator, "503")
    api.get("/api/search")
    stats = control(emulator, "GET", "/__emulator/stats")
    assert stats["requests"] == 6
    assert stats["writes"] == 1
    assert stats["faults_injected"] == 1
    assert stats["by_route"]["POST /api/dashboards/db"] == 3
    assert stats["by_route"]["GET /api/dashboards/uid/{uid}"] == 1
    assert stats["by_route"]["GET /api/search"] == 1
    reset = control(emulator, "POST", "/__emulator/stats/reset")
    assert reset == {"requests": 0, "writes": 0, "by_route": {}, "faults_injected": 0}


def test_latency_is_added_to_api_requests_only(emulator: Emulator, api) -> None:
    assert control(emulator, "POST", "/__emulator/latency", json={"ms": 60}) == {"ms": 60.0}
    started = time.perf_counter()
    api.get("/api/health")
    assert time.perf_counter() - started >= 0.06
    started = time.perf_counter()
    control(emulator, "GET", "/__emulator/stats")
    assert time.perf_counter() - started < 0.06


def test_bad_fault_plan_is_400(emulator: Emulator) -> None:
    response = requests.post(emulator.url + "/__emulator/faults", json={"rate": 1, "kinds": ["418"]}, timeout=5)
    assert response.status_code == 400 and "418" in response.json()["message"]


def test_reset_wipes_state_back_to_the_seed(emulator: Emulator, api) -> None:
    api.folder("Gone soon", "gone")
    control(emulator, "POST", "/__emulator/reset")
    assert api.get("/api/folders/gone").status_code == 404
    assert len(api.get("/api/datasources").json()) == 3


def test_parse_fault_spec_and_start_up_faults(emulator_factory) -> None:
    assert parse_fault_spec("429, 503,drop-after,,drop") == ("429", "503", "drop_after", "drop")
    with pytest.raises(ValueError, match="unknown fault kind"):
        parse_fault_spec("429,teapot")
    with pytest.raises(ValueError):
        EmulatorConfig(fault_kinds=("500",))
    emu = emulator_factory(fault_rate=1.0, fault_kinds=parse_fault_spec("429"), retry_after=3)
    response = requests.get(emu.url + "/api/health", timeout=5)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "3")
