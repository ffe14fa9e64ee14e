"""A team's grafanalib AlertGroup in alerts/, through the CLI and real HTTP to the emulator: synced as a provisioning
rule group (datasource mapped, `for` kept), quiet on a re-sync, pruned when removed, and linted like dashkit's own."""

import json

from conftest import ALL_PROFILES

GRAFANA_PROFILES = ALL_PROFILES  # every test runs against Grafana 11, 12 and 13

API = "/api/v1/provisioning"
GROUP = """\
from grafanalib.core import (ALERTRULE_STATE_DATA_NODATA, EXP_REDUCER_FUNC_LAST, EXP_TYPE_MATH, EXP_TYPE_REDUCE,
                             AlertExpression, AlertGroup, AlertRulev9, Target)

alert_group = AlertGroup(name="checkout-availability", evaluateInterval="1m", rules=[AlertRulev9(
    title="CheckoutAvailabilityLow",
    triggers=[
        Target(refId="A", datasource="@prometheus", instant=True,
               expr='sum(rate(http_requests_total{status_code!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'),
        AlertExpression(refId="B", expression="A", expressionType=EXP_TYPE_REDUCE,
                        reduceFunction=EXP_REDUCER_FUNC_LAST),
        AlertExpression(refId="C", expression="$B < THRESHOLD", expressionType=EXP_TYPE_MATH),
    ],
    condition="C", evaluateFor="10m", noDataAlertState=ALERTRULE_STATE_DATA_NODATA,
    labels={"severity": "warning", "service": "checkout"},
    annotations={"summary": "Checkout availability under 99%", "runbook_url": "https://runbooks.example.com/c"},
)])
"""


def _rules(grafana) -> list[dict]:
    return grafana.admin.get(f"{grafana.url}{API}/alert-rules", timeout=5).json()


def _folder_title(grafana, uid: str) -> str:
    return grafana.admin.get(f"{grafana.url}/api/folders/{uid}", timeout=5).json()["title"]


def test_a_grafanalib_alert_group_syncs_quietly_and_is_pruned(grafana, project, dashkit):
    project.write("alerts/checkout/availability.py", GROUP.replace("THRESHOLD", "0.99"))
    first = dashkit("sync", "--env", "local", "--yes")
    assert first.code == 0, first.text
    assert "+ alert_rule_group checkout/checkout-availability" in first.out
    (rule,) = _rules(grafana)
    assert (rule["title"], rule["ruleGroup"]) == ("CheckoutAvailabilityLow", "checkout-availability")
    assert rule["for"] == "10m"
    assert _folder_title(grafana, rule["folderUID"]) == "checkout"  # the module's folder, as for dashkit's own groups
    query, reduce, math = rule["data"]
    assert query["datasourceUid"] == "prom-local" and query["model"]["datasource"]["uid"] == "prom-local"
    assert query["relativeTimeRange"] == {"from": 300, "to": 0}
    assert [reduce["datasourceUid"], math["datasourceUid"]] == ["__expr__", "__expr__"]
    assert math["model"]["expression"] == "$B < 0.99" and rule["condition"] == "C"
    assert rule["noDataState"] == "NoData" and rule["labels"] == {"severity": "warning", "service": "checkout"}

    grafana.reset_stats()
    second = dashkit("sync", "--env", "local", "--yes")
    assert second.code == 0 and "No changes" in second.out, second.out
    assert grafana.writes() == 0

    project.write("alerts/checkout/availability.py", GROUP.replace("THRESHOLD", "0.995"))
    diff = dashkit("diff", "--env", "local")
    assert "~ alert_rule_group checkout/checkout-availability" in diff.out
    assert "rule 'CheckoutAvailabilityLow' > query C: model.expression" in diff.out
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.writes() == 1
    (rule,) = _rules(grafana)
    assert rule["data"][2]["model"]["expression"] == "$B < 0.995"

    project.remove("alerts/checkout/availability.py")
    project.write("alerts/other.py", "from dashkit.builders import alert_rule, rule_group\n"
                                     "rule_group = rule_group('other', [alert_rule('Other', 'sum(up)', threshold=1, "
                                     "summary='s')])\n")
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0, pruned.text
    assert "- alert_rule_group checkout/checkout-availability" in pruned.out
    assert [r["title"] for r in _rules(grafana)] == ["Other"]


def test_a_grafanalib_group_is_linted_like_dashkits_own(grafana, project, dashkit):
    project.write("alerts/checkout/availability.py", GROUP.replace("THRESHOLD", "0.99").replace(
        '[5m]))\'', '[5m])\'').replace('"severity": "warning", ', "").replace(
        '"summary": "Checkout availability under 99%", ', ""))
    result = dashkit("lint", "--format", "json")
    findings = [(f["code"], f["location"]) for f in json.loads(result.out)["findings"]
                if f["file"] == "alerts/checkout/availability.py"]
    assert sorted(findings) == [("DK201", "rules[0].data[0].model.expr"), ("DK202", "rules[0].annotations"),
                                ("DK204", "rules[0].labels")]
    assert result.code == 1


def test_a_group_grafana_would_refuse_stops_the_build_naming_its_file(grafana, project, dashkit):
    project.write("alerts/checkout/availability.py", GROUP.replace("THRESHOLD", "0.99").replace(
        'condition="C"', 'condition="D"'))
    result = dashkit("build")
    assert result.code == 3
    assert "alerts/checkout/availability.py: alert 'CheckoutAvailabilityLow': condition 'D' names no query" \
        in result.err

    project.write("alerts/checkout/availability.py", GROUP.replace("THRESHOLD", "0.99").replace(
        "alert_group = AlertGroup", "rule_groups = [AlertGroup").replace(")])\n", ")])]\n"))
    result = dashkit("build")
    assert result.code == 3 and "export grafanalib AlertGroups as `alert_groups`" in result.err
