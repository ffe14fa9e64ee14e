"""Command-line conventions: global options on either side of the command, the default environment, completion."""

import io
import os
import subprocess
import sys
from pathlib import Path

from click.shell_completion import ShellComplete

from conftest import TOKEN
from dashkit.cli.main import App, cli, main
from dashkit.cli.output import Console

DASHKIT = str(Path(sys.executable).parent / "dashkit")
PROD = "  prod:\n    url: http://127.0.0.1:9\n    token_env: DASHKIT_TEST_TOKEN\n"


def _run(argv, color=False):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, console=Console(out=out, err=err, color=color))
    return code, out.getvalue(), err.getvalue()


def test_verbose_after_the_subcommand_shows_the_api_calls(grafana, project, dashkit):
    project.dashboard("dashboards/a.py", "A")
    before = dashkit("-v", "diff", "--env", "local")
    after = dashkit("diff", "--env", "local", "-v")
    quiet = dashkit("diff", "--env", "local")
    assert before.code == after.code == quiet.code == 0, after.text
    assert "GET /api/" in before.err and "GET /api/" in after.err
    assert "GET /api/" not in quiet.err
    assert after.out == quiet.out


def test_project_folder_after_the_subcommand(grafana, project, tmp_path_factory, monkeypatch):
    project.dashboard("dashboards/a.py", "A")
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    code, out, err = _run(["diff", "--env", "local", "-C", str(project.root)])
    assert code == 0, err
    assert "Plan: 1 to add" in out
    code, _, err = _run(["diff", "--env", "local"])
    assert code == 2 and "no dashkit.yaml found" in err


def test_no_color_after_the_subcommand(grafana, project, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    project.dashboard("dashboards/a.py", "A")
    _, colored, _ = _run(["-C", str(project.root), "diff", "--env", "local"], color=True)
    code, plain, _ = _run(["-C", str(project.root), "diff", "--env", "local", "--no-color"], color=True)
    assert "\x1b[" in colored
    assert code == 0 and "\x1b[" not in plain and "Plan: 1 to add" in plain


def test_subcommand_help_lists_the_global_options_once(dashkit):
    help_text = dashkit("sync", "--help").out
    for option in ("-C, --project DIR", "-v, --verbose", "--no-color", "--env NAME"):
        assert help_text.count(option) == 1, option
    assert "-C, -v and --no-color work before or after the command" in dashkit("--help").out


def test_the_only_environment_is_the_default(grafana, project, dashkit):
    project.dashboard("dashboards/a.py", "A")
    result = dashkit("sync", "--yes")
    assert result.code == 0, result.text
    assert "Environment local" in result.out and grafana.dashboard("a") is not None
    assert "No changes" in dashkit("diff").out


def test_with_several_environments_one_must_be_chosen(grafana, project, dashkit, monkeypatch):
    monkeypatch.delenv("DASHKIT_ENV", raising=False)
    project.config(extra_env=PROD)
    project.dashboard("dashboards/a.py", "A")
    missing = dashkit("diff")
    assert missing.code == 2
    assert "no environment chosen (defined in dashkit.yaml: local, prod)" in missing.err
    assert "--env NAME, or set DASHKIT_ENV" in missing.err
    unknown = dashkit("diff", "--env", "staging")
    assert unknown.code == 2 and "unknown environment 'staging' (defined in dashkit.yaml: local, prod)" in unknown.err


def test_dashkit_env_chooses_the_environment_and_env_wins_over_it(grafana, project, dashkit, monkeypatch):
    project.config(extra_env=PROD)
    project.dashboard("dashboards/a.py", "A")
    monkeypatch.setenv("DASHKIT_ENV", "local")
    chosen = dashkit("diff")
    assert chosen.code == 0 and "Environment local" in chosen.out
    monkeypatch.setenv("DASHKIT_ENV", "prod")  # unreachable: --env must be what is used
    explicit = dashkit("diff", "--env", "local")
    assert explicit.code == 0 and "Environment local" in explicit.out
    monkeypatch.setenv("DASHKIT_ENV", "stagign")
    stale = dashkit("diff")
    assert stale.code == 2 and "unknown environment 'stagign' (defined in dashkit.yaml: local, prod)" in stale.err
    assert "DASHKIT_ENV=stagign is set" in stale.err


def test_pull_and_import_from_env_default_to_the_only_environment(grafana, project, dashkit):
    grafana.save_as_admin({"uid": "home", "title": "Home", "panels": []})
    pulled = dashkit("pull", "--out", str(project.root / "pulled"))
    assert pulled.code == 0, pulled.text
    assert (project.root / "pulled" / "home.json").is_file()
    imported = dashkit("import", "--from-env")
    assert imported.code == 0, imported.text
    assert "Imported 1 dashboard: 1 written of 1 found" in imported.out


def _completions(args, incomplete=""):
    completion = ShellComplete(cli, {"obj": App()}, "dashkit", "_DASHKIT_COMPLETE")
    return [item.value for item in completion.get_completions(args, incomplete)]


def test_env_completes_from_the_project(project, monkeypatch, tmp_path_factory):
    project.config(extra_env=PROD)
    monkeypatch.chdir(project.root)
    assert _completions(["diff", "--env"]) == ["local", "prod"]
    assert _completions(["sync", "--env"], "p") == ["prod"]
    assert _completions(["pull", "--env"], "l") == ["local"]
    assert _completions(["import", "--from-env"]) == ["local", "prod"]
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert _completions(["-C", str(project.root), "diff", "--env"]) == ["local", "prod"]
    assert _completions(["diff", "-C", str(project.root), "--env"]) == ["local", "prod"]


def test_env_completion_outside_a_project_offers_nothing(project, monkeypatch, tmp_path_factory):
    monkeypatch.chdir(tmp_path_factory.mktemp("no-project"))
    assert _completions(["diff", "--env"]) == []
    (project.root / "dashkit.yaml").write_text("environments: [unclosed\n")
    assert _completions(["-C", str(project.root), "diff", "--env"]) == []


def test_the_documented_bash_completion_works_with_the_installed_command(project):
    project.config(extra_env=PROD)
    env = {**os.environ, "DASHKIT_TEST_TOKEN": TOKEN, "_DASHKIT_COMPLETE": "bash_source"}
    script = subprocess.run([DASHKIT], env=env, capture_output=True, text=True, timeout=30)
    assert script.returncode == 0 and "_dashkit_completion" in script.stdout
    env.update(_DASHKIT_COMPLETE="bash_complete", COMP_WORDS=f"dashkit -C {project.root} sync --env p", COMP_CWORD="5")
    words = subprocess.run([DASHKIT], env=env, capture_output=True, text=True, timeout=30)
    assert words.returncode == 0 and words.stdout.split() == ["plain,prod"]

