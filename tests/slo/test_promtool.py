"""The generated SLO rules pass promtool, and the page alert fires when it should: a 2% error rate (burn rate 20
against a 99.9% objective) pages once the 1h window has burnt 14.4x (~44 minutes), and 0.05% never alerts."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is installed by scripts/test")


@pytest.fixture
def slo_rules(project, dashkit, tmp_path):
    shutil.copytree(REPO / "alerts" / "slo", project.root / "alerts" / "slo")
    result = dashkit("build")
    assert result.code == 0, result.text
    path = project.root / "build" / "slo" / "prometheus" / "checkout.yml"
    shutil.copy(path, tmp_path / "rules.yml")
    return tmp_path


def test_promtool_check_rules(slo_rules):
    result = subprocess.run(["promtool", "check", "rules", "rules.yml"], cwd=slo_rules, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 34 rules found" in result.stdout


STEP = 5  # minutes between samples and between rule evaluations (1m works too, five times slower)
CLEAN = 3 * 24 * 60 + 60  # minutes of error-free history: more than the longest (3d) alert window


def _series(errors_per_minute: float) -> list[dict]:
    """Three days without errors, then errors at the given rate among 1000 requests a minute, for two hours."""
    clean, errors = CLEAN // STEP, 120 // STEP
    return [
        {"series": 'http_requests_total{service="checkout", status_code="200"}',
         "values": f"0+{(1000 - errors_per_minute) * STEP:g}x{clean + errors}"},
        {"series": 'http_requests_total{service="checkout", status_code="500"}',
         "values": f"0x{clean - 1} 0+{errors_per_minute * STEP:g}x{errors}"},
    ]


PAGE = {
    "exp_labels": {
        "alertname": "CheckoutAvailabilityBudgetBurn", "category": "availability", "service": "checkout",
        "severity": "critical", "sloth_severity": "page", "sloth_id": "checkout-requests-availability",
        "sloth_service": "checkout", "sloth_slo": "requests-availability", "team": "platform",
    },
    "exp_annotations": {
        "summary": "Checkout is burning its availability error budget too fast",
        "title": "(page) checkout requests-availability SLO error budget burn rate is too fast.",
        "runbook_url": "https://runbooks.example.com/platform/slo/checkout-availability.md",
    },
}


def _check(eval_time: str, alerts: list) -> dict:
    return {"eval_time": eval_time, "alertname": "CheckoutAvailabilityBudgetBurn", "exp_alerts": alerts}


def test_page_alert_fires_within_the_expected_time_and_never_at_low_error_rates(slo_rules):
    tests = {"rule_files": ["rules.yml"], "evaluation_interval": f"{STEP}m", "tests": [
        # 2% errors: the 1h window passes 14.4 x 0.1% after ~43 minutes of errors
        {"interval": f"{STEP}m", "input_series": _series(20),
         "alert_rule_test": [_check(f"{CLEAN + 35}m", []), _check(f"{CLEAN + 50}m", [PAGE])]},
        # 0.05% errors: half the budget rate, nothing ever fires
        {"interval": f"{STEP}m", "input_series": _series(0.5),
         "alert_rule_test": [_check(f"{CLEAN + 50}m", []), _check(f"{CLEAN + 120}m", [])]},
    ]}
    (slo_rules / "test.yml").write_text(yaml.safe_dump(tests, sort_keys=False))
    result = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=slo_rules, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
