"""Contact points, templates, mute timings and the policy tree on every Grafana generation: through
/api/v1/provisioning on 11 and 12, through the notifications.alerting.grafana.app resources on 13. The same life
cycle, the same markers, the same ownership on each; through real HTTP to the emulator."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import TOKEN, Grafana, Project, Result, SecondProject
from dashkit.emulator import Emulator, EmulatorConfig

PROVISIONING = "/api/v1/provisioning"
NOTIFICATIONS = "/apis/notifications.alerting.grafana.app"
LEGACY_ROUTES = ("contact-points", "templates", "mute-timings", "policies")
HOOK = "https://hooks.slack.example/T000/B000/first-secret-value"

ALERTS = '''\
from dashkit.builders import (alert_rule, email, mute_timing, notification_policy, route, rule_group, slack,
                              template, webhook)

rule_group = rule_group("shared", [
    alert_rule("@TEAM@Errors", 'sum(rate(http_requests_total{team="@TEAM@"}[5m]))', threshold=1, summary="errors"),
], folder="alerting/shared")

contact_points = [
    slack("chat", webhook_url_env="CHAT_HOOK", channel="#@TEAM@"),
    webhook("oncall", url="https://hooks.example/@TEAM@"),
    email("team-@TEAM@", ["@TEAM@@example.com"]),
]
templates = [template("common", '{{ define "common.title" }}@TEAM@{{ end }}')]
mute_timings = [mute_timing("maint", weekdays=["@DAY@"], times=[("02:00", "04:00")])]
notification_policy = notification_policy("team-@TEAM@", group_by=["alertname"], repeat_interval="12h", routes=[
    route("team-@TEAM@", matchers={"team": "@TEAM@"}, mute_timings=["maint"]),
    route("chat", matchers=[("severity", "=~", "critical|warning")], continue_matching=True),
])
'''


class VersionedGrafana(Grafana):
    def __init__(self, emulator: Emulator, version: str) -> None:
        super().__init__(emulator)
        self.version = version

    @property
    def speaks_notifications(self) -> bool:
        """Grafana 13 serves a non-alpha notifications.alerting.grafana.app (12 only v0alpha1)."""
        return int(self.version.split(".")[0]) >= 13


@pytest.fixture(params=["11.6.0", "12.2.0", "13.0.0"])
def grafana(request):
    emulator = Emulator(EmulatorConfig(port=0, grafana_version=request.param, tokens={
        TOKEN: {"login": "sa-1-dashkit", "name": "dashkit", "role": "Admin", "org_id": 1}}))
    emulator.start()
    try:
        yield VersionedGrafana(emulator, request.param)
    finally:
        emulator.stop()


@pytest.fixture
def alerting(project, monkeypatch):
    monkeypatch.setenv("CHAT_HOOK", HOOK)
    _alerts(project, "a", "monday")
    return project


def _alerts(project: Project, team: str, day: str) -> None:
    project.write("alerts/team.py", ALERTS.replace("@TEAM@", team).replace("@DAY@", day))


def _get(grafana, path: str):
    return grafana.admin.get(grafana.url + PROVISIONING + path, timeout=5).json()


def _measured(grafana, run) -> tuple[Result, dict]:
    """Run one dashkit command; what it asked Grafana for (the test's own reads are not counted)."""
    grafana.reset_stats()
    result = run()
    return result, grafana.stats()


def _assert_api(grafana, stats: dict) -> None:
    """On 13 only the notifications resources were used for contact points, templates, mute timings and the tree;
    before 13 only the provisioning routes."""
    routes = stats["by_route"]
    legacy = sorted(r for r in routes if any(r.split(" ")[1].startswith(f"{PROVISIONING}/{name}")
                                             for name in LEGACY_ROUTES))
    app = sorted(r for r in routes if r.split(" ")[1].startswith(NOTIFICATIONS))
    if grafana.speaks_notifications:
        assert app and not legacy, routes
    else:
        assert legacy and not app, routes


def _secret(grafana, name: str) -> str:
    """The stored webhook URL of contact point `name`, as an Admin's decrypted export shows it."""
    export = grafana.admin.get(f"{grafana.url}{PROVISIONING}/contact-points/export",
                               params={"decrypt": "true", "format": "json"}, timeout=5).json()
    point = next(p for p in export["contactPoints"] if p["name"] == name)
    return point["receivers"][0]["settings"]["url"]


def _warnings(result: Result) -> list[str]:
    return [line for line in result.err.splitlines() if line.startswith("warning: Grafana marks")]


def _snapshot(grafana) -> dict:
    points = sorted(_get(grafana, "/contact-points"), key=lambda p: p["uid"])
    return {"points": points, "templates": _get(grafana, "/templates"), "timings": _get(grafana, "/mute-timings"),
            "policy": _get(grafana, "/policies")}


def test_the_life_cycle_is_the_same_on_every_api(grafana, alerting, dashkit, monkeypatch):
    first, stats = _measured(grafana, lambda: dashkit("sync", "--env", "local", "--yes"))
    assert first.code == 0, first.text
    _assert_api(grafana, stats)
    state = _snapshot(grafana)
    ours = [p for p in state["points"] if p["name"] in ("chat", "oncall", "team-a")]
    assert sorted(p["name"] for p in ours) == ["chat", "oncall", "team-a"]
    assert all(p["settings"]["dashkitOwner"] == "team-a" and p["provenance"] == "api" for p in ours)
    assert next(p for p in ours if p["name"] == "chat")["settings"]["url"] == "[REDACTED]"
    assert _secret(grafana, "chat") == HOOK
    templates = {t["name"]: t for t in state["templates"]}
    assert sorted(templates) == ["common", "dashkit.owner.mute_timing.maint", "dashkit.owner.notification_policy.root"]
    assert templates["common"]["template"].startswith("{{/* managed by dashkit: team-a */}}\n")
    assert [(m["name"], m["provenance"]) for m in state["timings"]] == [("maint", "api")]
    tree = state["policy"]
    assert tree["receiver"] == "team-a" and tree["group_by"] == ["alertname"] and tree["repeat_interval"] == "12h"
    assert [r["receiver"] for r in tree["routes"]] == ["team-a", "chat"]
    assert all(["__dashkit_owner__", "=~", "team-a|"] in r["object_matchers"] for r in tree["routes"])
    assert tree["routes"][0]["mute_time_intervals"] == ["maint"] and tree["routes"][1]["continue"] is True
    assert "provenance" not in tree  # a shared tree keeps the provenance it had: none, editable in the UI

    second, stats = _measured(grafana, lambda: dashkit("sync", "--env", "local", "--yes"))
    assert second.code == 0 and "No changes" in second.out, second.text
    assert stats["writes"] == 0
    _assert_api(grafana, stats)
    warnings = _warnings(second)
    if grafana.speaks_notifications:  # rules still go through the provisioning API: its warning, once
        assert len(warnings) == 1 and "/api/v1/provisioning/alert-rules" in warnings[0], second.err
        assert not any(name in warnings[0] for name in LEGACY_ROUTES), warnings
    else:
        assert warnings == []

    module = alerting.root / "alerts" / "team.py"
    module.write_text(module.read_text().replace('channel="#a"', 'channel="#a-alerts"'))
    assert "~ contact_point chat" in dashkit("diff", "--env", "local").out
    changed, stats = _measured(grafana, lambda: dashkit("sync", "--env", "local", "--yes"))
    assert changed.code == 0, changed.text
    assert stats["writes"] == 1
    chat = next(p for p in _get(grafana, "/contact-points") if p["name"] == "chat")
    assert chat["settings"]["recipient"] == "#a-alerts"
    assert _secret(grafana, "chat") == HOOK  # the stored secret was kept, not blanked
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0

    monkeypatch.setenv("CHAT_HOOK", HOOK.replace("first", "second"))
    rotated, stats = _measured(grafana, lambda: dashkit("sync", "--env", "local", "--yes", "--rotate-secrets"))
    assert rotated.code == 0 and stats["writes"] == 1, rotated.text
    assert _secret(grafana, "chat") == HOOK.replace("first", "second")  # a new secret value is written

    ui_point = {"name": "ui-made", "type": "email", "settings": {"addresses": "ui@example.com"}}
    assert grafana.admin.post(f"{grafana.url}{PROVISIONING}/contact-points", json=ui_point, timeout=5).ok
    module.write_text(module.read_text()
                      .replace('    webhook("oncall", url="https://hooks.example/a"),\n', "")
                      .replace("templates = [", "unused_templates = [")
                      .replace("mute_timings = [", "unused_mute_timings = [")
                      .replace(', mute_timings=["maint"]', ""))
    pruned, stats = _measured(grafana, lambda: dashkit("sync", "--env", "local", "--yes", "--prune"))
    assert pruned.code == 0, pruned.text
    _assert_api(grafana, stats)
    for label in ("contact_point oncall", "template common", "mute_timing maint"):
        assert f"- {label}" in pruned.out, label
    state = _snapshot(grafana)
    assert sorted(p["name"] for p in state["points"]) == ["chat", "grafana-default-email", "team-a", "ui-made"]
    assert [t["name"] for t in state["templates"]] == ["dashkit.owner.notification_policy.root"]
    assert state["timings"] == []
    assert [r["receiver"] for r in state["policy"]["routes"]] == ["team-a", "chat"]
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


def test_a_second_owner_with_the_same_names_is_left_alone(grafana, alerting, dashkit, tmp_path_factory):
    b = SecondProject(tmp_path_factory.mktemp("b"), grafana.url, "team-b")
    _alerts(b.project, "b", "friday")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    before = _snapshot(grafana)

    result, stats = _measured(grafana, lambda: b("sync", "--env", "local", "--yes"))
    assert result.code == 5, result.out + result.err
    _assert_api(grafana, stats)
    after = _snapshot(grafana)
    assert after["templates"] == before["templates"] and after["timings"] == before["timings"]
    for name, url in (("oncall", "https://hooks.example/a"), ("chat", "[REDACTED]")):
        points = [p for p in after["points"] if p["name"] == name]
        assert len(points) == 1 and points[0]["settings"]["url"] == url  # no second integration under A's name
    assert _secret(grafana, "chat") == HOOK
    assert after["policy"]["receiver"] == "team-a"  # A claimed the root
    assert [r["receiver"] for r in after["policy"]["routes"]] == ["team-a", "chat", "team-b", "chat"]
    for label in ("template common", "mute_timing maint", "contact_point oncall", "contact_point chat",
                  "notification_policy root"):
        assert f"! {label}" in result.out, label
    assert "owned by dashkit project 'team-a'" in result.out

    grafana.reset_stats()  # nothing flips back and forth
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert b("sync", "--env", "local", "--yes").code == 5
    assert grafana.writes() == 0

    b.project.remove("alerts/team.py")
    pruned, stats = _measured(grafana, lambda: b("sync", "--env", "local", "--yes", "--prune"))
    assert pruned.code == 0, pruned.out + pruned.err
    _assert_api(grafana, stats)
    final = _snapshot(grafana)
    assert final["templates"] == before["templates"] and final["timings"] == before["timings"]
    assert final["points"] == before["points"]
    assert [r["receiver"] for r in final["policy"]["routes"]] == ["team-a", "chat"]
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


def test_provenance_is_what_the_provisioning_api_would_write(grafana, alerting, dashkit):
    alerting.config(extra_env="    disable_provenance: true\n")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    state = _snapshot(grafana)
    ours = [p for p in state["points"] if p["settings"].get("dashkitOwner") == "team-a"]
    assert len(ours) == 3 and not any("provenance" in p for p in ours)
    assert not any("provenance" in t for t in state["templates"] + state["timings"])
    assert "provenance" not in state["policy"]


def test_an_owned_tree_is_written_with_provenance(grafana, alerting, dashkit):
    alerting.config(extra_env="    policy_tree: owned\n")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert _get(grafana, "/policies")["provenance"] == "api"
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


# ---- Grafana 13 only: what the app-platform objects keep -------------------------------------------------------

def _receiver_path(grafana, title: str) -> str:
    from dashkit.kinds.alerting_api import receiver_name

    return f"{grafana.url}{NOTIFICATIONS}/v1beta1/namespaces/default/receivers/{receiver_name(title)}"


@pytest.mark.parametrize("grafana", ["13.0.0"], indirect=True)
def test_annotations_other_tools_set_on_a_receiver_are_kept(grafana, alerting, dashkit):
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    receiver = grafana.admin.get(_receiver_path(grafana, "chat"), timeout=5).json()
    receiver["metadata"]["annotations"]["example.com/team"] = "a"
    receiver["metadata"]["labels"] = {"tier": "1"}
    reply = grafana.admin.put(_receiver_path(grafana, "chat"), json=receiver, timeout=5)
    assert reply.status_code == 200, reply.text

    module = alerting.root / "alerts" / "team.py"
    module.write_text(module.read_text().replace('channel="#a"', 'channel="#a-alerts"'))
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    stored = grafana.admin.get(_receiver_path(grafana, "chat"), timeout=5).json()
    assert stored["spec"]["integrations"][0]["settings"]["recipient"] == "#a-alerts"
    assert stored["metadata"]["annotations"]["example.com/team"] == "a"
    assert stored["metadata"]["labels"] == {"tier": "1"}
    assert stored["metadata"]["annotations"]["grafana.com/provenance"] == "api"


@pytest.mark.parametrize("grafana", ["13.0.0"], indirect=True)
def test_a_write_in_between_is_refused_and_named_not_retried(grafana):
    from dashkit.client import GrafanaClient
    from dashkit.config import Credentials
    from dashkit.errors import GrafanaError
    from dashkit.grafana_api import detect
    from dashkit.kinds.alerting_api import NotificationsApi
    from dashkit.kinds.base import SyncContext

    client = GrafanaClient(grafana.url, Credentials(token=TOKEN))
    with ThreadPoolExecutor(1) as pool:
        ctx = SyncContext(client=client, owner="team-a", env="local", pool=pool,
                          api=detect(client, "auto", "default"))
        api = NotificationsApi(ctx)
        tree = api.policy_tree()
        assert tree is not None and tree["receiver"] == "grafana-default-email"
        someone = {**tree, "group_by": ["alertname", "cluster"]}
        assert requests.put(f"{grafana.url}{PROVISIONING}/policies", json=someone, auth=("admin", "admin"),
                            timeout=5).status_code == 202
        grafana.reset_stats()
        with pytest.raises(GrafanaError, match="the notification policy tree was changed in Grafana while dashkit "
                                               "was syncing; not overwritten"):
            api.put_policy_tree({**tree, "repeat_interval": "1h"}, None)
        assert grafana.writes() == 0
        assert grafana.stats()["by_route"] == {f"PUT {NOTIFICATIONS}/{{version}}/namespaces/{{namespace}}/"
                                               "{resource}/{name}": 1}  # tried once, never blindly again
    client.close()
    assert _get(grafana, "/policies")["group_by"] == ["alertname", "cluster"]


# ---- the primitives themselves: one contract, both APIs ----------------------------------------------------------

@pytest.fixture
def primitives(grafana):
    from dashkit.client import GrafanaClient
    from dashkit.config import Credentials
    from dashkit.grafana_api import detect
    from dashkit.kinds.alerting_api import alerting_api
    from dashkit.kinds.base import SyncContext

    client = GrafanaClient(grafana.url, Credentials(token=TOKEN))
    with ThreadPoolExecutor(1) as pool:
        ctx = SyncContext(client=client, owner="team-a", env="local", pool=pool,
                          api=detect(client, "auto", "default"))
        yield alerting_api(ctx)
    client.close()


def _secrets_by_uid(grafana) -> dict[str, str]:
    export = grafana.admin.get(f"{grafana.url}{PROVISIONING}/contact-points/export",
                               params={"decrypt": "true", "format": "json"}, timeout=5).json()
    return {r["uid"]: r["settings"].get("url") for p in export["contactPoints"] for r in p["receivers"]}


def test_contact_points_of_one_name_keep_each_others_secrets(grafana, primitives):
    from dashkit.kinds.alerting_api import NotificationsApi

    assert isinstance(primitives, NotificationsApi) == grafana.speaks_notifications
    for uid, url in (("cp-one", "https://hooks.example/one"), ("cp-two", "https://hooks.example/two")):
        primitives.create_contact_point({"uid": uid, "name": "pair", "type": "slack", "disableResolveMessage": False,
                                         "settings": {"url": url, "recipient": f"#{uid}"}})
    pair = {p["uid"]: p for p in primitives.contact_points() if p["name"] == "pair"}
    assert sorted(pair) == ["cp-one", "cp-two"]
    assert pair["cp-one"]["settings"] == {"url": "[REDACTED]", "recipient": "#cp-one"}
    assert pair["cp-one"]["provenance"] == "api" and pair["cp-one"]["type"] == "slack"

    listed = pair["cp-one"]  # sent back as listed, one setting changed: "[REDACTED]" keeps the stored secret
    primitives.update_contact_point("cp-one", {**listed, "settings": {**listed["settings"], "recipient": "#uno"}})
    secrets = _secrets_by_uid(grafana)
    assert (secrets["cp-one"], secrets["cp-two"]) == ("https://hooks.example/one", "https://hooks.example/two")
    primitives.update_contact_point("cp-two", {**pair["cp-two"], "settings": {"url": "https://hooks.example/dos"}})
    assert _secrets_by_uid(grafana)["cp-two"] == "https://hooks.example/dos"  # a new value is written

    primitives.delete_contact_point("cp-one")
    primitives.delete_contact_point("cp-one")  # gone already: nothing to do
    pair = [p for p in primitives.contact_points() if p["name"] == "pair"]
    assert [(p["uid"], p["settings"]) for p in pair] == [("cp-two", {"url": "[REDACTED]"})]
    assert _secrets_by_uid(grafana)["cp-two"] == "https://hooks.example/dos"
    primitives.delete_contact_point("cp-two")
    assert not any(p["name"] == "pair" for p in primitives.contact_points())


def test_templates_mute_timings_and_the_tree_round_trip(grafana, primitives):
    from dashkit.kinds.notification_policy import normalize_route

    primitives.put_template("greeting", '{{ define "greeting" }}hello{{ end }}')
    primitives.put_template("greeting", '{{ define "greeting" }}hi{{ end }}')
    greeting = primitives.template("greeting")
    assert greeting is not None and greeting.pop("version")  # the provisioning API's version: the resourceVersion
    assert greeting == {"name": "greeting", "template": '{{ define "greeting" }}hi{{ end }}', "provenance": "api"}
    assert [t["name"] for t in primitives.templates()] == ["greeting"]
    primitives.delete_template("greeting")
    primitives.delete_template("greeting")
    assert primitives.template("greeting") is None and primitives.templates() == []

    nights = {"name": "nights", "time_intervals": [{"times": [{"start_time": "22:00", "end_time": "24:00"}],
                                                     "weekdays": ["monday:friday"], "location": "UTC"}]}
    primitives.create_mute_timing(nights)
    primitives.update_mute_timing("nights", {**nights, "time_intervals": [{"weekdays": ["saturday"]}]})
    stored = primitives.mute_timing("nights")
    assert stored is not None and stored["time_intervals"] == [{"weekdays": ["saturday"]}]
    assert [m["name"] for m in primitives.mute_timings()] == ["nights"]

    tree = primitives.policy_tree()
    assert tree is not None and tree["receiver"] == "grafana-default-email" and "provenance" not in tree
    wanted = {"receiver": "grafana-default-email", "group_by": ["alertname"], "group_wait": "30s",
              "routes": [{"receiver": "grafana-default-email", "object_matchers": [["team", "=", "x"]],
                          "continue": True, "repeat_interval": "1h", "routes": [
                              {"object_matchers": [["severity", "!~", "info|debug"]],
                               "mute_time_intervals": ["nights"], "group_by": ["service"]}]}]}
    primitives.put_policy_tree(wanted, "")  # a shared tree without provenance keeps none
    tree = primitives.policy_tree()
    assert normalize_route(tree) == normalize_route(wanted) and "provenance" not in tree
    primitives.put_policy_tree(tree, None)  # the environment's provenance: api
    assert primitives.policy_tree()["provenance"] == "api"

    primitives.put_policy_tree({**tree, "routes": []}, "api")
    primitives.delete_mute_timing("nights")
    primitives.delete_mute_timing("nights")
    assert primitives.mute_timings() == []
