"""Real dashboards nobody on this team wrote (../shared/corpus): they sync, stay quiet, and diff by panel."""

import itertools
import json

import pytest

from conftest import CORPUS
from dashkit.diff import semantic_diff
from dashkit.kinds.base import get_kind

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")

CURRENT = {
    "kube_prometheus": "prometheus-operator+kube-prometheus/dashboards",
    "node_exporter_full": "rfmoz+grafana-dashboards/prometheus",
    "dotdc_kubernetes": "dotdc+grafana-dashboards-kubernetes/dashboards",
}
NODE_FULL = CORPUS / "rfmoz+grafana-dashboards/revisions/node-exporter-full"


def _corpus_module(folder: str) -> str:
    return (
        "import json, pathlib\n"
        f"FILES = sorted(pathlib.Path({str(CORPUS / folder)!r}).glob('*.json'))\n"
        "dashboards = [json.loads(p.read_text()) for p in FILES]\n"
    )


def test_corpus_dashboards_sync_and_second_sync_makes_no_writes(grafana, project, dashkit):
    for name, folder in CURRENT.items():
        project.write(f"dashboards/{name}.py", _corpus_module(folder))
    first = dashkit("sync", "--env", "local", "--yes")
    assert first.code == 0, first.text[-3000:]
    count = sum(len(list((CORPUS / f).glob("*.json"))) for f in CURRENT.values())
    assert len(grafana.search(type="dash-db")) == count
    grafana.reset_stats()
    second = dashkit("sync", "--env", "local", "--yes")
    assert second.code == 0 and "No changes" in second.out
    assert grafana.writes() == 0


def _revisions():
    index = [line.split("\t") for line in (NODE_FULL / "INDEX.tsv").read_text().splitlines() if line.strip()]
    return [(NODE_FULL / row[0], row[3]) for row in index]  # newest first


def _diff(older, newer):
    kind = get_kind("dashboard")
    before, after = (json.loads(p.read_text()) for p in (older, newer))
    return semantic_diff(kind.comparable(before, ""), kind.comparable(after, ""), kind.keyed_lists())


def test_revision_diffs_say_what_the_commit_message_says():
    revisions = _revisions()
    by_message = {message: (revisions[i + 1][0], path) for i, (path, message) in enumerate(revisions[:-1])}
    root_fs = _diff(*by_message["Fix Root FS Used panel description"])
    assert [line.path for line in root_fs] == ["row 'Quick CPU / Mem / Disk' > panel 'Root FS Used': description"]
    zswap = _diff(*by_message["Add Memory Zswap panel"])
    assert [(line.op, line.path) for line in zswap] == [("+", "row 'Memory Meminfo' > panel 'Memory Zswap'")]
    hung = _diff(*by_message["Add kernel hung tasks to Processes Status"])
    assert ("+", "row 'System Processes' > panel 'Processes Status' > target C") in [
        (line.op, line.path) for line in hung
    ]
    orphans = _diff(*by_message["node-exporter-full: fix queries, units, text, remove orphan overrides"])
    assert any(line.op == "-" and line.path.endswith("override 'RAM_Free'") for line in orphans)


def test_every_revision_diff_names_panels_not_indices():
    revisions = _revisions()
    for (newer, _), (older, message) in itertools.pairwise(revisions):
        for line in _diff(older, newer):
            assert not line.path.startswith(("panels[", "[")), (message, line.path)


def test_sync_of_a_newer_revision_is_one_write_naming_the_panel(grafana, project, dashkit):
    revisions = dict((message, path) for path, message in _revisions())
    older = revisions["Add kernel hung tasks to Processes Status"]
    newer = revisions["Remove deprecated Bounce memory metric from Memory Kernel panel"]
    module = "import json, pathlib\ndashboard = json.loads(pathlib.Path({!r}).read_text())\n"
    project.write("dashboards/node.py", module.format(str(older)))
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    project.write("dashboards/node.py", module.format(str(newer)))
    diff = dashkit("diff", "--env", "local")
    assert "- row 'Memory Meminfo' > panel 'Memory Kernel / CPU' > target C" in diff.out
    grafana.reset_stats()
    assert dashkit("sync", "--env", "local", "--yes").code == 0
    assert grafana.writes() == 1
