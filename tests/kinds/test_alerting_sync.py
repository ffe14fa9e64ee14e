"""Alerting kinds through real HTTP to the emulator: create, quiet second sync, one write per change, prune,
secrets that never show and still rotate, and provenance per environment."""

import shutil
from pathlib import Path

import pytest

from conftest import ALL_PROFILES, TOKEN

GRAFANA_PROFILES = ALL_PROFILES  # every test runs against Grafana 11, 12 and 13

REPO = Path(__file__).resolve().parents[2]
SLACK = "https://hooks.slack.example/T000/B000/first-secret-value"
PAGERDUTY = "pd-routing-key-0123456789"
API = "/api/v1/provisioning"


@pytest.fixture
def alerting(project, monkeypatch):
    """This repository's dashboards/ and alerts/ in a scratch project pointing at the emulator."""
    shutil.copytree(REPO / "dashboards", project.root / "dashboards")
    shutil.copytree(REPO / "alerts", project.root / "alerts")
    config = (REPO / "dashkit.yaml").read_text().replace("http://127.0.0.1:3000", project.url)
    (project.root / "dashkit.yaml").write_text(config.replace("GRAFANA_TOKEN", "DASHKIT_TEST_TOKEN"))
    monkeypatch.setenv("SLACK_WEBHOOK_URL", SLACK)
    monkeypatch.setenv("PAGERDUTY_INTEGRATION_KEY", PAGERDUTY)
    return project


def _get(grafana, path):
    return grafana.admin.get(grafana.url + API + path, timeout=5).json()


def test_every_kind_round_trips_with_a_quiet_second_sync(grafana, alerting, dashkit):
    first = dashkit("sync", "--env", "local", "--yes")
    assert first.code == 0, first.text
    rules = _get(grafana, "/alert-rules")
    assert len(rules) == 17 and {r["provenance"] for r in rules} == {"api"}  # 12 golden-signal, 4 SLO, 1 grafanalib
    assert {p["name"] for p in _get(grafana, "/contact-points")} >= {"slack-alerts", "pagerduty-oncall"}
    assert _get(grafana, "/policies")["routes"][0]["receiver"] == "pagerduty-oncall"
    other_records = ("dashkit.owner.team.", "dashkit.owner.folder_permission.")  # the reference teams' and folder's
    assert [t["name"] for t in _get(grafana, "/templates") if not t["name"].startswith(other_records)] == [
        "dashkit.owner.mute_timing.weekly-maintenance", "dashkit.owner.notification_policy.root", "platform"]
    assert [m["name"] for m in _get(grafana, "/mute-timings")] == ["weekly-maintenance"]
    rule = next(r for r in rules if r["title"] == "HighErrorRate" and r["labels"]["service"] == "checkout")
    assert rule["data"][0]["datasourceUid"] == "platform-prometheus"  # the datasource dashkit.yaml defines
    assert rule["data"][0]["model"]["intervalMs"] == 1000  # added by Grafana, ignored by the diff

    grafana.reset_stats()
    second = dashkit("sync", "--env", "local", "--yes")
    assert second.code == 0 and "No changes" in second.out, second.out
    assert grafana.writes() == 0


