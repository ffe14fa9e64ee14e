"""The contract every syncable kind keeps, on every Grafana generation, proven with the example each kind declares
(ResourceKind.example): created by the first sync, untouched by the second (zero writes), one code change is one
write, a change made in Grafana is either drift (reported and left alone until --force), put back (folders, and routes
in a tree people edit in the UI: no place for a fingerprint) or refused by Grafana itself (provisioned resources whose
provenance the UI cannot drop); another owner's resource of the kind is left alone, and `--prune` removes this
project's once the code no longer defines it. A new kind is in this test as soon as it registers with its example."""

from __future__ import annotations

import pytest

from conftest import ALL_PROFILES, TOKEN, SecondProject
from dashkit.client import GrafanaClient
from dashkit.config import Credentials
from dashkit.grafana_api import detect
from dashkit.kinds.base import all_kinds

GRAFANA_PROFILES = ALL_PROFILES
KINDS = {kind.name: kind for kind in all_kinds() if kind.syncable}


def test_every_syncable_kind_declares_an_example():
    missing = sorted(name for name, kind in KINDS.items() if kind.example is None)
    assert not missing, f"give these kinds an `example` (a KindExample): {missing}"
    for kind in KINDS.values():
        assert kind.example.after_ui_edit in ("drift", "restored", "locked"), kind.name


@pytest.fixture
def grafana_client(grafana):
    client = GrafanaClient(grafana.url, Credentials(user="admin", password="admin"))
    yield client, detect(client, "auto", "default")
    client.close()


def _write(project, files: dict[str, str], change: tuple[str, str] | None = None) -> None:
    for rel, text in files.items():
        project.write(rel, text.replace(*change) if change else text)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_kind_contract(kind, grafana, grafana_client, project, dashkit):
    example = KINDS[kind].example
    client, api = grafana_client
    _write(project, example.files)
    first = dashkit("sync", "--env", "local", "--yes")
    assert first.code == 0 and f"+ {kind} " in first.out, first.text
    assert example.present(client, api)

    grafana.reset_stats()
    second = dashkit("sync", "--env", "local", "--yes")
    assert second.code == 0 and "No changes" in second.out, second.out
    assert grafana.writes() == 0

    if example.change is not None:
        _write(project, example.files, example.change)
        grafana.reset_stats()
        changed = dashkit("sync", "--env", "local", "--yes")
        assert changed.code == 0 and f"~ {kind} " in changed.out, changed.text
        assert grafana.writes() == 1, changed.out

    status = example.ui_edit(client, api)
    grafana.reset_stats()
    after = dashkit("sync", "--env", "local", "--yes")
    if example.after_ui_edit == "locked":
        assert status >= 400 and after.code == 0 and "No changes" in after.out, (status, after.text)
    elif example.after_ui_edit == "drift":
        assert status < 300 and after.code == 5 and f"! {kind} " in after.out and grafana.writes() == 0, after.text
        assert dashkit("sync", "--env", "local", "--yes", "--force").code == 0
    else:
        assert status < 300 and after.code == 0 and f"~ {kind} " in after.out, (status, after.text)
        assert grafana.writes() == 1
    assert dashkit("diff", "--env", "local", "--exit-code").code == 0

    for rel in example.files:
        project.remove(rel)
    kept = dashkit("sync", "--env", "local", "--yes")
    assert kept.code == 0 and example.present(client, api), kept.text  # nothing is deleted without --prune
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0 and f"- {kind} " in pruned.out, pruned.text
    assert not example.present(client, api)
    assert "No changes" in dashkit("sync", "--env", "local", "--yes", "--prune").out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_another_owners_resource_of_the_kind_is_left_alone(kind, grafana, grafana_client, project, dashkit,
                                                           tmp_path):
    example = KINDS[kind].example
    client, api = grafana_client
    (tmp_path / "other").mkdir()
    other = SecondProject(tmp_path / "other", grafana.url, owner="team-b")
    _write(other.project, example.files)
    assert other("sync", "--env", "local", "--yes").code == 0
    project.write("dashboards/mine.py", 'dashboard = {"title": "Mine", "panels": []}\n')

    grafana.reset_stats()
    pruned = dashkit("sync", "--env", "local", "--yes", "--prune")
    assert pruned.code == 0, pruned.text
    assert f"- {kind} " not in pruned.out and example.present(client, api), pruned.out
    assert "No changes" in other("diff", "--env", "local").out  # untouched: the other project sees nothing to do
    assert TOKEN not in pruned.text
