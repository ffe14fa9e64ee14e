"""Loading definitions and `dashkit build`: folders from directories, stable uids and ids, clear errors."""


from dashkit.build import load_project
from dashkit.config import load_settings
from dashkit.naming import folder_uid


def _project(project):
    return load_project(load_settings(project.root))


def test_folder_comes_from_module_directory(project):
    project.dashboard("dashboards/payments/api/gateway.py", "Gateway")
    project.dashboard("dashboards/home.py", "Home")
    built = _project(project)
    folders = {r.path: r for r in built.by_kind("folder")}
    assert set(folders) == {"payments", "payments/api"}
    assert folders["payments/api"].folder == folders["payments"].uid
    dashes = {r.title: r for r in built.by_kind("dashboard")}
    assert dashes["Gateway"].folder == folder_uid("team-a", ("payments", "api"))
    assert dashes["Home"].folder == ""


def test_uids_are_deterministic_and_derived_from_path_and_title(project):
    project.dashboard("dashboards/payments/api.py", "API Overview")
    first = _project(project).by_kind("dashboard")[0].uid
    assert first == "payments-api-overview"
    assert _project(project).by_kind("dashboard")[0].uid == first


def test_explicit_uid_and_folder_win(project):
    project.write("dashboards/x.py", """\
        folder = "Team A/Service"
        dashboard = {"title": "T", "uid": "my-uid", "panels": []}
        """)
    dash = _project(project).by_kind("dashboard")[0]
    assert dash.uid == "my-uid"
    assert dash.path == "Team A/Service/T"


def test_duplicate_uid_names_both_files(project, dashkit):
    project.dashboard("dashboards/a.py", "One", uid="same")
    project.dashboard("dashboards/b.py", "Two", uid="same")
    result = dashkit("build")
    assert result.code == 3
    assert "dashboards/a.py" in result.err and "dashboards/b.py" in result.err


def test_panels_without_ids_get_stable_ids(project):
    project.write("dashboards/x.py", """\
        dashboard = {"title": "T", "panels": [
            {"type": "row", "title": "r", "panels": [{"title": "nested"}]},
            {"title": "a", "id": 7}, {"title": "b"}]}
        """)
    body = _project(project).by_kind("dashboard")[0].body
    assert [p["id"] for p in body["panels"]] == [8, 7, 10]
    assert body["panels"][0]["panels"][0]["id"] == 9


def test_helper_modules_starting_with_underscore_are_not_definitions(project):
    project.write("dashboards/_common.py", "TITLE = 'From helper'\n")
    project.write("dashboards/svc.py", """\
        from _common import TITLE
        dashboard = {"title": TITLE, "panels": []}
        """)
    assert _project(project).by_kind("dashboard")[0].title == "From helper"


def test_grafanalib_dashboard_is_accepted(project):
    project.write("dashboards/g.py", """\
        from grafanalib.core import Dashboard, TimeSeries, Target, GridPos
        dashboard = Dashboard(title="G", panels=[TimeSeries(title="p", dataSource="@prometheus",
            targets=[Target(expr="up", refId="A")], gridPos=GridPos(h=8, w=24, x=0, y=0))])
        """)
    body = _project(project).by_kind("dashboard")[0].body
    assert body["panels"][0]["targets"][0]["expr"] == "up"
    assert body["panels"][0]["id"] == 1


def test_build_is_byte_identical_across_runs(project, dashkit):
    project.dashboard("dashboards/payments/api.py", "API", panels=5)
    project.dashboard("dashboards/ops/nodes.py", "Nodes", panels=3)
    assert dashkit("build").code == 0
    files = sorted((project.root / "build").rglob("*.json"))
    first = {p: p.read_bytes() for p in files}
    assert len(files) == 2
    assert dashkit("build").code == 0
    assert {p: p.read_bytes() for p in sorted((project.root / "build").rglob("*.json"))} == first


def test_definition_that_raises_exits_3_naming_file_and_line(project, dashkit):
    project.write("dashboards/broken.py", """\
        x = 1
        dashboard = {"title": undefined_name}
        """)
    result = dashkit("build")
    assert result.code == 3
    assert "dashboards/broken.py:2" in result.err
    assert "NameError" in result.err
    assert "Traceback" not in result.err


def test_definition_syntax_error_exits_3(project, dashkit):
    project.write("dashboards/bad.py", "dashboard = {\n")
    result = dashkit("build")
    assert result.code == 3 and "dashboards/bad.py" in result.err and "SyntaxError" in result.err