def test_one_changed_threshold_is_one_write(grafana, alerting, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    module = alerting.root / "alerts" / "services" / "golden_signals.py"
    module.write_text(module.read_text().replace(
        'team="platform",', 'team="platform", error_ratio_above=0.02 if service == "checkout" else 0.05,'))
    diff = dashkit("diff", "--env", "local")
    assert "~ alert_rule_group services/checkout/checkout-golden-signals" in diff.out
    assert "rule 'HighErrorRate' > query C: model.conditions" in diff.out
    grafana.reset_stats()
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0, result.text
    assert grafana.writes() == 1
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


def test_prune_deletes_an_owned_rule_group_only(grafana, alerting, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    folder = next(r["folderUID"] for r in _get(grafana, "/alert-rules") if r["labels"]["service"] == "catalog")
    foreign = {"title": "theirs", "interval": 60, "rules": [{
        "title": "Theirs", "condition": "A", "noDataState": "OK", "execErrState": "OK", "for": "1m",
        "data": [{"refId": "A", "datasourceUid": "prom-local", "relativeTimeRange": {"from": 60, "to": 0},
                  "model": {"expr": "vector(1)"}}]}]}
    reply = grafana.admin.put(f"{grafana.url}{API}/folder/{folder}/rule-groups/theirs", json=foreign, timeout=5)
    assert reply.status_code == 200, reply.text
    module = alerting.root / "alerts" / "services" / "golden_signals.py"
    module.write_text(module.read_text().replace("for service in SERVICES", "for service in SERVICES[:2]"))
    result = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert result.code == 0, result.text
    groups = {r["ruleGroup"] for r in _get(grafana, "/alert-rules")}
    assert groups == {"checkout-golden-signals", "payments-golden-signals", "theirs", "slo-checkout",
                      "checkout-availability"}
    assert "- alert_rule_group services/catalog/catalog-golden-signals" in result.out
    assert "= folder services/catalog: still holds 1 item dashkit" in result.out  # "theirs" lives there


def test_secrets_never_show_and_a_rotated_secret_is_pushed(grafana, alerting, dashkit, monkeypatch):
    config = alerting.root / "dashkit.yaml"
    _digest_key(config)
    monkeypatch.setenv("DK_KEY", "a-key-only-the-ci-holds")
    outputs = [dashkit("sync", "--env", "local", "--yes", verbose=True)]
    slack = next(p for p in _get(grafana, "/contact-points") if p["name"] == "slack-alerts")
    assert slack["settings"]["url"] == "[REDACTED]"
    monkeypatch.setenv("SLACK_WEBHOOK_URL", SLACK.replace("first", "second"))
    outputs.append(dashkit("diff", "--env", "local", verbose=True))
    assert "~ contact_point slack-alerts" in outputs[-1].out
    grafana.reset_stats()
    outputs.append(dashkit("sync", "--env", "local", "--yes", "--format", "json", verbose=True))
    assert grafana.writes() == 1
    outputs.append(dashkit("sync", "--env", "local", "--yes", verbose=True))
    assert "No changes" in outputs[-1].out
    for result in outputs:
        for secret in (SLACK, SLACK.replace("first", "second"), PAGERDUTY, TOKEN):
            assert secret not in result.text
    for path in alerting.root.rglob("*"):
        if path.is_file() and ".venv" not in path.parts:
            text = path.read_text(errors="ignore")
            assert "secret-value" not in text and PAGERDUTY not in text, path


def test_missing_secret_env_var_stops_before_any_write(grafana, alerting, dashkit, monkeypatch):
    monkeypatch.delenv("PAGERDUTY_INTEGRATION_KEY")
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 2
    assert "PAGERDUTY_INTEGRATION_KEY" in result.err and "pagerduty-oncall" in result.err
    assert grafana.writes() == 0


def test_disable_provenance_keeps_resources_editable_in_the_ui(grafana, alerting, dashkit):
    config = alerting.root / "dashkit.yaml"
    config.write_text(config.read_text().replace("    org_id: 1\n", "    org_id: 1\n    disable_provenance: true\n"))
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert all("provenance" not in r for r in _get(grafana, "/alert-rules"))


def test_the_secret_digest_is_keyed_and_without_a_key_rotation_is_explicit(grafana, alerting, dashkit, monkeypatch):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    slack = next(p for p in _get(grafana, "/contact-points") if p["name"] == "slack-alerts")
    assert "dashkitSecretDigest" not in slack["settings"]  # no key: nothing a reader could test guesses against
    monkeypatch.setenv("SLACK_WEBHOOK_URL", SLACK.replace("first", "second"))
    assert "No changes" in dashkit("diff", "--env", "local").out
    diff = dashkit("diff", "--env", "local", "--rotate-secrets")
    assert "~ contact_point slack-alerts" in diff.out and "~ contact_point pagerduty-oncall" in diff.out
    assert "platform-email" not in diff.out  # no secrets, nothing to re-send
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes", "--rotate-secrets").code == 0
    assert grafana.writes() == 2

    config = alerting.root / "dashkit.yaml"
    _digest_key(config)
    monkeypatch.setenv("DK_KEY", "key-one")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    first = next(p for p in _get(grafana, "/contact-points") if p["name"] == "slack-alerts")
    digest = first["settings"]["dashkitSecretDigest"]
    assert digest.startswith("hmac-sha256:")
    import hashlib
    import hmac
    guess = "url=" + SLACK.replace("first", "second")
    assert digest.split(":", 1)[1] != hashlib.sha256(guess.encode()).hexdigest()[:32]
    assert digest.split(":", 1)[1] == hmac.new(b"key-one", f".{guess}".encode(), hashlib.sha256).hexdigest()[:32]


def _digest_key(config: Path) -> None:
    text = config.read_text()
    config.write_text(text.replace("    org_id: 1\n", "    org_id: 1\n    secret_digest_key_env: DK_KEY\n"))
