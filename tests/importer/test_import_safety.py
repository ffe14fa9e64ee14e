"""`dashkit import` with hostile or awkward input: folder titles the loader would skip or split, a crafted pull
manifest, names that shadow Python modules, re-imports and JSON nested too deep. Modules land inside dashboards/,
build, and keep every dashboard in the folder it came from."""

import json
import keyword
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import ALL_PROFILES
from dashkit.build import load_project
from dashkit.config import load_settings
from dashkit.errors import DefinitionError

GRAFANA_PROFILES = ALL_PROFILES  # every test runs against Grafana 11, 12 and 13


def _folder(grafana, uid: str, title: str, parent: str = "") -> None:
    body = {"uid": uid, "title": title, **({"parentUid": parent} if parent else {})}
    grafana.admin.post(f"{grafana.url}/api/folders", json=body, timeout=5).raise_for_status()


def _body(uid: str, title: str) -> dict:
    return {"uid": uid, "title": title, "schemaVersion": 39, "panels": [
        {"id": 1, "type": "stat", "title": "Up", "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
         "targets": [{"refId": "A", "expr": "up"}]}]}


def _dashboard(grafana, uid: str, title: str, folder: str = "") -> None:
    grafana.save_as_admin(_body(uid, title), folder_uid=folder)


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _built_folders(project) -> dict[str, tuple[str, ...]]:
    """uid -> folder titles of every dashboard `dashkit build` makes of the project."""
    return {r.uid: r.folder_path for r in load_project(load_settings(project.root)).by_kind("dashboard")}


def _pull_and_import(project, dashkit) -> None:
    pulled = project.root / "pulled"
    assert dashkit("pull", "--env", "local", "--out", str(pulled)).code == 0
    result = dashkit("import", str(pulled))
    assert result.code == 0, result.text


def test_folders_the_loader_would_skip_round_trip_to_the_build(grafana, project, dashkit):
    _folder(grafana, "arch", "_Archive")
    _folder(grafana, "hid", ".hidden")
    _dashboard(grafana, "old", "Old", "arch")
    _dashboard(grafana, "secret", "Secret", "hid")
    _pull_and_import(project, dashkit)
    assert dashkit("build").code == 0
    built = project.root / "build" / "dashboards"
    assert json.loads((built / "_Archive" / "old.json").read_text())["title"] == "Old"
    assert json.loads((built / ".hidden" / "secret.json").read_text())["title"] == "Secret"
    assert _built_folders(project) == {"old": ("_Archive",), "secret": (".hidden",)}


def test_a_slash_in_a_folder_title_stays_one_folder(grafana, project, dashkit):
    _folder(grafana, "ab", "a/b")
    _folder(grafana, "team", "Team")
    _folder(grafana, "tests", "A/B tests", parent="team")
    _dashboard(grafana, "split", "Split", "ab")
    _dashboard(grafana, "variant", "Variant", "tests")
    _pull_and_import(project, dashkit)
    assert _built_folders(project) == {"split": ("a/b",), "variant": ("Team", "A/B tests")}
    assert dashkit("build").code == 0
    assert (project.root / "build" / "dashboards" / "a_b" / "split.json").is_file()
    assert not (project.root / "build" / "dashboards" / "a").exists()
    synced = dashkit("sync", "--env", "local", "--yes")
    assert synced.code == 0, synced.text
    folders = {h["uid"]: (h["title"], h.get("folderUid") or "") for h in grafana.search(type="dash-folder")}
    assert folders == {"ab": ("a/b", ""), "team": ("Team", ""), "tests": ("A/B tests", "team")}
    assert grafana.dashboard("split")["meta"]["folderUid"] == "ab"
    assert grafana.dashboard("variant")["meta"]["folderUid"] == "tests"


def test_import_from_env_keeps_dot_dot_folders_inside_dashboards(grafana, project, dashkit, monkeypatch):
    scratch = project.root / "tmp" / "a" / "b" / "c"  # where --from-env pulls to: deep enough to contain `../../..`
    scratch.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    _folder(grafana, "up1", "..")
    _folder(grafana, "up2", "..", parent="up1")
    _folder(grafana, "up3", "..", parent="up2")
    _dashboard(grafana, "one-up", "One up", "up1")
    _dashboard(grafana, "three-up", "Three up", "up3")
    result = dashkit("import", "--from-env", "local")
    assert result.code == 0, result.text
    assert "2 written of 2 found" in result.out
    assert all(p.is_relative_to(project.root / "dashboards") for p in _files(project.root) if p.suffix != ".yaml")
    assert _built_folders(project) == {"one-up": ("..",), "three-up": ("..", "..", "..")}


def test_a_folder_tuple_names_exact_titles(project):
    project.dashboard("dashboards/odd.py", "Odd", uid="odd")
    project.write("dashboards/odd.py", (project.root / "dashboards" / "odd.py").read_text()
                  + "folder = ('Team', 'A/B tests')\n")
    assert _built_folders(project) == {"odd": ("Team", "A/B tests")}
    project.write("dashboards/odd.py", (project.root / "dashboards" / "odd.py").read_text() + "folder = ('Team', 3)\n")
    with pytest.raises(DefinitionError, match="folder titles must be strings"):
        _built_folders(project)


