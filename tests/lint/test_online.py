"""`dashkit lint --prometheus URL` against a real Prometheus: typos in metrics, labels and values are found,
what exists and what Grafana's variables stand for is not, and an unreachable Prometheus is a clear error."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
import requests

from dashkit.errors import ExitCode, GrafanaError
from dashkit.lint.model import DocKind, Document, Severity
from dashkit.lint.online import check_against_prometheus

from .prometheus_fixture import free_port, require_prometheus, running_prometheus

EXPR = "panels[0].targets[0].expr"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory):
    require_prometheus()
    with running_prometheus(tmp_path_factory.mktemp("prometheus")) as url:
        yield url


def dashboard(*exprs: str) -> Document:
    panels = [{"id": i, "type": "timeseries", "title": f"P{i}", "datasource": {"type": "prometheus", "uid": "p"},
               "targets": [{"refId": "A", "expr": expr}]} for i, expr in enumerate(exprs, 1)]
    return Document(DocKind.DASHBOARD, {"title": "X", "uid": "x", "panels": panels}, "x.json", label="X")


def rules_file(*exprs: str) -> Document:
    rules = [{"alert": f"A{i}", "expr": expr, "for": "5m"} for i, expr in enumerate(exprs)]
    return Document(DocKind.PROMETHEUS_RULES, {"groups": [{"name": "api", "rules": rules}]}, "rules.yaml",
                    label="api")


def lint(prometheus: str, *docs: Document) -> list[tuple[str, str, str]]:
    return [(f.code, f.location, f.message) for f in check_against_prometheus(list(docs), prometheus)]


class CountingSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        self.paths.append(urlsplit(url).path)
        return super().request(method, url, *args, **kwargs)


def test_queries_over_existing_metrics_labels_and_values_pass(prometheus):
    panels = dashboard(
        'sum by (status_code) (rate(http_requests_total{job="api", instance="a:80"}[$__rate_interval]))',
        'sum(rate(http_requests_total{job=~"api|web", status_code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
        'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[5m])))',
        'node_memory_MemAvailable_bytes{instance!="n9"}',
        'job:http_requests:rate5m{job="api"}',
        'http_requests_total{job=~".*", team=""}',  # team="" selects series without a team: deliberate
    )
    rules = rules_file('sum(rate(http_requests_total{job="api",status_code="500"}[5m])) > 1',
                       '{__name__="node_memory_MemAvailable_bytes", instance="n1"} < 1e9')
    assert lint(prometheus, panels, rules) == []


def test_a_misspelt_metric_is_one_dk140_naming_it_and_where_it_is(prometheus):
    findings = check_against_prometheus([dashboard('sum(rate(http_request_total{job="api"}[5m]))')], prometheus)
    assert [(f.code, f.rule, f.severity, f.path, f.location, f.label) for f in findings] == [
        ("DK140", "unknown-metric", Severity.WARNING, "x.json", EXPR, "X")]
    assert "'http_request_total'" in findings[0].message
    assert "did you mean 'http_requests_total'?" in findings[0].message


def test_a_missing_recording_rule_is_reported_as_possibly_not_evaluated_here(prometheus):
    [(code, _, message)] = lint(prometheus, rules_file("job:http_errors:rate5m > 1"))
    assert code == "DK140"
    assert "'job:http_errors:rate5m'" in message and "a recording rule?" in message


def test_a_misspelt_label_is_dk141(prometheus):
    assert lint(prometheus, dashboard('http_requests_total{jbo="api"}')) == [
        ("DK141", EXPR, "label 'jbo' never appears on 'http_requests_total' in the last 24h; did you mean 'job'?")]


def test_a_value_the_label_never_takes_is_dk141(prometheus):
    assert lint(prometheus, dashboard('sum(rate(http_requests_total{job="apii"}[5m]))')) == [
        ("DK141", EXPR, "'http_requests_total' never has job=\"apii\" in the last 24h; did you mean \"api\"?")]


def test_a_regex_that_matches_no_value_is_dk141(prometheus):
    [(code, _, message)] = lint(prometheus, dashboard('http_requests_total{status_code=~"4.."}'))
    assert code == "DK141"
    assert '=~"4.."' in message and '"200", "500"' in message


def test_findings_in_a_rule_file_point_at_the_rule(prometheus):
    findings = lint(prometheus, rules_file('up > 0', 'http_requests_total{job="api", status="500"} > 1'))
    assert [(code, where) for code, where, _ in findings] == [("DK140", "groups[0].rules[0].expr"),
                                                               ("DK141", "groups[0].rules[1].expr")]


def test_grafana_variables_are_never_reported(prometheus):
    assert lint(prometheus, dashboard(
        'sum(rate(http_requests_total{job=~"$job", instance=~"${instance:regex}"}[$__rate_interval]))',
        'http_requests_total{job="$job", status_code="[[code]]"}',
        'rate(${counter}[5m])',
        'rate(http_${kind}_total{job=~"$job"}[5m])',
    )) == []


def test_each_metric_and_label_is_asked_for_once_per_run(prometheus):
    session = CountingSession()
    docs = [dashboard(*['sum(rate(http_requests_total{job="api"}[5m]))'] * 10), rules_file(
        'http_requests_total{job="web"} > 1', 'http_request_total > 1')]
    check_against_prometheus(docs, prometheus, session=session)
    assert sorted(session.paths) == ["/api/v1/label/__name__/values", "/api/v1/label/job/values", "/api/v1/labels"]


def test_an_unreachable_prometheus_is_an_exit_4_error_naming_the_url():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(GrafanaError) as raised:
        check_against_prometheus([dashboard("up")], url, timeout=2)
    assert raised.value.exit_code == ExitCode.GRAFANA
    assert raised.value.message == f"Prometheus at {url} cannot be reached"
    assert "--prometheus" in raised.value.hint


def test_a_prometheus_that_does_not_answer_in_time_is_an_exit_4_error():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts connections, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(GrafanaError, match=r"did not answer within 0\.2s") as raised:
            check_against_prometheus([dashboard("up")], url, timeout=0.2)
    assert raised.value.exit_code == ExitCode.GRAFANA


def test_a_url_that_is_not_the_prometheus_api_is_an_exit_4_error(prometheus):
    with pytest.raises(GrafanaError, match="HTTP 404") as raised:
        check_against_prometheus([dashboard("up")], f"{prometheus}/grafana")
    assert raised.value.exit_code == ExitCode.GRAFANA
    assert "base URL" in raised.value.hint


def test_documents_without_promql_ask_nothing():
    session = CountingSession()
    assert check_against_prometheus([dashboard()], "http://127.0.0.1:1", session=session) == []
    assert session.paths == []


def test_the_cli_checks_the_project_against_prometheus(prometheus, project, dashkit):
    project.write("dashboards/api.py", (
        "dashboard = {'title': 'API', 'editable': False, 'panels': [{'id': 1, 'type': 'timeseries',\n"
        "    'title': 'Requests', 'description': 'd', 'datasource': '@prometheus',\n"
        "    'gridPos': {'h': 8, 'w': 24, 'x': 0, 'y': 0}, 'fieldConfig': {'defaults': {'unit': 'reqps'}},\n"
        "    'targets': [{'refId': 'A', 'expr': 'sum(rate(http_request_total{job=\"api\"}[$__rate_interval]))'}]}]}\n"
    ))
    result = dashkit("lint", "--prometheus", prometheus, "--select", "DK14")
    assert result.code == 0  # warnings
    assert "dashboards/api.py: panels[0].targets[0].expr [API] DK140 warning: metric 'http_request_total'" in result.out
