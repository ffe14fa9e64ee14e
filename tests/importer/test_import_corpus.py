"""Every dashboard of the real-world corpus imports as a ruff-clean module that builds back exactly the same."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS
from dashkit.importer.adopt import UnsupportedDashboard, adopt, check_supported
from dashkit.importer.definition_writer import module_name, module_source
from dashkit.importer.fidelity import check
from dashkit.kinds.dashboard import SERVER_MANAGED
from dashkit.loader import import_definition
from dashkit.normalize import plain_json

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
NODE_EXPORTER_FULL = CORPUS / "rfmoz+grafana-dashboards/prometheus/node-exporter-full.json"


def corpus_dashboards() -> list[tuple[Path, dict]]:
    found = []
    for path in sorted(CORPUS.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        try:
            check_supported(data)
        except UnsupportedDashboard:
            continue
        found.append((path, data))
    return found


def ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if not found:
        pytest.skip("ruff is not installed")
    return found


def strict(dashboard: dict) -> str:
    """Canonical JSON that, unlike dashkit's diff, tells 1 from 1.0 and True from 1."""
    return json.dumps({k: v for k, v in plain_json(dashboard).items() if k not in SERVER_MANAGED}, sort_keys=True)


def generate(path: Path, data: dict) -> tuple[dict, str]:
    adopted = adopt(data)
    source = module_source(adopted.dashboard, source=path.relative_to(CORPUS).as_posix(), notes=adopted.notes)
    return adopted.dashboard, source


def test_every_corpus_dashboard_imports_ruff_clean_and_builds_back_exactly(project):
    dashboards = corpus_dashboards()
    assert len(dashboards) >= 245
    folder = project.root / "dashboards"
    folder.mkdir(exist_ok=True)
    taken: set[str] = set()
    failures = []
    for path, data in dashboards:
        expected, source = generate(path, data)
        name = module_name(expected["title"], taken)
        taken.add(name)
        module = folder / f"{name}.py"
        module.write_text(source, encoding="utf-8")
        fidelity = check(module, project.root, expected)
        if not fidelity.identical:
            failures.append(f"{path.relative_to(CORPUS)}: {fidelity.differences[:3]}")
            continue
        built = import_definition(project.root, module).module.dashboard
        if strict(built) != strict(expected):
            failures.append(f"{path.relative_to(CORPUS)}: equal for dashkit's diff, but a value changed type")
    assert len(taken) == len(dashboards)
    assert not failures, f"{len(failures)} of {len(dashboards)} differ:\n" + "\n".join(failures[:5])
    lint = subprocess.run([ruff(), "check", "--no-cache", "--config", str(PYPROJECT), str(folder)],
                          capture_output=True, text=True, cwd=PYPROJECT.parent)
    assert lint.returncode == 0, lint.stdout[-3000:] + lint.stderr[-1000:]


def test_the_largest_dashboard_generates_the_same_bytes_every_time():
    path, data = max(corpus_dashboards(), key=lambda item: len(json.dumps(item[1])))
    _, first = generate(path, data)
    _, second = generate(path, json.loads(path.read_text(encoding="utf-8")))
    assert first == second
    script = ("import json, sys; from dashkit.importer.adopt import adopt; "
              "from dashkit.importer.definition_writer import module_source; "
              "a = adopt(json.load(open(sys.argv[1], encoding='utf-8'))); "
              "sys.stdout.buffer.write(module_source(a.dashboard, source=sys.argv[2], notes=a.notes).encode())")
    other_process = subprocess.run([sys.executable, "-c", script, str(path), path.relative_to(CORPUS).as_posix()],
                                   capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert other_process.stdout == first.encode()


def test_node_exporter_full_reads_like_a_hand_written_definition():
    _, source = generate(NODE_EXPORTER_FULL, json.loads(NODE_EXPORTER_FULL.read_text(encoding="utf-8")))
    assert source.startswith('"""Node Exporter Full: imported by `dashkit import` from rfmoz+grafana-dashboards/')
    assert "from dashkit.builders.exact import dashboard_json, panel, row, target, variable\n" in source
    assert 'VARIABLES = [\n    variable(\n        "datasource",\n        "ds_prometheus",' in source
    assert 'panel(\n        "timeseries",\n        "CPU",\n' in source and 'panel(\n        "gauge",\n' in source
    assert re.search(r'target\(\n\s+"A",\n\s+expr=', source)
    assert 'MEMORY_MEMINFO_ROW = row("Memory Meminfo", MEMORY_MEMINFO, id=266, ' in source  # a collapsed row
    assert "PANELS = [\n    *QUICK_CPU_MEM_DISK,\n    *BASIC_CPU_MEM_NET_DISK,\n    CPU_MEMORY_NET_DISK_ROW," in source
    assert 'dashboard = dashboard_json(\n    "Node Exporter Full",\n    uid="rYdddlPWk",\n    panels=PANELS,' in source
    assert '{"h": ' not in source and "json.loads" not in source  # grid=(x, y, w, h), not a JSON blob
    assert max(len(line) for line in source.splitlines()) <= 120