def test_dot_dot_titles_in_a_manifest_are_titles_not_paths(project, dashkit):
    pulled = project.root / "pulled"
    pulled.mkdir()
    (pulled / "x.json").write_text(json.dumps(_body("x", "X")))
    (pulled / ".dashkit-pull.json").write_text(json.dumps({"files": {"x.json": {"uid": "x",
                                                                                "folder": ["..", "escaped"]}}}))
    before = _files(project.root)
    result = dashkit("import", str(pulled))
    assert result.code == 0, result.text
    dashboards = project.root / "dashboards"
    new = _files(project.root) - before
    assert len(new) == 1 and all(p.is_relative_to(dashboards) for p in new)
    assert _built_folders(project) == {"x": ("..", "escaped")}


@pytest.mark.parametrize(("files", "problem"), [
    ({"../outside.json": {"uid": "x", "folder": []}}, "is not a plain relative path"),
    ({"/etc/outside.json": {"uid": "x", "folder": []}}, "is not a plain relative path"),
    ({"x.json": {"uid": "x", "folder": "../.."}}, "has no `folder` list"),
    ({"x.json": {"uid": "x", "folder": [1, 2]}}, "has a folder title that is not a non-empty string"),
    ({"x.json": {"uid": "x", "folder": ["   "]}}, "has a folder title that is not a non-empty string"),
    ({"x.json": {"uid": "x", "folder": ["t" * 10_000]}}, "at most 1024 characters"),
    ({"x.json": {"uid": "x", "folder": ["f"] * 100}}, "deeper than 32 levels"),
    ([["x.json", {"folder": []}]], "has no `files` object"),
])
def test_a_crafted_manifest_is_refused_before_anything_is_written(project, dashkit, files, problem):
    pulled = project.root / "pulled"
    pulled.mkdir()
    (pulled / "x.json").write_text(json.dumps(_body("x", "X")))
    (pulled / ".dashkit-pull.json").write_text(json.dumps({"files": files}))
    before = _files(project.root)
    result = dashkit("import", str(pulled))
    assert result.code == 2 and problem in result.err and "Traceback" not in result.text, result.text
    assert _files(project.root) == before


def test_titles_that_would_shadow_python_modules_get_other_names(project, dashkit):
    inputs = project.root / "in"
    inputs.mkdir()
    titles = ["json", "os", "match", "CON", "dashkit", "Typing"]
    for i, title in enumerate(titles):
        (inputs / f"{i}.json").write_text(json.dumps(_body(f"d{i}", title)))
    result = dashkit("import", str(inputs))
    assert result.code == 0, result.text
    stems = {p.stem for p in (project.root / "dashboards").glob("*.py")}
    assert len(stems) == len(titles)
    for stem in stems:
        assert stem not in sys.stdlib_module_names and not keyword.iskeyword(stem) and not keyword.issoftkeyword(stem)
        assert stem.upper() not in ("CON", "DASHKIT")
    assert "json_dashboard" in stems
    assert dashkit("build").code == 0


def test_a_300_character_title_round_trips(grafana, project, dashkit):
    title = "Latency by region and endpoint " * 10
    _dashboard(grafana, "long", title)
    _pull_and_import(project, dashkit)
    (module,) = (project.root / "dashboards").glob("*.py")
    assert len(module.stem) <= 60
    assert dashkit("build").code == 0
    assert json.loads((project.root / "build" / "dashboards" / "long.json").read_text())["title"] == title.strip()


def test_reimporting_skips_what_the_project_already_defines(grafana, project, dashkit):
    _folder(grafana, "team", "Team")
    _dashboard(grafana, "api", "API", "team")
    _dashboard(grafana, "home", "Home")
    project.dashboard("dashboards/mine.py", "My home", uid="home")  # hand-written, another name, the same uid
    first = dashkit("import", "--from-env", "local")
    assert first.code == 0, first.text
    assert "uid home is already defined in dashboards/mine.py" in first.out
    assert "1 written of 2 found, 1 already defined (skipped)" in first.out
    modules = _files(project.root / "dashboards")
    second = dashkit("import", "--from-env", "local")
    assert second.code == 0, second.text
    assert "0 written of 2 found, 2 already defined (skipped)" in second.out
    assert _files(project.root / "dashboards") == modules
    project.write("dashboards/mine.py", "from dashkit.builders.exact import dashboard_json\n\n"
                  "dashboards = [dashboard_json('Home', uid='home', panels=[]), "
                  "dashboard_json('Other', uid='other', panels=[])]\n")
    kept = dashkit("import", "--from-env", "local", "--overwrite")
    assert kept.code == 0, kept.text
    assert "--overwrite does not replace it: that module defines 2 dashboards" in kept.out
    assert "dashboard_json('Other'" in (project.root / "dashboards" / "mine.py").read_text()
    assert _files(project.root / "dashboards") == modules
    assert dashkit("build").code == 0


@pytest.mark.parametrize("depth", [300, 5000])
def test_json_nested_too_deep_is_exit_2_naming_the_file(project, dashkit, depth):
    inputs = project.root / "in"
    inputs.mkdir()
    deep = "[" * depth + "]" * depth
    (inputs / "deep.json").write_text('{"title": "Deep", "panels": [], "x": ' + deep + "}")
    (inputs / "fine.json").write_text(json.dumps(_body("fine", "Fine")))
    result = dashkit("import", str(inputs))
    assert result.code == 2, result.text
    assert f"{inputs / 'deep.json'}: is nested more than 100 levels deep" in result.out
    assert "Traceback" not in result.text
    assert [p.name for p in (project.root / "dashboards").rglob("*.py")] == ["fine.py"]
    assert "1 written of 2 found" in result.out
