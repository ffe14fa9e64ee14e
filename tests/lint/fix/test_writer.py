"""A fixed file is written in its own layout: indentation, empty containers, escapes, final newline, atomically."""

import json
import os
import stat

import pytest

from conftest import CORPUS
from dashkit.lint.fix.writer import detect_layout, render, reproducible, write_atomically

DATA = {"title": "Café", "panels": [], "templating": {"list": [{"name": "job", "options": {}}]}}


@pytest.mark.parametrize("indent", ["  ", "    ", "\t"])
@pytest.mark.parametrize("final_newline", [True, False])
def test_the_files_own_indentation_and_final_newline_are_kept(indent, final_newline):
    text = json.dumps(DATA, indent=indent, ensure_ascii=False) + ("\n" if final_newline else "")
    layout = detect_layout(text)
    assert layout.indent == indent
    assert render(json.loads(text), layout) == text


def test_escaped_non_ascii_stays_escaped_and_literal_stays_literal():
    escaped = json.dumps(DATA, indent=2)
    literal = json.dumps(DATA, indent=2, ensure_ascii=False)
    assert render(json.loads(escaped), detect_layout(escaped)) == escaped
    assert render(json.loads(literal), detect_layout(literal)) == literal


def test_jsonnet_style_open_empty_containers_and_crlf_are_kept():
    text = ('{\r\n    "links": [\r\n\r\n    ],\r\n    "panels": [\r\n        {\r\n            "options": {\r\n\r\n'
            '            }\r\n        }\r\n    ],\r\n    "title": "x []"\r\n}')
    layout = detect_layout(text)
    assert layout.open_empties and layout.crlf and not layout.final_newline
    assert render(json.loads(text), layout) == text


def test_a_one_line_file_stays_on_one_line():
    text = json.dumps(DATA, separators=(",", ":"))
    assert render(json.loads(text), detect_layout(text)) == text


def test_every_corpus_dashboard_but_one_with_mixed_indentation_is_reproduced():
    mixed = []
    for path in sorted(CORPUS.rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        layout = detect_layout(text)
        if not reproducible(text, layout):
            mixed.append(path.name)
            continue
        again = render(json.loads(text), layout)
        changed = [a for a, b in zip(text.splitlines(), again.splitlines(), strict=True) if a != b]
        assert len(changed) <= 3, path  # at most a float spelt another way (1e-9 → 1e-09)
    assert mixed == ["k8s-addons-trivy-operator.json"]


def test_writing_replaces_the_file_whole_and_keeps_its_permissions(tmp_path):
    path = tmp_path / "d.json"
    path.write_text("{}\n")
    os.chmod(path, 0o640)
    write_atomically(path, '{"uid": "x"}\n')
    assert path.read_text() == '{"uid": "x"}\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]  # no temporary file left
