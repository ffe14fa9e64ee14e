"""The contract every syncable kind keeps, on every Grafana generation: created by the first sync, untouched by the
second (zero writes), one code change is one write, a change made in Grafana is either drift (left alone until --force),
put back (folders, and routes in a tree people edit in the UI: no place for a fingerprint), or refused by Grafana
itself (provisioned resources whose provenance the UI cannot drop),
and `--prune` removes it once the code no longer defines it. A new kind is in this test as soon as it registers: it
fails until the kind has a scenario below."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests

from conftest import ALL_PROFILES
from dashkit.kinds.base import all_kinds

GRAFANA_PROFILES = ALL_PROFILES
API = "/api/v1/provisioning"
UI = {"X-Disable-Provenance": "true"}  # what the UI's own edits look like to the provisioning API


@dataclass(frozen=True)
class Scenario:
    module: str  # alerts/... or dashboards/... file defining one resource of the kind (and what it needs)
    source: str
    change: tuple[str, str] | None  # text replaced in the module: a change of exactly one resource of the kind
    ui_edit: Callable  # (grafana) -> status code of a person's edit of the live resource in Grafana
    after_ui_edit: str  # "drift": left alone until --force; "restored": put back by sync; "locked": Grafana refused
    present: Callable  # (grafana) -> True while the resource exists


def _get(grafana, path):
    return grafana.admin.get(grafana.url + API + path, timeout=5).json()


def _put(grafana, path, body) -> int:
    return grafana.admin.put(grafana.url + API + path, json=body, headers=UI, timeout=5).status_code


def _rename_folder(grafana) -> int:
    folder = next(h for h in grafana.search(type="dash-folder") if h["title"] == "team")
    current = grafana.admin.get(f"{grafana.url}/api/folders/{folder['uid']}", timeout=5).json()
    return grafana.admin.put(f"{grafana.url}/api/folders/{folder['uid']}", timeout=5,
                             json={"title": "Renamed in the UI", "version": current.get("version", 1)}).status_code


def _edit_dashboard(grafana) -> int:
    live = grafana.dashboard("team-x")["dashboard"]
    live["panels"][0]["title"] = "Edited in the UI"
    return requests.post(f"{grafana.url}/__emulator/ui-edit", timeout=5, json={
        "uid": "team-x", "as_v2": False, "change": {"panels": live["panels"]}}).status_code \
        if grafana.emulator.config.grafana_version >= "12" else \
        grafana.admin.post(f"{grafana.url}/api/dashboards/db", json={"dashboard": live}, timeout=5).status_code


def _edit_contact_point(grafana) -> int:
    point = next(p for p in _get(grafana, "/contact-points") if p["name"] == "team-mail")
    return _put(grafana, f"/contact-points/{point['uid']}", {**point, "settings": {"addresses": "ui@example.com"}})


def _edit_group(grafana) -> int:
    folder = next(r["folderUID"] for r in _get(grafana, "/alert-rules") if r["ruleGroup"] == "lifecycle")
    group = _get(grafana, f"/folder/{folder}/rule-groups/lifecycle")
    return _put(grafana, f"/folder/{folder}/rule-groups/lifecycle", {**group, "interval": 120})


def _edit_route(grafana) -> int:
    tree = _get(grafana, "/policies")
    tree["routes"][0]["group_by"] = ["edited_in_the_ui"]
    return _put(grafana, "/policies", tree)


def _rule_groups(grafana) -> set:
    return {r["ruleGroup"] for r in _get(grafana, "/alert-rules")}


SCENARIOS: dict[str, Scenario] = {
    "folder": Scenario(
        "dashboards/team/x.py", 'dashboard = {"title": "X", "panels": []}\n',
        None,  # a folder is its path: changing it in code is a new folder, not a change of this one
        _rename_folder, "restored",
        lambda g: any(h["title"] == "team" for h in g.search(type="dash-folder"))),
    "dashboard": Scenario(
        "dashboards/team/x.py", '''dashboard = {"title": "X", "panels": [{"id": 1, "type": "timeseries", "title": "P",
            "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "targets": [{"refId": "A", "expr": "up"}]}]}\n''',
        ('"expr": "up"', '"expr": "up == 1"'), _edit_dashboard, "drift",
        lambda g: g.dashboard("team-x") is not None),
    "contact_point": Scenario(
        "alerts/points.py", 'from dashkit.builders import email\n'
                            'contact_points = [email("team-mail", ["team@example.com"])]\n',
        ("team@example.com", "oncall@example.com"), _edit_contact_point, "locked",
        lambda g: any(p["name"] == "team-mail" for p in _get(g, "/contact-points"))),
    "mute_timing": Scenario(
        "alerts/timings.py", 'from dashkit.builders import mute_timing\n'
                             'mute_timings = [mute_timing("maint", weekdays=["monday"])]\n',
        ('"monday"', '"tuesday"'),
        lambda g: _put(g, "/mute-timings/maint", {"name": "maint", "time_intervals": [{"weekdays": ["friday"]}]}),
        "locked", lambda g: any(t["name"] == "maint" for t in _get(g, "/mute-timings"))),
    "template": Scenario(
        "alerts/templates.py", 'from dashkit.builders import template\n'
                               'templates = [template("team", \'{{ define "team.title" }}one{{ end }}\')]\n',
        ("one", "two"),
        lambda g: _put(g, "/templates/team", {"template": '{{ define "team.title" }}ui{{ end }}'}),
        "locked", lambda g: any(t["name"] == "team" for t in _get(g, "/templates"))),
    "alert_rule_group": Scenario(
        "alerts/rules.py", 'from dashkit.builders import alert_rule, rule_group\n'
                           'rule_group = rule_group("lifecycle", [\n'
                           '    alert_rule("Up", "up", threshold=1, summary="up")])\n',
        ("threshold=1", "threshold=2"), _edit_group, "drift", lambda g: "lifecycle" in _rule_groups(g)),
    "notification_policy": Scenario(
        "alerts/routes.py", 'from dashkit.builders import email, notification_policy, route\n'
                            'contact_points = [email("team-mail", ["team@example.com"])]\n'
                            'notification_policy = notification_policy(routes=[\n'
                            '    route("team-mail", matchers={"team": "a"})])\n',
        ('{"team": "a"}', '{"team": "b"}'), _edit_route, "restored",
        lambda g: any(r.get("receiver") == "team-mail" for r in _get(g, "/policies").get("routes") or [])),
}


def test_every_syncable_kind_has_a_scenario():
    kinds = {k.name for k in all_kinds() if k.syncable}
    assert kinds == set(SCENARIOS), f"give these kinds a scenario: {sorted(kinds - set(SCENARIOS))}"


@pytest.mark.parametrize("kind", sorted(SCENARIOS))
def test_life_cycle(kind, grafana, project, dashkit):
    scenario = SCENARIOS[kind]
    project.write(scenario.module, textwrap.dedent(scenario.source))
    first = dashkit("sync", "--env", "local", "--yes")
    assert first.code == 0 and f"+ {kind} " in first.out, first.text
    assert scenario.present(grafana)

    grafana.reset_stats()
    second = dashkit("sync", "--env", "local", "--yes")
    assert second.code == 0 and "No changes" in second.out, second.out
    assert grafana.writes() == 0

    if scenario.change is not None:
        path = project.root / scenario.module
        path.write_text(path.read_text().replace(*scenario.change))
        grafana.reset_stats()
        changed = dashkit("sync", "--env", "local", "--yes")
        assert changed.code == 0 and f"~ {kind} " in changed.out, changed.text
        assert grafana.writes() == 1, changed.out

    status = scenario.ui_edit(grafana)
    grafana.reset_stats()
    after = dashkit("sync", "--env", "local", "--yes")
    if scenario.after_ui_edit == "locked":
        assert status >= 400 and after.code == 0 and "No changes" in after.out, (status, after.text)
    elif scenario.after_ui_edit == "drift":
        assert status < 300 and after.code == 5 and f"! {kind} " in after.out and grafana.writes() == 0, after.text
        assert dashkit("sync", "--env", "local", "--yes", "--force").code == 0
    else:
        assert status < 300 and after.code == 0 and f"~ {kind} " in after.out, (status, after.text)
        assert grafana.writes() == 1
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0

    project.remove(scenario.module)
    kept = dashkit("sync", "--env", "local", "--yes")
    assert kept.code == 0 and scenario.present(grafana), kept.text  # nothing is deleted without --prune
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0 and f"- {kind} " in pruned.out, pruned.text
    assert not scenario.present(grafana)
    assert "No changes" in dashkit("sync", "--env", "local", "--yes", "--prune").out
