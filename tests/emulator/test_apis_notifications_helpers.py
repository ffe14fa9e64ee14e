"""Builders the /apis notification tests share: paths and receiver bodies (no tests here)."""

from __future__ import annotations

import base64

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

