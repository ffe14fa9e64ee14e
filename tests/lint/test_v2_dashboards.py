"""Schema-v2 dashboards are linted by the same rules as classic ones, and findings point into the v2 document."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from dashkit.lint.documents import from_paths
from dashkit.lint.registry import all_rules
from dashkit.lint.runner import lint
from dashkit.schema_v2 import V2_VERSIONS, classic_to_v2

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
CLASSIC_ONLY = {rule.code for rule in all_rules() if rule.classic_only}
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")


def _modern_corpus_dashboards() -> list[Path]:
    """Corpus dashboards already in the panel model with no Angular panels: their v2 form loses nothing a rule
    reads (Angular graph options such as `yaxes` have no place in v2, as in Grafana)."""
    out = []
    for path in sorted(CORPUS.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        data = data.get("dashboard", data) if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("panels"), list) or data.get("rows"):
            continue
        types = {p.get("type") for p in data["panels"] if isinstance(p, dict)}
        if types & {"graph", "singlestat", "table-old"}:
            continue
        out.append(path)
    return out


MODERN = _modern_corpus_dashboards()


def _findings(path: Path):
    docs, problems = from_paths([path])
    return lint(docs, with_lines=True) + problems


def _resolves(document: dict, location: str) -> list:
    """The nodes along `location` that exist in the document."""
    node, seen = document, []
    for name, index in _TOKEN.findall(location):
        if index:
            if not isinstance(node, list) or int(index) >= len(node):
                break
            node = node[int(index)]
        else:
            if not isinstance(node, dict) or name not in node:
                break
            node = node[name]
        seen.append(name or index)
    return seen


def test_the_corpus_has_modern_dashboards_to_compare():
    assert len(MODERN) >= 40


@pytest.mark.parametrize("version", V2_VERSIONS)
def test_a_v2_dashboard_gets_the_findings_of_its_classic_form_at_its_own_paths(tmp_path, version):
    for index, source in enumerate(MODERN[::4]):
        classic = json.loads(source.read_text(encoding="utf-8"))
        classic = classic.get("dashboard", classic)
        v2 = {"apiVersion": f"dashboard.grafana.app/{version}", "kind": "Dashboard",
              "metadata": {"name": f"d{index}"}, "spec": classic_to_v2(classic, version)}
        classic_path = tmp_path / f"classic{index}.json"
        v2_path = tmp_path / f"v2-{index}.json"
        classic_path.write_text(json.dumps(classic, indent=2))
        v2_path.write_text(json.dumps(v2, indent=2))

        expected = Counter((f.code, f.severity, f.message) for f in _findings(classic_path)
                           if f.code not in CLASSIC_ONLY)
        found = _findings(v2_path)
        assert Counter((f.code, f.severity, f.message) for f in found) == expected, source
        for finding in found:
            assert "panels[" not in finding.location and "templating" not in finding.location, finding
            reached = _resolves(v2, finding.location)
            assert len(reached) >= min(3, len(_TOKEN.findall(finding.location))), (source, finding.location)
            if finding.location.startswith("spec.elements."):
                assert reached[:3] == finding.location.split(".")[:3]
                assert finding.line is not None and finding.line > 1


def test_a_bare_v2_spec_is_linted_too(tmp_path):
    classic = json.loads(MODERN[0].read_text(encoding="utf-8"))
    classic = classic.get("dashboard", classic)
    path = tmp_path / "bare.json"
    path.write_text(json.dumps(classic_to_v2(classic, "v2beta1")))
    found = _findings(path)
    assert found and all(not f.location.startswith(("spec.", "panels[")) for f in found)
    assert "DK101" not in {f.code for f in found}  # a bare spec has no uid field: its name is metadata's


def test_rules_about_the_classic_model_only_say_so():
    assert {"DK101", "DK103", "DK104"} <= CLASSIC_ONLY
