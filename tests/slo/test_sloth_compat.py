"""What dashkit generates for Sloth's own examples is what Sloth generated (../shared/corpus/slok+sloth), up to
formatting: same groups, rule names, labels, annotations, and the same PromQL once parsed."""

import pytest
import yaml

from conftest import CORPUS
from dashkit.builders.slo_spec import parse_document
from dashkit.slo.prometheus import rule_groups

SLOTH = CORPUS / "slok+sloth" / "examples"
EXAMPLES = ["getting-started.yml", "home-wifi.yml", "kubernetes-apiserver.yml", "multifile.yml", "no-alerts.yml",
            "raw-home-wifi.yml"]
GENERATOR_LABELS = {"cmd", "sloth_mode", "sloth_spec", "sloth_version"}  # name the generator, not the SLO

pytestmark = pytest.mark.skipif(not SLOTH.is_dir(), reason="../shared/corpus is not present")


def _canonical(expr: str) -> str:
    import promql_parser

    return promql_parser.parse(expr).prettify()


def _documents(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


@pytest.mark.parametrize("example", EXAMPLES)
def test_same_rules_as_sloth(example):
    ours = [g for doc in _documents(SLOTH / example) for slo in parse_document(doc) for g in rule_groups(slo)]
    theirs = [g for doc in _documents(SLOTH / "_gen" / example) for g in doc["groups"]]
    assert [g["name"] for g in ours] == [g["name"] for g in theirs]
    for group, expected in zip(ours, theirs, strict=True):
        assert len(group["rules"]) == len(expected["rules"]), group["name"]
        for rule, want in zip(group["rules"], expected["rules"], strict=True):
            name = rule.get("record") or rule.get("alert")
            assert name == (want.get("record") or want.get("alert"))
            assert _canonical(rule["expr"]) == _canonical(want["expr"]), name
            labels = {k: v for k, v in rule.get("labels", {}).items() if k not in GENERATOR_LABELS}
            assert labels == {k: v for k, v in want.get("labels", {}).items() if k not in GENERATOR_LABELS}, name
            assert rule.get("annotations") == want.get("annotations"), name
