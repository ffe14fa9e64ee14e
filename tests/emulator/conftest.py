"""Fixtures: one emulator for the session (reset before every test) and a factory for version-specific ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from dashkit.emulator import Emulator, EmulatorConfig

TOKENS = {
    "admin-token": {"login": "sa-1-dashkit", "name": "dashkit", "role": "Admin", "org_id": 1},
    "editor-token": {"login": "sa-1-editor", "name": "editor", "role": "Editor", "org_id": 1},
    "viewer-token": {"login": "sa-1-viewer", "name": "viewer", "role": "Viewer", "org_id": 1},
    "org2-token": {"login": "sa-2-dashkit", "name": "dashkit", "role": "Admin", "org_id": 2},
}


class Api:
    """A requests session bound to one emulator and one credential; paths are relative to its URL."""

    def __init__(self, base: str, token: str | None = "admin-token", auth: tuple[str, str] | None = None) -> None:
        self.base = base
        self.major = 11  # the Grafana generation of the emulator (set by the `platform`/`versioned` fixtures)
        self.session = requests.Session()
        self._others: list[Api] = []
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        if auth:
            self.session.auth = auth

    def other(self, token: str | None = None, auth: tuple[str, str] | None = None) -> Api:
        """A client of the same emulator with another credential (closed with this one)."""
        client = Api(self.base, token, auth)
        client.major = self.major
        self._others.append(client)
        return client

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.base + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def save(self, dashboard: dict[str, Any], **extra: Any) -> requests.Response:
        return self.post("/api/dashboards/db", json={"dashboard": dashboard, **extra})

    def folder(self, title: str, uid: str | None = None, parent: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"title": title}
        if uid:
            body["uid"] = uid
        if parent:
            body["parentUid"] = parent
        response = self.post("/api/folders", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def close(self) -> None:
        for client in self._others:
            client.close()
        self.session.close()


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    emu = Emulator(EmulatorConfig(port=0, tokens=dict(TOKENS))).start()
    yield emu
    emu.stop()


@pytest.fixture(autouse=True)
def _fresh_state(request: pytest.FixtureRequest) -> None:
    if "emulator" in request.fixturenames:
        emu: Emulator = request.getfixturevalue("emulator")
        assert requests.post(emu.url + "/__emulator/reset", timeout=10).status_code == 200


@pytest.fixture
def api(emulator: Emulator) -> Iterator[Api]:
    client = Api(emulator.url)
    yield client
    client.close()


@pytest.fixture
def client_for(emulator: Emulator) -> Iterator[Callable[..., Api]]:
    made: list[Api] = []

    def make(token: str | None = None, auth: tuple[str, str] | None = None) -> Api:
        made.append(Api(emulator.url, token, auth))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Emulator]]:
    """Start extra emulators (e.g. another `grafana_version`); all are stopped after the test."""
    started: list[Emulator] = []

    def start(**config: Any) -> Emulator:
        config.setdefault("port", 0)
        config.setdefault("tokens", dict(TOKENS))
        started.append(Emulator(EmulatorConfig(**config)).start())
        return started[-1]

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture(scope="module", params=["12", "13"])
def platform_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """One emulator per app-platform profile (`--grafana 12`, `--grafana 13`) and test module: every test that uses
    it runs on both."""
    emu = Emulator(EmulatorConfig(port=0, tokens=dict(TOKENS), grafana_version=request.param)).start()
    yield emu
    emu.stop()


@pytest.fixture
def platform(platform_emulator: Emulator) -> Iterator[Api]:
    """An Admin client of the 12 or 13 emulator, reset before the test; `platform.major` says which."""
    assert requests.post(platform_emulator.url + "/__emulator/reset", timeout=10).status_code == 200
    client = Api(platform_emulator.url)
    client.major = int(platform_emulator.config.grafana_version.split(".")[0])
    yield client
    client.close()


@pytest.fixture(scope="module", params=["11", "12", "13"])
def versioned_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """One emulator per Grafana generation (`--grafana 11`, `12`, `13`) and test module: every test that uses it
    runs on all three."""
    emu = Emulator(EmulatorConfig(port=0, tokens=dict(TOKENS), grafana_version=request.param)).start()
    yield emu
    emu.stop()


@pytest.fixture
def versioned(versioned_emulator: Emulator) -> Iterator[Api]:
    """An Admin client of the 11, 12 or 13 emulator, reset before the test; `versioned.major` says which."""
    assert requests.post(versioned_emulator.url + "/__emulator/reset", timeout=10).status_code == 200
    client = Api(versioned_emulator.url)
    client.major = int(versioned_emulator.config.grafana_version.split(".")[0])
    yield client
    client.close()


@pytest.fixture
def client_at(emulator_factory: Callable[..., Emulator]) -> Iterator[Callable[..., Api]]:
    """`client_at(version, token)`: a client of an emulator playing that Grafana version, one emulator per version
    and test (`client_at("12.2.0")`, `client_at("13.0.0", "viewer-token")`)."""
    started: dict[str, Emulator] = {}
    made: list[Api] = []

    def make(version: str = "13.0.0", token: str = "admin-token") -> Api:
        if version not in started:
            started[version] = emulator_factory(grafana_version=version)
        made.append(Api(started[version].url, token))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def api13(client_at: Callable[..., Api]) -> Api:
    """An Admin client of a Grafana 13 emulator of the test's own."""
    return client_at("13.0.0")
