"""`dashkit build` for alerting: Prometheus rule files that promtool accepts and tests, an Alertmanager
config amtool accepts, runbooks, and never a secret."""

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
needs_promtool = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is installed by scripts/test")
needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool is installed by scripts/test")


@pytest.fixture
def reference_build(project, dashkit, monkeypatch):
    """This repository's dashboards/ and alerts/, built in a scratch project."""
    shutil.copytree(REPO / "dashboards", project.root / "dashboards")
    shutil.copytree(REPO / "alerts", project.root / "alerts")
    shutil.copy(REPO / "dashkit.yaml", project.root / "dashkit.yaml")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.example/T000/B000/very-secret")
    result = dashkit("build")
    assert result.code == 0, result.text
    return project.root / "build"


@needs_promtool
def test_prometheus_rule_files_pass_promtool(reference_build):
    files = sorted((reference_build / "alerts" / "prometheus").rglob("*.yml"))
    assert len(files) == 4  # golden signals of 3 services, checkout availability (written with grafanalib)
    result = subprocess.run(["promtool", "check", "rules", *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_high_error_rate_fires_at_10_percent_and_not_at_1(reference_build, tmp_path):
    rules = reference_build / "alerts" / "prometheus" / "services" / "checkout" / "checkout-golden-signals.yml"
    shutil.copy(rules, tmp_path / "rules.yml")
    annotations = {
        "summary": "checkout: more than 5% of requests fail",
        "description": "shop: checkout answers more than 5% of requests with a 5.. status.",
        "runbook_url": "https://runbooks.example.com/platform/services/checkout/checkout-golden-signals/"
                       "HighErrorRate.md",
    }
    (tmp_path / "test.yml").write_text(textwrap.dedent(f"""\
        rule_files: [rules.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'http_requests_total{{service="checkout", namespace="shop", status_code="500"}}'
                values: '0+10x40'
              - series: 'http_requests_total{{service="checkout", namespace="shop", status_code="200"}}'
                values: '0+90x40'
            alert_rule_test:
              - eval_time: 4m
                alertname: HighErrorRate
                exp_alerts: []
              - eval_time: 15m
                alertname: HighErrorRate
                exp_alerts:
                  - exp_labels: {{severity: critical, service: checkout, team: platform, namespace: shop}}
                    exp_annotations: {annotations!r}
          - interval: 1m
            input_series:
              - series: 'http_requests_total{{service="checkout", namespace="shop", status_code="500"}}'
                values: '0+1x40'
              - series: 'http_requests_total{{service="checkout", namespace="shop", status_code="200"}}'
                values: '0+99x40'
            alert_rule_test:
              - eval_time: 30m
                alertname: HighErrorRate
                exp_alerts: []
        """).replace("'summary'", "summary").replace("'description'", "description")
        .replace("'runbook_url'", "runbook_url"))
    result = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_amtool
def test_alertmanager_config_passes_amtool(reference_build):
    config = reference_build / "alertmanager" / "alertmanager.yml"
    result = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    text = config.read_text()
    assert "routing_key_file: /etc/alertmanager/secrets/PAGERDUTY_INTEGRATION_KEY" in text
    assert (reference_build / "alertmanager" / "templates" / "platform.tmpl").is_file()


def test_runbook_per_alert(reference_build):
    runbooks = sorted((reference_build / "runbooks").rglob("*.md"))
    assert len(runbooks) == 17  # 12 golden-signal alerts, 4 SLO burn-rate alerts, 1 written with grafanalib
    assert [p.name for p in runbooks if " " in p.name or "(" in p.name] == []
    assert (reference_build / "runbooks" / "slo" / "slo-checkout" / "CheckoutAvailabilityBudgetBurn-page.md").is_file()
    checkout = reference_build / "runbooks" / "services" / "checkout" / "checkout-golden-signals"
    text = (checkout / "HighErrorRate.md").read_text()
    assert "# HighErrorRate" in text and "**Severity:** critical" in text
    assert "> 0.05" in text and "/d/checkout-golden-signals?viewPanel=" in text
    assert "1. Check the service's Logs row" in text


def test_secrets_never_reach_build_output(reference_build):
    for path in reference_build.rglob("*"):
        if path.is_file():
            assert "very-secret" not in path.read_text(), path
    point = (reference_build / "alerts" / "contact-points" / "slack-alerts.json").read_text()
    assert '"$secret_env": "SLACK_WEBHOOK_URL"' in point


def test_unknown_contact_point_in_policy_fails_the_build(project, dashkit):
    project.write("alerts/routing.py", textwrap.dedent("""\
        from dashkit.builders import email, notification_policy, route
        contact_points = [email("mail", ["a@example.com"])]
        notification_policy = notification_policy("mail", routes=[route("pagerduty", matchers={"a": "b"})])
        """))
    result = dashkit("build")
    assert result.code == 3 and "routes to contact point 'pagerduty'" in result.err


def test_bad_duration_in_an_alert_fails_the_build_at_its_line(project, dashkit):
    project.write("alerts/rules.py", textwrap.dedent("""\
        from dashkit.builders import alert_rule, rule_group
        rule_group = rule_group("g", [
            alert_rule("X", "up == 0", threshold=0, summary="down", pending="five minutes"),
        ])
        """))
    result = dashkit("build")
    assert result.code == 3 and "alerts/rules.py:3" in result.err and "pending 'five minutes'" in result.err
