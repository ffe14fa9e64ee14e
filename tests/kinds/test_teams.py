"""Teams as code: `teams = [team(name, email=...)]` creates and updates teams by name, claims them with an owner
record, puts back an email changed in the UI, and prunes only its own. Through real HTTP to the emulator, on every
Grafana generation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ALL_PROFILES, TOKEN, SecondProject
from dashkit.client import GrafanaClient
from dashkit.config import Credentials
from dashkit.errors import GrafanaError
from dashkit.grafana_api import detect
from dashkit.kinds import team as team_kind
from dashkit.kinds.base import SyncContext, get_kind
from dashkit.model import Resource

GRAFANA_PROFILES = ALL_PROFILES

PEOPLE = """\
from dashkit.builders import team

teams = [team("checkout", email="checkout@example.com"), team("platform")]
"""
RECORDS = "/api/v1/provisioning/templates"


def teams(grafana) -> dict[str, dict]:
    found = grafana.admin.get(f"{grafana.url}/api/teams/search", params={"perpage": 1000}, timeout=5).json()
    return {t["name"]: t for t in found["teams"]}


def records(grafana) -> dict[str, str]:
    """Owner records of teams: team name -> the record's text."""
    prefix = "dashkit.owner.team."
    return {t["name"][len(prefix):]: t["template"] for t in grafana.admin.get(grafana.url + RECORDS, timeout=5).json()
            if t["name"].startswith(prefix)}


def create_in_the_ui(grafana, name: str, email: str = "") -> int:
    reply = grafana.admin.post(f"{grafana.url}/api/teams", json={"name": name, "email": email}, timeout=5)
    assert reply.status_code == 200, reply.text
    return reply.json()["teamId"]


def set_email_in_the_ui(grafana, name: str, email: str) -> None:
    found = teams(grafana)[name]
    reply = grafana.admin.put(f"{grafana.url}/api/teams/{found['id']}", json={"name": name, "email": email},
                              timeout=5)
    assert reply.status_code == 200, reply.text


@pytest.fixture
def sync_ctx(grafana):
    """A SyncContext of project team-a, for calling the kind directly."""
    client = GrafanaClient(grafana.url, Credentials(token=TOKEN))
    with ThreadPoolExecutor(2) as pool:
        yield SyncContext(client=client, owner="team-a", env="local", pool=pool, api=detect(client, "auto", "default"))
    client.close()


def test_teams_are_created_claimed_and_a_second_sync_writes_nothing(grafana, project, dashkit):
    project.write("dashboards/people.py", PEOPLE)
    first = dashkit("sync", "--env", "local", "--yes")
    assert first.code == 0 and "+ team checkout" in first.out and "+ team platform" in first.out, first.text
    live = teams(grafana)
    assert live["checkout"]["email"] == "checkout@example.com" and live["platform"]["email"] == ""
    assert set(records(grafana)) == {"checkout", "platform"} and "owner=team-a" in records(grafana)["checkout"]
    assert live["checkout"]["memberCount"] == 0  # membership is not dashkit's: a service account joins no team
    grafana.reset_stats()
    again = dashkit("sync", "--env", "local", "--yes")
    assert again.code == 0 and "No changes" in again.out, again.out
    assert grafana.writes() == 0


def test_a_changed_email_is_one_write(grafana, project, dashkit):
    project.write("dashboards/people.py", PEOPLE)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    project.write("dashboards/people.py", PEOPLE.replace("checkout@example.com", "payments@example.com"))
    diff = dashkit("diff", "--env", "local")
    assert "~ team checkout" in diff.out and '"checkout@example.com" -> "payments@example.com"' in diff.out, diff.out
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.writes() == 1 and teams(grafana)["checkout"]["email"] == "payments@example.com"


def test_an_email_changed_in_the_ui_is_shown_then_put_back(grafana, project, dashkit):
    project.write("dashboards/people.py", PEOPLE)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    set_email_in_the_ui(grafana, "checkout", "someone@example.com")
    diff = dashkit("diff", "--env", "local", "--exit-code")
    assert diff.code == 1 and "~ team checkout" in diff.out and "someone@example.com" in diff.out, diff.out
    restored = dashkit("sync", "--env", "local", "--yes")
    assert restored.code == 0, restored.text
    assert teams(grafana)["checkout"]["email"] == "checkout@example.com"
    backups = list((project.root / ".dashkit" / "backups").rglob("team/checkout.json"))
    assert backups and "someone@example.com" in backups[0].read_text()


def test_teams_may_be_defined_in_alerts_modules_and_alike_in_two_modules(grafana, project, dashkit):
    project.write("alerts/people.py", PEOPLE)
    project.write("dashboards/more_people.py", 'from dashkit.builders import team\nteams = [team("platform")]\n')
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0, result.text
    assert {"checkout", "platform"} <= set(teams(grafana))


def test_one_team_defined_differently_in_two_modules_is_an_error_naming_both(project, dashkit):
    project.write("dashboards/people.py", PEOPLE)
    project.write("alerts/people.py", 'from dashkit.builders import team\n'
                                      'teams = [team("checkout", email="other@example.com")]\n')
    result = dashkit("build")
    assert result.code == 3, result.text
    assert "alerts/people.py" in result.err and "dashboards/people.py" in result.err
    assert "team 'checkout'" in result.err


def test_something_else_in_teams_is_a_definition_error(project, dashkit):
    project.write("dashboards/people.py", 'teams = ["checkout"]\n')
    result = dashkit("build")
    assert result.code == 3 and "teams must hold team(...) results" in result.err, result.text


