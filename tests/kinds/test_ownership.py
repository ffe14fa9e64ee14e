"""Two projects, two owners, one Grafana: what one syncs never changes what the other owns, for every kind.
Through real HTTP to the emulator."""

from __future__ import annotations

import textwrap

import pytest

from conftest import ALL_PROFILES, Project, SecondProject, run_cli

GRAFANA_PROFILES = ALL_PROFILES  # every test runs against Grafana 11, 12 and 13

API = "/api/v1/provisioning"

ALERTS = '''\
from dashkit.builders import (alert_rule, email, mute_timing, notification_policy, route, rule_group, template,
                              webhook)

rule_group = rule_group("shared", [
    alert_rule(f"@TEAM@Rule{i}", f'sum(rate(http_requests_total{{team="@TEAM@"}}[5m]))', threshold=i,
               summary=f"rule {i} of @TEAM@")
    for i in range(1, 4)
], folder="alerting/shared")

contact_points = [
    webhook("oncall", url="https://hooks.example/@TEAM@"),
    email("team-@TEAM@", ["@TEAM@@example.com"]),
]
templates = [template("common", '{{ define "common.title" }}@TEAM@{{ end }}')]
mute_timings = [mute_timing("maint", weekdays=["@DAY@"])]
notification_policy = notification_policy(routes=[route("team-@TEAM@", matchers={"team": "@TEAM@"})])
'''


def _alerts(project: Project, team: str, day: str) -> None:
    project.write("alerts/team.py", ALERTS.replace("@TEAM@", team).replace("@DAY@", day))


def _get(grafana, path):
    return grafana.admin.get(grafana.url + API + path, timeout=5).json()


def _snapshot(grafana) -> dict:
    """Everything alerting holds, minus timestamps."""
    rules = sorted(({k: v for k, v in r.items() if k not in ("updated", "id")} for r in _get(grafana, "/alert-rules")),
                   key=lambda r: r["uid"])
    return {"rules": rules, "points": sorted(_get(grafana, "/contact-points"), key=lambda p: p["uid"]),
            "templates": _get(grafana, "/templates"), "timings": _get(grafana, "/mute-timings"),
            "policy": _get(grafana, "/policies")}


@pytest.fixture
def two_projects(grafana, project, tmp_path_factory):
    """Project A (the `project` fixture, owner team-a) and project B (owner team-b), same alerting names."""
    b = SecondProject(tmp_path_factory.mktemp("b"), grafana.url, "team-b")
    _alerts(project, "a", "monday")
    _alerts(b.project, "b", "friday")
    return project, b