def test_module_without_dashboard_is_an_error(project, dashkit):
    project.write("dashboards/empty.py", "X = 1\n")
    result = dashkit("build")
    assert result.code == 3 and "defines nothing dashkit reads" in result.err and "`dashboard`" in result.err


def test_malformed_config_exits_2_naming_key(project, dashkit):
    (project.root / "dashkit.yaml").write_text("owner: a\nenvironments:\n  local:\n    url: http://x\n    tokn: Y\n")
    result = dashkit("build")
    assert result.code == 2
    assert "environments.local.tokn" in result.err
    assert "Traceback" not in result.err


def test_an_imported_builder_function_is_not_mistaken_for_an_export(project, dashkit):
    project.write("dashboards/many.py", """\
        from dashkit.builders import dashboard, text
        dashboards = [dashboard(f"Board {i}", [text("Hi", "hello")]) for i in range(2)]
        """)
    project.write("alerts/rules.py", """\
        from dashkit.builders import alert_rule, notification_policy, rule_group
        rule_groups = [rule_group("g", [alert_rule("Down", "up == 0", threshold=0, summary="down")])]
        """)
    result = dashkit("build")
    assert result.code == 0, result.err
    assert "Built 1 alert_rule_group, 2 dashboards" in result.out


FIVE_DEEP = "dashboards/org/platform/payments/api/edge"  # 5 folders: Grafana's default limit of 4 ancestors


def test_folder_depth_grafana_accepts_builds_and_syncs(grafana, project, dashkit):
    project.dashboard(f"{FIVE_DEEP}/gateway.py", "Gateway")
    assert dashkit("build").code == 0
    result = dashkit("sync", "--env", "local", "--yes")
    assert result.code == 0, result.text
    assert [hit["title"] for hit in grafana.search(query="Gateway")] == ["Gateway"]


def test_a_folder_path_deeper_than_grafana_allows_fails_build_lint_and_sync_before_any_write(grafana, project,
                                                                                               dashkit):
    project.dashboard(f"{FIVE_DEEP}/zone/gateway.py", "Gateway")
    grafana.reset_stats()
    for command in (("build",), ("lint",), ("diff", "--env", "local"), ("sync", "--env", "local", "--yes")):
        result = dashkit(*command)
        assert result.code == 3, (command, result.text)
        assert ("dashboards/org/platform/payments/api/edge/zone/gateway.py: dashboard 'Gateway' is in folder "
                "'org/platform/payments/api/edge/zone', 6 folders deep; Grafana with max_folder_depth 4 "
                "(environment 'local') accepts at most 5 nested folders") in result.err, command
        assert "max_folder_depth in dashkit.yaml" in result.err
    assert grafana.writes() == 0
    assert grafana.search(type="dash-folder") == []


def test_the_strictest_environment_limits_explicit_folders_of_dashboards_and_rule_groups(project, dashkit):
    project.config(extra_env="""\
  small:
    url: http://127.0.0.1:9
    token_env: DASHKIT_TEST_TOKEN
    max_folder_depth: 1
""")
    project.write("dashboards/board.py", """\
        folder = "Team/Service"
        dashboard = {"title": "Board", "panels": []}
        """)
    assert dashkit("build").code == 0  # 2 folders: one ancestor
    project.write("alerts/rules.py", """\
        from dashkit.builders import alert_rule, rule_group
        rule_groups = [rule_group("g", [alert_rule("Down", "up == 0", threshold=0, summary="down")],
                                  folder="Team/Service/Alerts")]
        """)
    result = dashkit("build")
    assert result.code == 3, result.text
    assert ("alerts/rules.py: alert_rule_group 'g' is in folder 'Team/Service/Alerts', 3 folders deep; Grafana with "
            "max_folder_depth 1 (environment 'small') accepts at most 2 nested folders") in result.err


def test_a_higher_max_folder_depth_allows_deeper_paths(project, dashkit):
    project.config(extra_env="    max_folder_depth: 6\n")
    project.dashboard("dashboards/a/b/c/d/e/f/g/board.py", "Board")
    result = dashkit("build")
    assert result.code == 0, result.text


def test_a_yaml_alias_bomb_in_an_slo_spec_is_a_definition_error(project, dashkit):
    levels = "\n".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9))
    project.write("alerts/slo/api.yaml", f"a0: &a0 [{', '.join(['lol'] * 10)}]\n{levels}\nslos: *a8\n")
    result = dashkit("build")
    assert result.code == 3, result.text
    assert "alerts/slo/api.yaml:1: invalid YAML: its aliases expand to more than 100,000 nodes" in result.err