def test_a_team_made_in_the_ui_is_adopted_when_the_code_defines_it(grafana, project, dashkit):
    create_in_the_ui(grafana, "checkout", "old@example.com")
    create_in_the_ui(grafana, "platform")
    project.write("dashboards/people.py", PEOPLE)
    diff = dashkit("diff", "--env", "local")
    assert "~ team checkout" in diff.out and "adopts it" in diff.out, diff.out
    assert "~ team platform" in diff.out and "marks it as managed by dashkit" in diff.out, diff.out
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert teams(grafana)["checkout"]["email"] == "checkout@example.com"
    assert set(records(grafana)) == {"checkout", "platform"}
    assert "No changes" in dashkit("diff", "--env", "local").out


def test_another_projects_team_is_left_alone_unless_forced(grafana, project, dashkit, tmp_path_factory):
    other = SecondProject(tmp_path_factory.mktemp("other"), grafana.url, owner="team-b")
    other.project.write("dashboards/people.py", PEOPLE)
    assert other("sync", "--env", "local", "--yes").code == 0
    project.write("dashboards/people.py", PEOPLE.replace("checkout@example.com", "mine@example.com"))
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 5 and "! team checkout" in result.out and "owned by dashkit project 'team-b'" in result.out, \
        result.text
    assert teams(grafana)["checkout"]["email"] == "checkout@example.com"
    forced = dashkit("sync", "--env", "local", "--yes", "--force")
    assert forced.code == 0, forced.text
    assert teams(grafana)["checkout"]["email"] == "mine@example.com" and "owner=team-a" in records(grafana)["checkout"]


def test_prune_deletes_only_this_projects_teams(grafana, project, dashkit, tmp_path_factory):
    other = SecondProject(tmp_path_factory.mktemp("other"), grafana.url, owner="team-b")
    other.project.write("dashboards/people.py", 'from dashkit.builders import team\nteams = [team("theirs")]\n')
    assert other("sync", "--env", "local", "--yes").code == 0
    create_in_the_ui(grafana, "made-in-the-ui")
    project.write("dashboards/people.py", PEOPLE)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    project.write("dashboards/people.py", 'from dashkit.builders import team\nteams = [team("platform")]\n')
    kept = dashkit("sync", "--env", "local", "--yes")
    assert kept.code == 0 and "checkout" in teams(grafana), kept.text  # nothing is deleted without --prune
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0 and "- team checkout" in pruned.out, pruned.text
    assert set(teams(grafana)) == {"platform", "theirs", "made-in-the-ui"}
    assert set(records(grafana)) == {"platform", "theirs"}
    assert "No changes" in dashkit("sync", "--env", "local", "--yes", "--prune").out
    assert "No changes" in other("diff", "--env", "local").out


def test_search_reads_every_page(grafana, sync_ctx, monkeypatch):
    for i in range(5):
        create_in_the_ui(grafana, f"team-{i}")
    monkeypatch.setattr(team_kind, "PER_PAGE", 2)
    grafana.reset_stats()
    assert sorted(t["name"] for t in team_kind.search_teams(sync_ctx.client)) == [f"team-{i}" for i in range(5)]
    assert grafana.stats()["by_route"] == {"GET /api/teams/search": 3}


def test_a_name_taken_since_the_plan_adopts_a_team_nobody_owns(grafana, sync_ctx):
    create_in_the_ui(grafana, "checkout", "someone@example.com")
    kind = get_kind("team")
    resource = Resource(kind="team", uid="checkout", title="checkout",
                        body={"name": "checkout", "email": "checkout@example.com"})
    kind.create(resource, sync_ctx)  # the plan saw no such team: Grafana answers 409 Team name taken
    assert teams(grafana)["checkout"]["email"] == "checkout@example.com"
    assert "owner=team-a" in records(grafana)["checkout"]


def test_a_name_taken_since_the_plan_by_another_project_is_an_error_and_left_alone(grafana, sync_ctx, project,
                                                                                   tmp_path_factory):
    other = SecondProject(tmp_path_factory.mktemp("other"), grafana.url, owner="team-b")
    other.project.write("dashboards/people.py", PEOPLE)
    assert other("sync", "--env", "local", "--yes").code == 0
    resource = Resource(kind="team", uid="checkout", title="checkout",
                        body={"name": "checkout", "email": "mine@example.com"})
    with pytest.raises(GrafanaError, match="another dashkit project \\('team-b'\\)"):
        get_kind("team").create(resource, sync_ctx)
    assert teams(grafana)["checkout"]["email"] == "checkout@example.com"
    assert "owner=team-b" in records(grafana)["checkout"]


def test_a_team_deleted_in_the_ui_is_created_again(grafana, project, dashkit):
    project.write("dashboards/people.py", PEOPLE)
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    grafana.admin.delete(f"{grafana.url}/api/teams/{teams(grafana)['checkout']['id']}", timeout=5)
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0 and "+ team checkout" in result.out, result.text
    assert teams(grafana)["checkout"]["email"] == "checkout@example.com"


def test_a_team_its_identity_provider_provisions_is_left_alone_even_with_force(grafana, sync_ctx):
    """Grafana 12+ marks teams synced by SCIM `isProvisioned`: they are changed there, never by dashkit."""
    from dashkit.plan import Action, make_plan

    create_in_the_ui(grafana, "checkout", "idp@example.com")
    kind = get_kind("team")
    sync_ctx.cache["team_list"] = {name: {**found, "isProvisioned": True}
                                   for name, found in team_kind.teams_by_name(sync_ctx).items()}
    resource = Resource(kind="team", uid="checkout", title="checkout",
                        body={"name": "checkout", "email": "checkout@example.com"})
    live = kind.fetch([resource], sync_ctx)
    plan = make_plan([kind], [resource], live, owner="team-a", env="local", url=grafana.url, force=True)
    assert plan.changes[0].action is Action.BLOCKED and "identity provider" in plan.changes[0].reason
