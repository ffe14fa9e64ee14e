"""YAML that would cost minutes and gigabytes to expand is refused in milliseconds; ordinary anchors still work."""


import pytest
import yaml

from dashkit.emulator.config import load_datasources
from dashkit.safe_yaml import MAX_ALIAS_NODES, SafeLoader, YAMLTooExpensive, _Bounded, safe_load, safe_load_all


def alias_bomb(levels: int = 9, fan_out: int = 10) -> str:
    """Billion laughs: each anchor is a list of `fan_out` aliases of the previous one (under 1 KB of text)."""
    lines = ["kind: List", "a0: &a0 [" + ", ".join(["lol"] * fan_out) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan_out) + "]" for i in range(1, levels)]
    lines.append(f"items: [*a{levels - 1}]")
    return "\n".join(lines) + "\n"


def merge_bomb(levels: int = 9) -> str:
    """The same with merge keys: every level merges ten copies of the previous mapping."""
    lines = ["a0: &a0 {" + ", ".join(f"k{i}: {i}" for i in range(10)) + "}"]
    lines += [f"a{i}: &a{i} {{<<: [" + ", ".join([f"*a{i - 1}"] * 10) + "]}" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


class PurePythonLoader(_Bounded, yaml.SafeLoader):
    """The bound on PyYAML's pure-Python loader, used where libyaml is not installed."""


LOADERS = [SafeLoader, PurePythonLoader]


@pytest.mark.parametrize("loader", LOADERS, ids=["default", "pure-python"])
@pytest.mark.parametrize("text", [alias_bomb(), merge_bomb()], ids=["aliases", "merge-keys"])
def test_an_alias_bomb_is_refused_before_it_expands(loader, text):
    assert len(text.encode()) < 1024
    with pytest.raises(YAMLTooExpensive, match=f"expand to more than {MAX_ALIAS_NODES:,} nodes"):
        yaml.load(text, Loader=loader)


def test_a_recursive_alias_is_refused():
    with pytest.raises(YAMLTooExpensive, match="recursive alias"):
        safe_load("a: &a [1, *a]\n")


def test_nesting_too_deep_for_the_parser_is_a_yaml_error_not_a_crash():
    with pytest.raises(yaml.YAMLError):
        yaml.load("[" * 5000 + "]" * 5000, Loader=PurePythonLoader)


def test_ordinary_anchors_and_merges_load_as_before():
    text = """\
        defaults: &defaults {severity: page, team: api}
        rules:
          - {alert: A, labels: *defaults}
          - {alert: B, labels: {<<: *defaults, severity: ticket}}
        """
    data = safe_load(text.replace("        ", "", 1).replace("\n        ", "\n"))
    assert data["rules"][0]["labels"] == {"severity": "page", "team": "api"}
    assert data["rules"][1]["labels"] == {"severity": "ticket", "team": "api"}


def test_expansion_just_under_the_bound_is_allowed():
    # 4 levels of 10 add about 23k nodes through aliases; 5 levels add about 222k, over the bound.
    assert len(safe_load(alias_bomb(levels=4))["a3"]) == 10
    with pytest.raises(YAMLTooExpensive):
        safe_load(alias_bomb(levels=5))


def test_the_bound_counts_the_whole_stream_not_each_document():
    document = alias_bomb(levels=4)  # about 23k nodes added by aliases
    assert len(list(safe_load_all("---\n".join([document] * 4)))) == 4
    with pytest.raises(YAMLTooExpensive):
        list(safe_load_all("---\n".join([document] * 5)))


def test_every_yaml_reader_is_bounded_emulator_datasource_seed_included(tmp_path):
    seed = tmp_path / "datasources.yaml"
    seed.write_text(alias_bomb())
    with pytest.raises(ValueError, match="not valid YAML: its aliases expand"):
        load_datasources(seed)
