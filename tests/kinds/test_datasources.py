"""Datasources the project manages, through the emulator over HTTP on Grafana 11, 12 and 13: defined in datasources/
modules and per environment in dashkit.yaml, created once and then left alone, `@name` in dashboards resolving to
them without asking Grafana, secrets that never show anywhere, drift, provisioned and foreign datasources left alone,
prune limited to this project's own."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import ALL_PROFILES, TOKEN, SecondProject
from dashkit.client import GrafanaClient
from dashkit.config import Credentials
from dashkit.errors import GrafanaError
from dashkit.kinds.base import SyncContext, get_kind
from dashkit.model import Resource, ResourceRef

GRAFANA_PROFILES = ALL_PROFILES
LOKI_TOKEN = "loki-tenant-token-7f3a9c2e51"
ROTATED = "loki-tenant-token-rotated-0b8d44"
DIGEST_KEY = "digest-key-only-ci-holds-42"

LOGS = """\
      logs:
        type: loki
        name: Platform Loki
        url: http://loki.example:3100
        json_data: {maxLines: 2000, httpHeaderName1: X-Scope-OrgID}
        secrets: {httpHeaderValue1: LOKI_TOKEN}
"""
MODULE = """\
from dashkit.builders import prometheus, tempo

datasources = [
    prometheus("metrics", "http://prometheus.example:9090", time_interval="15s"),
    tempo("Platform Tempo", "http://tempo.example:3200", logical="traces",
          json_data={"tracesToLogsV2": {"datasourceUid": "@logs", "filterByTraceID": True}}),
]
"""
DASHBOARD = """\
from dashkit.builders import dashboard, logs, timeseries

