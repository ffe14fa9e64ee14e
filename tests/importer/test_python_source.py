"""The printer writes Python literals that evaluate back to exactly the JSON they came from, within 120 columns."""

import itertools
import json
import math
import unicodedata

import pytest

from dashkit.importer.python_source import render_literal


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def assert_fits(source: str) -> None:
    too_long = [line for line in source.splitlines() if columns(line) > 120]
    assert not too_long, too_long[:3]


def roundtrip(value, indent: int = 0):
    text = render_literal(value, indent)
    assert_fits(" " * indent + text)
    return eval(text), text


PROMQL = ('sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{cluster="$cluster", namespace="$namespace",'
          ' pod=~"$pod", container!="", image!=""}[$__rate_interval])) / on (namespace, pod) group_left '
          'sum by (namespace, pod) (kube_pod_container_resource_requests{resource="cpu"})')


@pytest.mark.parametrize("text", [
    PROMQL,
    "x" * 400,  # no break point at all
    "# Title\n\nSome *markdown* with a [link](https://example.com/a/very/long/path?with=query&and=more).\n" * 6,
    "\\n is not a newline, \\\\ is two backslashes, \t tab, \x00 nul, \u2028 line separator, \ufeff bom " * 5,
    "double \" and single ' quotes, 'both' \"mixed\" " * 8,
    "日本語のダッシュボード、監視パネルの説明文です。" * 10,  # wide characters count two columns
    "emoji 🚀🔥 and accents é ü ñ " * 10,
    "\ud800 lone surrogate " * 12,
])
def test_long_strings_split_within_120_columns_and_rejoin_equal(text):
    for indent in (0, 8, 40):
        value, source = roundtrip({"content": text}, indent)
        assert value == {"content": text}
        assert source.count("\n") > 2  # actually split


def test_long_strings_break_at_spaces_and_after_newlines():
    _, source = roundtrip(PROMQL)
    pieces = [line.strip()[1:-1] for line in source.splitlines()[1:-1]]
    assert len(pieces) == 3 and all(piece.endswith(" ") for piece in pieces[:-1])
    label_matchers = "x" * 60 + "".join(f'{{label_{i}="value_{i}"}}' for i in range(8))  # no space to break at
    _, source = roundtrip(label_matchers)
    pieces = [line.strip()[1:-1] for line in source.splitlines()[1:-1]]
    assert all(a[-1] in ",}" or b[0] == "{" for a, b in itertools.pairwise(pieces))  # between tokens, not in a word
    markdown = "line one\nline two\nline three " + "word " * 30
    _, source = roundtrip(markdown)
    assert source.splitlines()[1:3] == ['    "line one\\n"', '    "line two\\n"']


def test_an_escape_sequence_is_never_cut():
    text = "\\" * 300 + "\x01" * 100
    value, source = roundtrip(text)
    assert value == text
    assert all(line.strip() in ("(", ")") or line.strip().startswith('"') for line in source.splitlines())


@pytest.mark.parametrize("number", [0.1, 1.0, -0.0, 1e-7, 1e300, 5e-324, 2.5e16, 1 / 3, 10**30, -7, True, False])
def test_numbers_round_trip_exactly_with_their_type(number):
    value, _ = roundtrip([number])
    assert type(value[0]) is type(number) and value[0] == number
    assert math.copysign(1, value[0]) == math.copysign(1, number)


def test_nan_and_infinity_are_written_as_float_calls():
    value, text = roundtrip([float("inf"), float("-inf"), float("nan")])
    assert value[:2] == [float("inf"), float("-inf")] and math.isnan(value[2])
    assert text == '[float("inf"), -float("inf"), float("nan")]'


def test_short_collections_stay_on_one_line_long_ones_get_trailing_commas():
    assert render_literal({"a": [1, 2], "b": None, "c": {}}) == '{"a": [1, 2], "b": None, "c": {}}'
    nested = {"level1": {"level2": [{"key": f"value {i}", "n": i} for i in range(8)]}, "tail": "x"}
    value, source = roundtrip(nested)
    assert value == nested
    assert source.splitlines()[:3] == ["{", '    "level1": {', '        "level2": [']
    assert '            {"key": "value 0", "n": 0},' in source.splitlines()
    assert source.endswith('    "tail": "x",\n}')


def test_a_key_longer_than_a_line_is_split_too():
    value, _ = roundtrip({"k" * 150: 1, "short": {"x" * 130: [1, 2]}})
    assert value == {"k" * 150: 1, "short": {"x" * 130: [1, 2]}}


def test_output_is_deterministic_and_keeps_key_order():
    value = {"z": 1, "a": [3, 2, 1], "m": {"y": PROMQL, "b": 2}}
    assert render_literal(value) == render_literal(json.loads(json.dumps(value)))
    assert list(eval(render_literal(value))) == ["z", "a", "m"]
