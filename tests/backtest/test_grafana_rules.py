"""Grafana rules beyond the reference project's, replayed over the same history: two queries joined by a math
expression fire exactly when one ratio query does; a range query reduced by its mean (replayed in PromQL as a
subquery) fires later and resolves later; a query without data follows noDataState."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dashkit.backtest.times import rfc3339

from .conftest import alerts, backtest, over
from .history import History

RULES = '''
from dashkit.builders import alert_rule, math_expression, prometheus_query, reduce_expression, rule_group
from dashkit.builders import threshold_expression
from dashkit.builders.alerts import AlertQuery

ERRORS = 'sum by (namespace) (rate(http_requests_total{service="checkout", status_code=~"5.."}[5m]))'
TOTAL = 'sum by (namespace) (rate(http_requests_total{service="checkout"}[5m]))'
RANGE = AlertQuery("A", "@prometheus", {"expr": f"{ERRORS} / {TOTAL}", "instant": False, "range": True,
                                        "datasource": {"type": "prometheus", "uid": "@prometheus"}}, lookback=600)

rule_groups = [rule_group("checkout", [
    alert_rule("Ratio", expr=f"{ERRORS} / {TOTAL}", threshold=0.05, pending="5m", summary="ratio"),
    alert_rule("TwoQueries", queries=[prometheus_query("A", ERRORS), prometheus_query("B", TOTAL),
                                      math_expression("C", "$A / $B > 0.05")],
               condition="C", pending="5m", summary="two queries"),
    alert_rule("MeanOver10m", queries=[RANGE, reduce_expression("B", "A", "mean"),
                                       threshold_expression("C", "B", ">", 0.05)],
               condition="C", pending="5m", summary="mean"),
    alert_rule("Missing", expr="sum(nothing_like_this_total)", threshold=1, pending="5m", no_data="Alerting",
               summary="no data alerts"),
    alert_rule("MissingOK", expr="sum(nothing_like_this_total)", threshold=1, no_data="OK", summary="quiet"),
])]
'''


@pytest.fixture(scope="module")
def replayed(history: History, tmp_path_factory) -> dict[str, dict]:
    project = tmp_path_factory.mktemp("project")
    (project / "dashkit.yaml").write_text(textwrap.dedent("""\
        owner: team-a
        environments:
          local: {url: "http://127.0.0.1:9", token_env: DASHKIT_TEST_TOKEN, datasources: {prometheus: {uid: p}}}
        """))
    (project / "alerts").mkdir()
    (project / "alerts" / "checkout.py").write_text(RULES)
    return {a["alert"]: a for a in alerts(backtest(*over(history), "--format", "json", project=Path(project)))}


def test_two_queries_joined_by_math_fire_exactly_as_their_ratio_does(replayed):
    assert replayed["Ratio"]["pages"] == 1
    assert replayed["TwoQueries"]["firing"] == replayed["Ratio"]["firing"]
    assert replayed["TwoQueries"]["labels"]["namespace"] == "shop"


def test_a_range_query_reduced_by_its_mean_fires_later_and_longer(replayed):
    [mean], [instant] = replayed["MeanOver10m"]["firing"], replayed["Ratio"]["firing"]
    assert mean["start"] > instant["start"] and mean["end"] > instant["end"]


def test_a_query_without_data_follows_no_data_state(replayed, history):
    missing = replayed["Missing"]
    # Alerting on no data, pending since before the range: firing all along, not a page within it
    assert missing["pages"] == 0 and missing["firing"] == [{"start": rfc3339(history.start), "end": None}]
    assert missing["labels"] == {"datasource_uid": "@prometheus", "ref_id": "A", "severity": "warning"}
    assert replayed["MissingOK"]["firing"] == []
