"""`dashkit pull` against folder and dashboard titles a Grafana editor chose: every dashboard lands in its own file
inside --out, whatever the titles say."""

import json
from pathlib import Path

from conftest import ALL_PROFILES

GRAFANA_PROFILES = ALL_PROFILES  # every test runs against Grafana 11, 12 and 13


def _folder(grafana, uid: str, title: str, parent: str = "") -> None:
    body = {"uid": uid, "title": title, **({"parentUid": parent} if parent else {})}
    grafana.admin.post(f"{grafana.url}/api/folders", json=body, timeout=5).raise_for_status()


def _dashboard(grafana, uid: str, title: str, folder: str = "") -> None:
    grafana.save_as_admin({"uid": uid, "title": title, "panels": [
        {"id": 1, "type": "stat", "title": "Up", "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
         "targets": [{"refId": "A", "expr": "up"}]}]}, folder_uid=folder)


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _pulled(out: Path) -> dict[str, dict]:
    """uid -> (file, exact folder titles) for every dashboard file under `out`, read from disk."""
    manifest = json.loads((out / ".dashkit-pull.json").read_text())["files"]
    folders = {rel: tuple(entry["folder"]) for rel, entry in manifest.items()}
    found = {}
    for file in sorted(out.rglob("*.json")):
        if file.name != ".dashkit-pull.json" and file.is_file():
            rel = file.relative_to(out).as_posix()
            found[json.loads(file.read_text())["uid"]] = {"file": rel, "folder": folders[rel]}
    return found


def test_dot_dot_folder_titles_stay_inside_out(grafana, project, dashkit):
    _folder(grafana, "up1", "..")
    _folder(grafana, "up2", "..", parent="up1")
    _folder(grafana, "up3", "..", parent="up2")
    _folder(grafana, "spaced", " .. ")
    _folder(grafana, "dot", ".")
    for uid, folder in [("in-up1", "up1"), ("in-up3", "up3"), ("in-spaced", "spaced"), ("in-dot", "dot"),
                        ("at-root", "")]:
        _dashboard(grafana, uid, f"X {uid}", folder)
    out = project.root / "a" / "b" / "c" / "out"  # deep enough that `../../..` would still land in the project
    before = _files(project.root)
    result = dashkit("pull", "--env", "local", "--out", str(out))
    assert result.code == 0, result.text
    assert {p for p in _files(project.root) - before if not p.is_relative_to(out)} == set()
    pulled = _pulled(out)
    assert set(pulled) == {"in-up1", "in-up3", "in-spaced", "in-dot", "at-root"}
    assert pulled["in-up3"]["folder"] == ("..", "..", "..")
    assert pulled["in-up1"]["folder"] == ("..",)
    for item in pulled.values():
        assert not any(part in (".", "..") or part.startswith((".", "_")) for part in item["file"].split("/"))
    assert "5 written of 5 found" in result.out


def test_the_same_title_twice_and_a_title_like_the_fallback_all_get_files(grafana, project, dashkit):
    _folder(grafana, "ops", "Ops")
    _folder(grafana, "ops-lower", "ops")  # same directory name on macOS and Windows
    _folder(grafana, "archive", "Archive")
    _folder(grafana, "archive-hidden", "_Archive")  # made safe, it would be `Archive` too
    _dashboard(grafana, "s1", "Same", "ops")
    _dashboard(grafana, "s2", "Same", "ops")
    _dashboard(grafana, "a0", "Same S2", "ops")  # its slug is what the second `Same` fell back to
    for uid, folder in [("lower", "ops-lower"), ("arch", "archive"), ("hidden", "archive-hidden")]:
        _dashboard(grafana, uid, "Same", folder)
    out = project.root / "out"
    result = dashkit("pull", "--env", "local", "--out", str(out))
    assert result.code == 0, result.text
    pulled = _pulled(out)
    assert set(pulled) == {"s1", "s2", "a0", "lower", "arch", "hidden"}
    assert len({item["file"].casefold() for item in pulled.values()}) == 6
    assert len({str(Path(item["file"]).parent).casefold() for item in pulled.values()}) == 4
    assert pulled["hidden"]["folder"] == ("_Archive",) and pulled["lower"]["folder"] == ("ops",)
    assert "Pulled 6 dashboards" in result.out and "6 written of 6 found" in result.out
    again = project.root / "again"
    assert dashkit("pull", "--env", "local", "--out", str(again)).code == 0
    assert _pulled(again) == pulled  # the same dashboards get the same files on every pull


def test_a_300_character_title_gets_a_capped_stable_name(grafana, project, dashkit):
    long_title = "Latency by region and endpoint " * 10
    _dashboard(grafana, "long-one", long_title)
    _dashboard(grafana, "long-two", long_title)
    _dashboard(grafana, "short", "Short")
    out = project.root / "out"
    result = dashkit("pull", "--env", "local", "--out", str(out))
    assert result.code == 0 and "3 written of 3 found" in result.out, result.text
    pulled = _pulled(out)
    for uid in ("long-one", "long-two"):
        name = Path(pulled[uid]["file"]).name
        assert len(name) <= 80 + len(".json") and name.startswith("latency-by-region")
        assert name.endswith(f"-{uid}.json")
    assert pulled["short"]["file"] == "short.json"


def test_a_dashboard_that_cannot_be_written_is_reported_and_exits_5(grafana, project, dashkit):
    _dashboard(grafana, "home", "Home")
    _dashboard(grafana, "other", "Other")
    out = project.root / "out"
    (out / "home.json").mkdir(parents=True)  # something already there that is not a file
    result = dashkit("pull", "--env", "local", "--out", str(out))
    assert result.code == 5, result.text
    assert "x Home (home): cannot be written" in result.out
    assert "Pulled 1 dashboard into" in result.out and "1 written of 2 found" in result.out
    assert set(_pulled(out)) == {"other"}


def test_a_symlink_out_of_the_output_folder_is_refused(grafana, project, dashkit, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    _folder(grafana, "team", "Team")
    _dashboard(grafana, "svc", "Service", "team")
    out = project.root / "out"
    out.mkdir()
    (out / "Team").symlink_to(outside, target_is_directory=True)
    result = dashkit("pull", "--env", "local", "--out", str(out))
    assert result.code == 2, result.text
    assert "outside" in result.err and "Traceback" not in result.text
    assert list(outside.iterdir()) == []
