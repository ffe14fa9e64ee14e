"""GrafanaClient against the emulator: retries, Retry-After, proxy pages, paging, lost writes."""


import pytest

from conftest import TOKEN, OneAnswer, serving
from dashkit.client import GrafanaClient, RetryPolicy
from dashkit.config import Credentials
from dashkit.errors import AuthError, GrafanaError, GrafanaUnreachable, ResponseLost

FAST = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.02)


def _client(url, log=None, **kw):
    return GrafanaClient(url, Credentials(token=TOKEN), log=log, **kw)


def test_429_is_retried_after_the_time_grafana_asks(grafana):
    grafana.faults(rate=1.0, kinds=["429"], retry_after=1, count=1, methods=["GET"])
    lines = []
    with _client(grafana.url, log=lines.append) as client:
        assert client.get("/api/search").status == 200
    assert any("retry 1/5 in 1.00 s (Retry-After)" in line for line in lines)
    assert grafana.stats()["requests"] == 2


@pytest.mark.parametrize(("kind", "shown"), [("502", "502 Bad Gateway"), ("503", "Grafana"),
                                            ("504", "504 Gateway Time-out")])
def test_proxy_html_pages_give_a_short_message(grafana, kind, shown):
    grafana.faults(rate=1.0, kinds=[kind], methods=["GET"])
    with _client(grafana.url, retry=FAST) as client, pytest.raises(GrafanaError) as info:
        client.get("/api/search")
    assert f"HTTP {kind}" in info.value.message and shown in info.value.message
    assert "<" not in info.value.message
    assert grafana.stats()["requests"] == 3


def test_dropped_connections_on_reads_are_retried(grafana):
    grafana.faults(rate=1.0, kinds=["drop"], count=2, methods=["GET"])
    with _client(grafana.url, retry=FAST) as client:
        assert client.get("/api/search").status == 200


def test_lost_answer_to_a_post_is_not_retried_blindly(grafana):
    grafana.faults(rate=1.0, kinds=["drop_after"], count=1, methods=["POST"])
    with _client(grafana.url, retry=FAST) as client, pytest.raises(ResponseLost):
        client.request("POST", "/api/folders", json={"uid": "f1", "title": "F1"})
    assert grafana.writes() == 1  # applied once, and not sent a second time


def test_search_reads_every_page(grafana):
    for i in range(5):
        grafana.save_as_admin({"title": f"D{i}", "uid": f"d{i}", "panels": []})
    with _client(grafana.url, search_page_size=2) as client:
        hits = client.search({"type": "dash-db"})
    assert [h["uid"] for h in hits] == ["d0", "d1", "d2", "d3", "d4"]
    assert grafana.stats()["by_route"]["GET /api/search"] == 3


def test_wrong_token_is_an_auth_error_without_the_token(grafana):
    client = GrafanaClient(grafana.url, Credentials(token="glsa_not_valid_at_all"), auth_hint="check $X")
    with client, pytest.raises(AuthError) as info:
        client.get("/api/search")
    assert "401" in info.value.message and "Invalid API key" in info.value.message
    assert "glsa_not_valid_at_all" not in info.value.message
    assert info.value.hint == "check $X"


def test_viewer_gets_a_permission_error(grafana):
    client = GrafanaClient(grafana.url, Credentials(user="viewer", password="viewer"))
    with client, pytest.raises(AuthError) as info:
        client.request("POST", "/api/folders", json={"title": "x"})
    assert "403" in info.value.message and "folders:create" in info.value.message


def test_unreachable_host():
    with _client("http://127.0.0.1:9", retry=FAST) as client, pytest.raises(GrafanaUnreachable) as info:
        client.get("/api/health")
    assert "connection refused" in info.value.message


class _LoginPage(OneAnswer):
    def answer(self):  # a proxy's single-sign-on page, answering 200 to everything
        return 200, "text/html", b"<html><head><title>Sign in - Corp SSO</title></head><body>...</body></html>"


@pytest.fixture
def login_page():
    with serving(_LoginPage) as url:
        yield url


def test_non_json_page_with_200_is_an_error(login_page):
    with _client(login_page) as client, pytest.raises(GrafanaError) as info:
        client.get("/api/search")
    assert "expected JSON from Grafana, got text/html (Sign in - Corp SSO)" in info.value.message


def test_diff_against_a_login_page_exits_4(login_page, project, dashkit):
    project.config(url=login_page)
    project.dashboard("dashboards/a.py", "A")
    result = dashkit("diff", "--env", "local")
    assert result.code == 4 and "expected JSON" in result.err and "Traceback" not in result.text
