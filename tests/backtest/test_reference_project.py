"""The reference project's alerts replayed over a real Prometheus holding known incidents: HighErrorRate pages once
for checkout's incident, after its `for`, and resolves after the incident ends; never for the quiet service; the SLO
burn-rate page fires for the budget-burning incident and not for the small one."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from dashkit.cli.main import main
from dashkit.cli.output import Console

from .conftest import REPO, alerts, backtest, over
from .history import History, counters, errors_per_minute

MINUTE = 60


def _seconds(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def _fired(items: list[dict], name: str, **labels: str) -> list[dict]:
    return [a for a in items if a["alert"] == name and all(a["labels"].get(k) == v for k, v in labels.items())]


@pytest.fixture(scope="module")
def replayed(history: History) -> list[dict]:
    return alerts(backtest(*over(history), "--format", "json"))


def test_high_error_rate_pages_once_for_checkout_after_its_for_and_resolves_after_the_incident(replayed, history):
    [alert] = _fired(replayed, "HighErrorRate", service="checkout")
    assert alert["labels"] == {"namespace": "shop", "service": "checkout", "severity": "critical", "team": "platform"}
    assert alert["pages"] == 1
    [interval] = alert["firing"]
    start, end = _seconds(interval["start"]), _seconds(interval["end"])
    begin, stop = history.incident
    assert begin + 5 * MINUTE <= start <= begin + 7 * MINUTE  # 5% of the 5m window, then `for: 5m`
    assert stop < end <= stop + 5 * MINUTE + MINUTE  # the 5m window empties of errors, within one interval
    assert alert["firing_seconds"] == end - start
    # exactly where the error ratio over the 5m window says (Prometheus 2's closed range) plus `for`
    good, bad = counters(errors_per_minute(history, "checkout"))
    ratio = [(bad[m] - bad[m - 5]) / (good[m] + bad[m] - good[m - 5] - bad[m - 5]) for m in range(5, len(bad))]
    above = [m + 5 for m, r in enumerate(ratio) if r > 0.05]
    assert start == history.start + (above[0] + 5) * MINUTE
    assert end == history.start + (above[-1] + 1) * MINUTE


def test_high_error_rate_never_fires_for_the_quiet_service(replayed):
    [payments] = _fired(replayed, "HighErrorRate", service="payments")
    assert payments["pages"] == 0 and payments["firing"] == [] and payments["firing_seconds"] == 0


def test_slo_page_fires_for_the_budget_burning_incident_and_not_for_the_small_one(replayed, history):
    [page] = _fired(replayed, "CheckoutAvailabilityBudgetBurn (page)")
    assert page["labels"]["sloth_severity"] == "page" and page["pages"] == 1
    [interval] = page["firing"]
    begin, stop = history.incident
    assert begin < _seconds(interval["start"]) < begin + 10 * MINUTE
    assert stop < _seconds(interval["end"]) < stop + 40 * MINUTE  # the 30m window's second chance, then quiet
    for name in ("CheckoutAvailabilityBudgetBurn (page)", "CheckoutAvailabilityBudgetBurn (ticket)",
                 "CheckoutAvailabilityLow", "HighErrorRate"):  # the small incident (0.8% for 10m) fires nothing
        for alert in _fired(replayed, name):
            assert all(_seconds(i["start"]) > begin for i in alert["firing"]), (name, alert)


def test_alerts_over_metrics_this_prometheus_lacks_say_so(history):
    result = backtest(*over(history), "--target", "alert_rule_group/*catalog*")
    assert result.code == 0, result.text
    assert 'HighErrorRate{service="catalog"}: 0 pages (no data)' not in result.out  # one rule: no label to tell apart
    assert "HighErrorRate: 0 pages (no data)" in result.out
    assert "Replayed 4 rules over" in result.out


def test_text_report_shows_pages_time_firing_and_intervals(history):
    result = backtest(*over(history), "--target", "alert_rule_group/services/checkout/*")
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    headline = next(line for line in lines if line.startswith("HighErrorRate"))
    assert headline.startswith('HighErrorRate{namespace="shop"}: 1 page, firing ')
    interval = lines[lines.index(headline) + 1]
    assert interval.startswith("  20") and " → 20" in interval
    assert lines[-1].startswith("Replayed 5 rules over ") and "2 alert series fired, 2 pages" in lines[-1]


def test_the_slo_rule_file_agrees_with_the_grafana_slo_alerts(replayed, history, tmp_path):
    """The SLO's Prometheus rules (recording rules inlined into the alerts) and its Grafana alerts (reading the
    recorded history) fire at the same times."""
    assert main(["-C", str(REPO), "build", "--out", str(tmp_path)], console=Console(out=io.StringIO())) == 0
    rules = tmp_path / "slo" / "prometheus" / "checkout.yml"
    from_file = alerts(backtest(str(rules), *over(history), "--format", "json", project=None))
    [page_file] = [a for a in from_file if a["alert"] == "CheckoutAvailabilityBudgetBurn"
                   and a["labels"]["sloth_severity"] == "page"]
    [page_grafana] = _fired(replayed, "CheckoutAvailabilityBudgetBurn (page)")
    assert page_file["firing"] == page_grafana["firing"] and page_file["pages"] == 1
    assert page_file["labels"] == {**page_grafana["labels"], "team": "platform"}  # a file's alerts add the SLO labels
