"""DK115 fixed: a pinned datasource becomes the dashboard's datasource variable when exactly one fits; no guessing."""

import json

from dashkit.lint.fix.datasources import use_datasource_variable
from dashkit.lint.fix.registry import Fixed, Left
from dashkit.lint.rules._examples import DS_VAR, dashboard, panel

from .helpers import findings, run_fixer

PINNED = {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}


def _pinned_panel(**extra):
    return panel(datasource=dict(PINNED), targets=[{"refId": "A", "expr": "up", "datasource": dict(PINNED)},
                                                   {"refId": "B", "expr": "up"}], **extra)


def test_the_only_variable_of_the_type_replaces_the_uid_and_the_queries_follow():
    data = dashboard(_pinned_panel())
    assert run_fixer(use_datasource_variable, data, "DK115") == [
        Fixed("DK115", "panels[0].datasource", "'P1809F7CD0C75ACF3' → ${datasource} (and 1 of its queries)")]
    fixed = data["panels"][0]
    assert fixed["datasource"] == fixed["targets"][0]["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    assert "datasource" not in fixed["targets"][1]
    assert findings(data, "DK115") == []


def test_an_export_for_sharing_uses_its_datasource_input():
    data = dashboard(_pinned_panel(), variables=[], __inputs=[
        {"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}])
    run_fixer(use_datasource_variable, data, "DK115")
    assert data["panels"][0]["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}


def test_two_variables_of_the_type_are_not_guessed_between():
    data = dashboard(_pinned_panel(), variables=[DS_VAR, {**DS_VAR, "name": "thanos"}])
    [outcome] = run_fixer(use_datasource_variable, data, "DK115")
    assert isinstance(outcome, Left) and "2 datasource variables of type prometheus ($datasource, $thanos)" in \
        outcome.why
    assert data["panels"][0]["datasource"] == PINNED


def test_a_name_without_a_type_needs_a_variable_standing_for_it():
    variable = {**DS_VAR, "current": {"text": "Prometheus", "value": "Prometheus"}}
    data = dashboard(panel(datasource="Prometheus", targets=[{"refId": "A", "expr": "up"}]), variables=[variable])
    run_fixer(use_datasource_variable, data, "DK115")
    assert data["panels"][0]["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    other = dashboard(panel(datasource="Thanos", targets=[{"refId": "A", "expr": "up"}]), variables=[variable])
    [outcome] = run_fixer(use_datasource_variable, other, "DK115")
    assert isinstance(outcome, Left) and "does not say its datasource type" in outcome.why


def test_no_variable_of_the_type_is_said_so():
    data = dashboard(panel(datasource={"type": "loki", "uid": "L1"}, targets=[{"refId": "A", "expr": "{a=\"b\"}"}]))
    [outcome] = run_fixer(use_datasource_variable, data, "DK115")
    assert outcome.why.startswith("the dashboard has no datasource variable of type loki")


def test_in_a_dashkit_project_a_pinned_uid_becomes_the_logical_name_dashkit_yaml_maps_it_to(project, dashkit):
    pinned = {"type": "prometheus", "uid": "prom-local"}  # the project's dashkit.yaml: prometheus: {uid: prom-local}
    board = dashboard({"id": 1, "type": "timeseries", "title": "Requests", "datasource": pinned,
                       "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
                       "targets": [{"refId": "A", "expr": "up", "datasource": dict(pinned)}]})
    path = project.root / "exported" / "requests.json"
    path.parent.mkdir()
    path.write_text(json.dumps(board, indent=2) + "\n")
    result = dashkit("lint", "--fix", str(path))
    assert "'prom-local' → @prometheus (dashkit.yaml) (and 1 of its queries)" in result.out, result.text
    fixed = json.loads(path.read_text())["panels"][0]
    assert fixed["datasource"] == {"type": "prometheus", "uid": "@prometheus"}
    assert fixed["targets"][0]["datasource"] == {"type": "prometheus", "uid": "@prometheus"}
    assert "DK115" not in dashkit("lint", str(path)).out