def test_a_second_owner_with_the_same_names_changes_nothing_of_the_first(grafana, two_projects, dashkit):
    _, b = two_projects
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    before = _snapshot(grafana)

    result = b("sync", "--env", "local", "--yes")
    assert result.code == 5, result.out + result.err  # something was left alone: CI notices
    after = _snapshot(grafana)
    for key in ("rules", "templates", "timings"):
        assert after[key] == before[key], key
    oncall = [p for p in after["points"] if p["name"] == "oncall"]
    assert len(oncall) == 1 and oncall[0]["settings"]["url"] == "https://hooks.example/a"  # no second integration
    routes = after["policy"]["routes"]
    assert [r["receiver"] for r in routes] == ["team-a", "team-b"]  # B added its own route, A's is still there
    for label in ("alert_rule_group alerting/shared/shared", "template common", "mute_timing maint",
                  "contact_point oncall"):
        assert f"! {label}" in result.out, label
    assert "owned by dashkit project 'team-a'" in result.out
    assert "adopts it" not in result.out
    assert "--adopt-owner team-a" in result.err

    grafana.reset_stats()  # nothing flips back and forth: a re-sync of either writes nothing
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert b("sync", "--env", "local", "--yes").code == 5
    assert grafana.writes() == 0

    b.project.remove("alerts/team.py")  # B gives up its definitions and prunes: only B's things go
    pruned = b("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0, pruned.out + pruned.err
    final = _snapshot(grafana)
    for key in ("rules", "templates", "timings"):
        assert final[key] == before[key], key
    assert {p["name"] for p in final["points"]} == {p["name"] for p in before["points"]}
    assert [r["receiver"] for r in final["policy"]["routes"]] == ["team-a"]
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0


def test_prune_of_one_owner_keeps_the_routes_of_others_and_of_the_ui(grafana, two_projects, dashkit):
    a, b = two_projects
    b.project.write("alerts/team.py", textwrap.dedent('''\
        from dashkit.builders import email, notification_policy, route
        contact_points = [email("team-b", ["b@example.com"])]
        notification_policy = notification_policy(routes=[route("team-b", matchers={"team": "b"})])
        '''))
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert b("sync", "--env", "local", "--yes").code == 0
    tree = _get(grafana, "/policies")
    ui_route = {"receiver": "grafana-default-email", "object_matchers": [["team", "=", "ui"]]}
    tree["routes"].insert(1, ui_route)  # someone adds a route in the UI, between A's and B's
    assert grafana.admin.put(grafana.url + API + "/policies", json=tree, timeout=5).status_code == 202

    a.write("alerts/team.py", (a.root / "alerts/team.py").read_text().replace(
        'matchers={"team": "a"}', 'matchers={"team": "a", "tier": "1"}'))
    diff = dashkit("diff", "--env", "local")
    assert "~ notification_policy routes of team-a" in diff.out and "team=b" not in diff.out
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.writes() == 1
    routes = _get(grafana, "/policies")["routes"]
    assert [r["receiver"] for r in routes] == ["team-a", "grafana-default-email", "team-b"]
    assert ["tier", "=", "1"] in routes[0]["object_matchers"]

    a.write("alerts/team.py", (a.root / "alerts/team.py").read_text().replace(
        "notification_policy = notification_policy(", "unused = notification_policy("))
    kept = dashkit("sync", "--env", "local", "--yes")  # without --prune nothing is removed
    header = kept.out.split("\n")[1]
    assert "--prune reads them)" in header and "notification_policy" in header  # what the plan did not read
    assert [r["receiver"] for r in _get(grafana, "/policies")["routes"]] == ["team-a", "grafana-default-email",
                                                                              "team-b"]
    assert "- notification_policy routes of team-a" in dashkit("diff", "--env", "local", "--prune").out
    assert dashkit("sync", "--env", "local", "--yes", "--prune").code == 0
    assert [r["receiver"] for r in _get(grafana, "/policies")["routes"]] == ["grafana-default-email", "team-b"]


def test_the_root_of_the_tree_is_left_alone_unless_declared_and_unclaimed(grafana, two_projects, dashkit):
    a, b = two_projects
    a.write("alerts/root.py", 'from dashkit.builders import notification_policy\n'
                              'notification_policy = notification_policy("team-a", group_by=["alertname"])\n')
    a.write("alerts/team.py", (a.root / "alerts/team.py").read_text().replace(
        "notification_policy = notification_policy(", "unused = notification_policy("))
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert _get(grafana, "/policies")["receiver"] == "team-a"
    b.project.write("alerts/root.py", 'from dashkit.builders import notification_policy\n'
                                      'notification_policy = notification_policy("team-b")\n')
    result = b("sync", "--env", "local", "--yes")
    assert result.code == 5 and "! notification_policy root" in result.out
    tree = _get(grafana, "/policies")
    assert tree["receiver"] == "team-a" and tree["group_by"] == ["alertname"]
    assert [r["receiver"] for r in tree["routes"]] == ["team-b"]  # B's routes went in all the same


def test_an_environment_may_own_the_whole_tree(grafana, two_projects, dashkit):
    a, b = two_projects
    assert b("sync", "--env", "local", "--yes").code == 0
    a.config(extra_env="    policy_tree: owned\n")
    diff = dashkit("diff", "--env", "local")
    assert "~ notification_policy routes of team-a" in diff.out and "team-b" in diff.out
    assert dashkit("sync", "--env", "local", "--yes").code == 5  # B's oncall, maint... stay B's
    assert [r["receiver"] for r in _get(grafana, "/policies")["routes"]] == ["team-a"]


def test_renaming_the_owner_is_explicit_and_keeps_every_uid(grafana, project, dashkit):
    _alerts(project, "a", "monday")
    project.dashboard("dashboards/svc/x.py", "X")
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    before = _snapshot(grafana)

    project.config(owner="team-renamed")
    grafana.reset_stats()
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0 and grafana.writes() == 0, result.out  # nothing duplicated, nothing re-created
    assert "match the code but carry the owner 'team-a'" in result.out
    assert "dashkit sync --adopt-owner team-a" in result.out
    assert len([p for p in _get(grafana, "/contact-points") if p["name"] == "oncall"]) == 1
    assert len(_get(grafana, "/policies")["routes"]) == 1

    module = project.root / "alerts/team.py"
    module.write_text(module.read_text().replace("threshold=i", "threshold=i * 2"))
    changed = dashkit("sync", "--env", "local", "--yes")
    assert changed.code == 5 and "owned by dashkit project 'team-a'" in changed.out
    assert "dashkit sync --adopt-owner team-a" in changed.err
    assert _snapshot(grafana)["rules"] == before["rules"]

    adopted = dashkit("sync", "--env", "local", "--yes", "--adopt-owner", "team-a")
    assert adopted.code == 0, adopted.out + adopted.err
    assert "takes it over from owner 'team-a'" in adopted.out
    after = _snapshot(grafana)
    assert [r["uid"] for r in after["rules"]] == [r["uid"] for r in before["rules"]]  # rules kept, not re-created
    assert after["rules"] != before["rules"]  # and changed as the code says
    assert {r["annotations"]["__dashkit_owner__"] for r in after["rules"]} == {"team-renamed"}
    assert [p["uid"] for p in after["points"]] == [p["uid"] for p in before["points"]]
    assert [r["receiver"] for r in after["policy"]["routes"]] == ["team-a"]
    assert grafana.dashboard("svc-x")["dashboard"]["dashkit"]["owner"] == "team-renamed"
    grafana.reset_stats()
    again = dashkit("sync", "--env", "local", "--yes")
    assert again.code == 0 and "No changes" in again.out, again.out
    assert grafana.writes() == 0


def test_a_ui_made_mute_timing_the_code_defines_is_adopted_then_owned(grafana, project, dashkit):
    reply = grafana.admin.post(grafana.url + API + "/mute-timings", timeout=5, headers={"X-Disable-Provenance": "1"},
                               json={"name": "maint", "time_intervals": [{"weekdays": ["monday"]}]})
    assert reply.status_code == 201, reply.text
    project.write("alerts/t.py", 'from dashkit.builders import mute_timing\n'
                                 'mute_timings = [mute_timing("maint", weekdays=["monday"])]\n')
    diff = dashkit("diff", "--env", "local")
    assert "~ mute_timing maint" in diff.out and "marks it as managed by dashkit" in diff.out
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.writes() == 1  # only the owner record: the content was already right
    project.remove("alerts/t.py")
    assert dashkit("sync", "--env", "local", "--yes", "--prune").code == 0
    assert _get(grafana, "/mute-timings") == []
    assert not any(t["name"].startswith("dashkit.owner.") for t in _get(grafana, "/templates"))


def test_a_group_delete_on_a_grafana_without_the_route_is_verified(tmp_path, monkeypatch):
    from conftest import TOKEN
    from dashkit.emulator import Emulator, EmulatorConfig

    emulator = Emulator(EmulatorConfig(port=0, grafana_version="10.4.0",
                                       tokens={TOKEN: {"login": "sa", "name": "dashkit", "role": "Admin"}}))
    emulator.start()
    try:
        monkeypatch.setenv("DASHKIT_TEST_TOKEN", TOKEN)
        project = Project(tmp_path, emulator.url)
        _alerts(project, "a", "monday")
        assert run_cli(project.root, "sync", "--env", "local", "--yes").code == 0
        project.write("alerts/team.py", (tmp_path / "alerts/team.py").read_text().replace(
            "rule_group = rule_group(", "unused = rule_group("))
        result = run_cli(project.root, "sync", "--env", "local", "--yes", "--prune")
        assert result.code == 0, result.out + result.err
        assert "- alert_rule_group alerting/shared/shared: deleted" in result.out
        import requests

        rules = requests.get(f"{emulator.url}{API}/alert-rules", auth=("admin", "admin"), timeout=5).json()
        assert rules == []
    finally:
        emulator.stop()


def test_a_secret_in_a_field_grafana_shows_is_not_rewritten_every_sync(grafana, project, dashkit, monkeypatch):
    monkeypatch.setenv("HOOK_URL", "https://hooks.example/secret-path-0123")
    project.write("alerts/hook.py", 'from dashkit.builders import webhook\n'
                                    'contact_points = [webhook("hook", url_env="HOOK_URL")]\n')
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    grafana.reset_stats()
    again = dashkit("sync", "--env", "local", "--yes")
    assert again.code == 0 and "No changes" in again.out, again.out
    assert grafana.writes() == 0