dashboard = dashboard("Checkout", [
    timeseries("Requests", "Requests per second.", "reqps", "sum(rate(http_requests_total[5m]))",
               datasource="metrics"),
    logs("Logs", "Its logs.", '{app="checkout"}', datasource="logs"),
], uid="checkout")
"""


def _config(project, grafana, datasources: str = LOGS, extra: str = "") -> None:
    (project.root / "dashkit.yaml").write_text(textwrap.dedent(f"""\
        owner: team-a
        environments:
          local:
            url: {grafana.url}
            token_env: DASHKIT_TEST_TOKEN
        """) + extra + ("    datasources:\n" + datasources if datasources else ""))


@pytest.fixture
def managed(grafana, project, monkeypatch):
    """A project defining `metrics` and `traces` in datasources/ and `logs` (with a secret) in dashkit.yaml."""
    monkeypatch.setenv("LOKI_TOKEN", LOKI_TOKEN)
    _config(project, grafana)
    project.write("datasources/platform.py", MODULE)
    return project


def _get(grafana, uid: str) -> dict | None:
    reply = grafana.admin.get(f"{grafana.url}/api/datasources/uid/{uid}", timeout=5)
    return reply.json() if reply.status_code == 200 else None


def _by_name(grafana, name: str) -> dict:
    return grafana.admin.get(f"{grafana.url}/api/datasources/name/{name}", timeout=5).json()


def _ui_edit(grafana, uid: str, **change) -> None:
    ds = _get(grafana, uid)
    body = {k: ds[k] for k in ("name", "type", "access", "url", "isDefault", "jsonData", "version")}
    reply = grafana.admin.put(f"{grafana.url}/api/datasources/uid/{uid}", json={**body, **change}, timeout=5)
    assert reply.status_code == 200, reply.text


def test_defined_datasources_are_created_then_left_alone_and_one_change_is_one_write(grafana, managed, dashkit):
    first = dashkit("sync", "--env", "local", "--yes")
    assert first.code == 0, first.text
    for label in ("metrics", "Platform Tempo", "Platform Loki"):
        assert f"+ datasource {label}" in first.out
    metrics, logs, traces = _by_name(grafana, "metrics"), _by_name(grafana, "Platform Loki"), \
        _by_name(grafana, "Platform Tempo")
    assert metrics["jsonData"]["timeInterval"] == "15s" and metrics["jsonData"]["dashkitOwner"] == "team-a"
    assert logs["secureJsonFields"] == {"httpHeaderValue1": True} and logs["jsonData"]["maxLines"] == 2000
    assert traces["jsonData"]["tracesToLogsV2"]["datasourceUid"] == logs["uid"]  # `@logs` is the managed Loki
    assert metrics["uid"].startswith("metrics-") and logs["uid"].startswith("logs-")  # derived from owner + name

    grafana.reset_stats()
    second = dashkit("sync", "--env", "local", "--yes")
    assert second.code == 0 and "No changes" in second.out, second.out
    assert grafana.writes() == 0

    managed.write("datasources/platform.py", MODULE.replace('"15s"', '"30s"'))
    diff = dashkit("diff", "--env", "local")
    assert "~ datasource metrics" in diff.out and "jsonData.timeInterval" in diff.out, diff.out
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.writes() == 1 and _by_name(grafana, "metrics")["jsonData"]["timeInterval"] == "30s"
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


def test_dashboards_name_the_projects_datasources_without_a_lookup(grafana, managed, dashkit):
    managed.write("dashboards/checkout.py", DASHBOARD)
    grafana.reset_stats()
    diff = dashkit("diff", "--env", "local", "--format", "json")  # nothing exists yet: still resolves
    assert diff.code == 0, diff.text
    assert not [route for route in grafana.stats()["by_route"] if "/api/datasources/" in route]
    kinds = [c["kind"] for c in json.loads(diff.out)["changes"]]
    assert kinds.index("dashboard") > max(i for i, k in enumerate(kinds) if k == "datasource")

    assert dashkit("sync", "--env", "local", "--yes").code == 0
    panels = grafana.dashboard("checkout")["dashboard"]["panels"]
    assert panels[0]["datasource"] == {"type": "prometheus", "uid": _by_name(grafana, "metrics")["uid"]}
    assert panels[1]["datasource"]["uid"] == _by_name(grafana, "Platform Loki")["uid"]
    assert "No changes" in dashkit("diff", "--env", "local").out


def test_secrets_never_show_in_output_backups_plans_or_build(grafana, managed, dashkit, monkeypatch):
    _config(managed, grafana, extra="    secret_digest_key_env: DK_KEY\n")
    monkeypatch.setenv("DK_KEY", DIGEST_KEY)
    managed.write("datasources/platform.py", MODULE.replace(
        'time_interval="15s")', 'time_interval="15s", secrets={"basicAuthPassword": "PROM_PASSWORD"}, '
                                'basic_auth_user="grafana")'))
    monkeypatch.setenv("PROM_PASSWORD", "prom-password-9d1e77c0")
    outputs = [dashkit("sync", "--env", "local", "--yes", verbose=True),
               dashkit("build"), dashkit("diff", "--env", "local", "--format", "json", verbose=True)]
    assert outputs[0].code == 0, outputs[0].text
    _ui_edit(grafana, _by_name(grafana, "Platform Loki")["uid"], url="http://loki.elsewhere:3100")
    monkeypatch.setenv("LOKI_TOKEN", ROTATED)
    plan = str(managed.root / "plan.json")
    outputs.append(dashkit("diff", "--env", "local", "--out", plan, "--force", verbose=True))
    outputs.append(dashkit("sync", "--env", "local", "--yes", "--plan", plan, verbose=True))
    assert outputs[-1].code == 0, outputs[-1].text
    outputs.append(dashkit("sync", "--env", "local", "--yes", "--rotate-secrets", "--format", "json"))
    managed.remove("datasources/platform.py")
    outputs.append(dashkit("sync", "--env", "local", "--yes", "--prune", verbose=True))
    assert "- datasource metrics" in outputs[-1].out
    backups = list((managed.root / ".dashkit" / "backups").rglob("*.json"))
    assert any(p.parent.name == "datasource" for p in backups) and (managed.root / "plan.json").is_file()
    for result in outputs:
        for secret in (LOKI_TOKEN, ROTATED, "prom-password-9d1e77c0", DIGEST_KEY, TOKEN):
            assert secret not in result.text
    for path in managed.root.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="ignore")
            assert "loki-tenant-token" not in text and "prom-password" not in text and DIGEST_KEY not in text, path
    built = json.loads((managed.root / "build" / "datasources" / "metrics.json").read_text())
    assert built["secureJsonData"] == {"basicAuthPassword": {"$secret_env": "PROM_PASSWORD"}}


def test_with_a_digest_key_a_changed_secret_is_one_line_and_one_write(grafana, managed, dashkit, monkeypatch):
    _config(managed, grafana, extra="    secret_digest_key_env: DK_KEY\n")
    monkeypatch.setenv("DK_KEY", DIGEST_KEY)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    digest = _by_name(grafana, "Platform Loki")["jsonData"]["dashkitSecretDigest"]
    assert digest.startswith("hmac-sha256:") and "dashkitSecretDigest" not in _by_name(grafana, "metrics")["jsonData"]

    monkeypatch.setenv("LOKI_TOKEN", ROTATED)
    diff = dashkit("diff", "--env", "local")
    assert "~ datasource Platform Loki" in diff.out and "secret LOKI_TOKEN changed" in diff.out, diff.out
    assert digest.split(":")[1] not in diff.out
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.writes() == 1
    assert "No changes" in dashkit("sync", "--env", "local", "--yes").out


def test_without_a_digest_key_rotating_a_secret_is_explicit(grafana, managed, dashkit, monkeypatch):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert "dashkitSecretDigest" not in _by_name(grafana, "Platform Loki")["jsonData"]
    monkeypatch.setenv("LOKI_TOKEN", ROTATED)
    assert "No changes" in dashkit("diff", "--env", "local").out  # Grafana never shows a secret: nothing to compare
    diff = dashkit("diff", "--env", "local", "--rotate-secrets")
    assert "~ datasource Platform Loki" in diff.out and "re-sends secret LOKI_TOKEN (--rotate-secrets)" in diff.out
    assert "datasource metrics" not in diff.out  # no secrets, nothing to re-send
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes", "--rotate-secrets").code == 0
    assert grafana.writes() == 1


def test_a_missing_secret_stops_the_run_before_any_write_naming_the_key(grafana, managed, dashkit, monkeypatch):
    monkeypatch.delenv("LOKI_TOKEN")
    grafana.reset_stats()
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 2 and grafana.writes() == 0
    assert "LOKI_TOKEN" in result.err and "environments.local.datasources.logs.secrets.httpHeaderValue1" in result.err


def test_a_change_made_in_grafana_is_drift_until_force_which_backs_it_up(grafana, managed, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    uid = _by_name(grafana, "Platform Loki")["uid"]
    _ui_edit(grafana, uid, url="http://loki.elsewhere:3100")
    grafana.reset_stats()
    drifted = dashkit("sync", "--env", "local", "--yes")
    assert drifted.code == 5 and "! datasource Platform Loki" in drifted.out and grafana.writes() == 0
    assert "changed in Grafana since dashkit last wrote it" in drifted.out
    assert "url" in drifted.out and "http://loki.elsewhere:3100" in drifted.out
    forced = dashkit("sync", "--env", "local", "--yes", "--force")
    assert forced.code == 0 and _get(grafana, uid)["url"] == "http://loki.example:3100"
    (backup,) = (managed.root / ".dashkit" / "backups" / "local").rglob(f"datasource/{uid}.json")
    assert json.loads(backup.read_text())["url"] == "http://loki.elsewhere:3100"
    assert "No changes" in dashkit("diff", "--env", "local").out

    restored = dashkit("restore", str(backup), "--yes")  # puts the UI's version back, secrets kept as stored
    assert restored.code == 0 and "~ datasource Platform Loki" in restored.out, restored.text
    assert _get(grafana, uid)["url"] == "http://loki.elsewhere:3100"
    assert _get(grafana, uid)["secureJsonFields"] == {"httpHeaderValue1": True}
    after = dashkit("sync", "--env", "local", "--yes")  # not overwritten again without --force
    assert after.code == 5 and "restored from a backup by `dashkit restore`" in after.out, after.out


def test_a_provisioned_read_only_datasource_is_never_written(grafana, project, dashkit):
    _config(project, grafana, datasources="")
    project.write("datasources/prom.py", 'from dashkit.builders import prometheus\n'
                                         'datasources = [prometheus("Prometheus", "http://other:9090", '
                                         'uid="prom-local", logical="prometheus")]\n')
    for flags in ((), ("--force",), ("--prune", "--force")):
        grafana.reset_stats()
        result = dashkit("sync", "--env", "local", "--yes", *flags)
        assert result.code == 5 and grafana.writes() == 0, result.text
        assert "! datasource Prometheus" in result.out and "readOnly" in result.out
    assert _get(grafana, "prom-local")["url"] == "http://localhost:9090"


def test_a_name_another_datasource_holds_is_reported_not_taken(grafana, project, dashkit):
    _config(project, grafana, datasources="")
    project.write("datasources/logs.py", 'from dashkit.builders import loki\n'
                                         'datasources = [loki("Loki", "http://loki:3100", logical="logs")]\n')
    grafana.reset_stats()
    result = dashkit("sync", "--env", "local", "--yes", "--force")
    assert result.code == 5 and grafana.writes() == 0
    assert "the name 'Loki' is taken by datasource uid 'loki-local'" in result.out


def test_another_owners_datasource_is_left_alone_unless_forced(grafana, project, dashkit, tmp_path):
    (tmp_path / "other").mkdir()
    other = SecondProject(tmp_path / "other", grafana.url, owner="team-b")
    module = 'from dashkit.builders import prometheus\ndatasources = [prometheus("shared", "http://URL:9090", ' \
             'uid="shared-prom")]\n'
    other.project.write("datasources/shared.py", module.replace("URL", "theirs"))
    assert other("sync", "--env", "local", "--yes").code == 0
    project.write("datasources/shared.py", module.replace("URL", "ours"))
    grafana.reset_stats()
    result = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert result.code == 5 and grafana.writes() == 0
    assert "! datasource shared" in result.out and "owned by dashkit project 'team-b'" in result.out
    assert _get(grafana, "shared-prom")["url"] == "http://theirs:9090"


def test_an_unmarked_datasource_at_the_uid_is_adopted(grafana, project, dashkit):
    reply = grafana.admin.post(f"{grafana.url}/api/datasources", timeout=5, json={
        "uid": "made-by-hand", "name": "by-hand", "type": "prometheus", "access": "proxy", "url": "http://p:9090"})
    assert reply.status_code == 200, reply.text
    project.write("datasources/hand.py", 'from dashkit.builders import prometheus\ndatasources = '
                                         '[prometheus("by-hand", "http://p:9090", uid="made-by-hand")]\n')
    diff = dashkit("diff", "--env", "local")
    assert "~ datasource by-hand" in diff.out and "adopts it" in diff.out, diff.out
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert _get(grafana, "made-by-hand")["jsonData"]["dashkitOwner"] == "team-a"
    assert "No changes" in dashkit("diff", "--env", "local").out


def test_prune_deletes_only_this_projects_datasources(grafana, managed, dashkit, tmp_path):
    grafana.admin.post(f"{grafana.url}/api/datasources", timeout=5, json={
        "uid": "made-by-hand", "name": "by-hand", "type": "prometheus", "access": "proxy", "url": "http://p:9090"})
    (tmp_path / "other").mkdir()
    other = SecondProject(tmp_path / "other", grafana.url, owner="team-b")
    other.project.write("datasources/theirs.py", 'from dashkit.builders import loki\n'
                                                 'datasources = [loki("theirs", "http://l:3100")]\n')
    assert other("sync", "--env", "local", "--yes").code == 0
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    managed.remove("datasources/platform.py")
    kept = dashkit("sync", "--env", "local", "--yes")
    assert kept.code == 0 and _by_name(grafana, "metrics").get("uid")  # nothing is deleted without --prune
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0, pruned.text
    assert "- datasource metrics" in pruned.out and "- datasource Platform Tempo" in pruned.out
    names = {d["name"] for d in grafana.admin.get(f"{grafana.url}/api/datasources", timeout=5).json()}
    assert names == {"Platform Loki", "by-hand", "theirs", "Prometheus", "Loki", "Tempo"}


@pytest.mark.parametrize(("datasources", "words"), [
    (LOGS + "      loki: {name: Loki}\n", None),  # fine: another logical name
    (LOGS.replace("logs:", "metrics:"), "datasource '@metrics' is defined twice"),
    ("      metrics: {uid: prom-local}\n", "datasources.metrics (an existing datasource)"),
])
def test_a_logical_name_is_defined_once(grafana, managed, dashkit, datasources, words):
    _config(managed, grafana, datasources=datasources)
    result = dashkit("diff", "--env", "local")
    if words is None:
        assert result.code == 0, result.text
    else:
        assert result.code == 2 and words in result.err and "datasources/platform.py" in result.err, result.text


def test_a_config_mistake_names_the_key_before_anything_is_read(grafana, managed, dashkit):
    _config(managed, grafana, datasources=LOGS.replace("type: loki", "type: Loki Logs"))
    grafana.reset_stats()
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 2 and "environments.local.datasources.logs.type" in result.err
    assert grafana.stats()["requests"] == 0


def test_build_writes_module_datasources_byte_identically(managed, dashkit):
    assert dashkit("build").code == 0
    first = {p.name: p.read_bytes() for p in (managed.root / "build" / "datasources").iterdir()}
    assert sorted(first) == ["Platform Tempo.json", "metrics.json"]  # dashkit.yaml's are per environment
    assert dashkit("build").code == 0
    assert first == {p.name: p.read_bytes() for p in (managed.root / "build" / "datasources").iterdir()}
    assert json.loads(first["Platform Tempo.json"])["jsonData"]["tracesToLogsV2"]["datasourceUid"] == "@logs"


@pytest.mark.parametrize(("files", "words"), [
    ({"datasources/empty.py": "x = 1\n"}, "defines nothing dashkit reads: export one of `datasources`"),
    ({"datasources/raw.py": 'datasources = [{"type": "prometheus"}]\n'}, "datasources must hold prometheus(...)"),
    ({"datasources/a.py": 'from dashkit.builders import loki\ndatasources = [loki("logs", "http://a:3100")]\n',
      "datasources/b.py": 'from dashkit.builders import loki\n'
                          'datasources = [loki("Other", "http://b:3100", logical="logs", uid="other")]\n'},
     "datasource logical name 'logs' is also defined in datasources/a.py"),
    ({"datasources/a.py": 'from dashkit.builders import loki\ndatasources = [loki("logs", "http://a:3100", '
                          'max_lines=-1)]\n'}, "datasources/a.py:2"),
])
def test_a_broken_datasources_module_fails_the_build_naming_it(project, dashkit, files, words):
    for rel, text in files.items():
        project.write(rel, text)
    result = dashkit("build")
    assert result.code == 3 and words in result.err, result.text


def test_a_target_takes_the_environments_datasources_a_resource_needs(grafana, managed, dashkit):
    managed.write("dashboards/checkout.py", DASHBOARD)
    managed.write("dashboards/other.py", 'dashboard = {"title": "Other", "panels": []}\n')
    one = dashkit("diff", "--env", "local", "--target", "datasource/Platform Loki")
    assert one.code == 0 and "+ datasource Platform Loki" in one.out and "metrics" not in one.out, one.text
    board = dashkit("diff", "--env", "local", "--target", "dashboard/checkout")
    assert "+ dashboard Checkout" in board.out and "+ datasource Platform Loki" in board.out
    assert "+ datasource metrics" in board.out and "Platform Tempo" not in board.out and "Other" not in board.out
    nothing = dashkit("diff", "--env", "local", "--target", "datasource/nope")
    assert nothing.code == 2 and "matches no resource" in nothing.err


def test_a_write_over_someone_elses_is_a_conflict_not_an_overwrite(grafana, managed, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    uid = _by_name(grafana, "metrics")["uid"]
    kind = get_kind("datasource")
    with GrafanaClient(grafana.url, Credentials(token=TOKEN)) as client:
        ctx = SyncContext(client=client, owner="team-a", env="local", pool=None)
        live = kind.fetch_one(ResourceRef("datasource", uid), ctx)  # what a sync read...
        _ui_edit(grafana, uid, url="http://someone:9090")  # ...before someone saved it in the UI
        resource = Resource(kind="datasource", uid=uid, title="metrics", body={**live.body, "url": "http://mine:9090"})
        with pytest.raises(GrafanaError, match="changed in Grafana while dashkit was syncing"):
            kind.update(resource, live, ctx)
    assert _get(grafana, uid)["url"] == "http://someone:9090"
