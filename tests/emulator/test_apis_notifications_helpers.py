"""Builders the /apis notification tests share: paths, receiver bodies, clients per Grafana version (no tests
here)."""

from __future__ import annotations

import base64
from collections.abc import Callable

from dashkit.emulator import Emulator

from .conftest import Api

GROUP = "/apis/notifications.alerting.grafana.app"
RECEIVERS = f"{GROUP}/v1beta1/namespaces/default/receivers"
PROVENANCE = "grafana.com/provenance"
WEBHOOK = {"type": "webhook", "settings": {"url": "https://hooks.test/alerts", "password": "s3cret", "username": "bot"}}


def name_of(title: str) -> str:
    return base64.urlsafe_b64encode(title.encode()).decode().rstrip("=")


def receiver(title: str, *integrations: dict, annotations: dict | None = None) -> dict:
    body: dict = {"spec": {"title": title, "integrations": list(integrations or [WEBHOOK])}}
    if annotations:
        body["metadata"] = {"annotations": annotations}
    return body


def clients(start: Callable[..., Emulator]) -> Callable[..., Api]:
    """`make(version, token)`: an Api on an emulator of that Grafana version (`start` is the `emulator_factory`
    fixture), one emulator per version and test."""
    started: dict[str, Emulator] = {}

    def make(version: str = "13.0.0", token: str = "admin-token") -> Api:
        if version not in started:
            started[version] = start(grafana_version=version)
        return Api(started[version].url, token)

    return make
