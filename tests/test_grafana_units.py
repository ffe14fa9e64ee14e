"""Grafana unit ids: the ones Grafana knows, its custom forms, suggestions for typos, and every unit the corpus uses."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashkit.grafana_units import UNITS, is_known_unit, suggest_unit
from dashkit.lint.walk import panels

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

# Units the corpus uses that are not Grafana ids. Grafana shows such a unit verbatim as a suffix, so these
# dashboards render "3 rds"; each is a real mistake upstream, not a gap in UNITS.
CORPUS_INVALID_UNITS = {
    "rds",  # kube-prometheus node-mixin "Memory Saturation (Major Page Faults)"; no such id (reads/sec is 'rps')
    "read/s",  # dotdc k8s-views-nodes "Completed reads by disk": free text for 'rps'
    "write/s",  # dotdc k8s-views-nodes "Completed writes by disk": free text for 'wps'
    "io/s",  # dotdc k8s-views-nodes "Disk(s) io/s": free text for 'iops'
}


@pytest.mark.parametrize(
    "unit",
    ["s", "ms", "µs", "percentunit", "reqps", "rps", "Bps", "binBps", "bytes", "decbytes", "short", "none",
     "celsius", "dateTimeAsIso", "currencyUSD", "conμgm3", "bool_yes_no", "farenheit"],
)
def test_grafana_unit_ids_are_known(unit):
    assert unit in UNITS
    assert is_known_unit(unit)


@pytest.mark.parametrize(
    "unit",
    ["suffix: req", "prefix:€", "si:mB", "count:jobs", "currency:CAD", "time:YYYY-MM-DD", "bool:up/down"],
)
def test_custom_unit_forms_are_known(unit):
    assert is_known_unit(unit)


@pytest.mark.parametrize(
    "unit",
    ["", "seconds", "Percent", "us", "suffix:", "unit:req", ":req", "bytes ", "rds", "req/s", "time_series"],
)
def test_typos_and_free_text_are_not_known(unit):
    assert not is_known_unit(unit)


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("seconds", "s"), ("sec", "s"), ("secs", "s"), ("milliseconds", "ms"), ("us", "µs"),
        ("percentage", "percent"), ("bytes/sec", "Bps"), ("bits/sec", "bps"), ("Mbps", "Mbits"),
        ("req/s", "reqps"), ("read/s", "rps"), ("io/s", "iops"), ("Hz", "hertz"),
        ("Percent", "percent"), ("MS", "ms"), ("celcius", "celsius"), ("kbyte", "kbytes"),
        ("percentunits", "percentunit"), ("farenheight", "fahrenheit"), (" bytes", "bytes"),
    ],
)
def test_suggestions_for_common_mistakes(typo, suggestion):
    assert suggest_unit(typo) == suggestion
    assert is_known_unit(suggestion)


def test_no_suggestion_when_nothing_is_close_and_a_known_unit_suggests_itself():
    assert suggest_unit("wombats") is None
    assert suggest_unit("BPS") is None  # 'bps' or 'Bps': bits or bytes, a guess would mislead
    assert suggest_unit("rps") == "rps"  # reads/sec is an id of its own, not a typo for 'reqps'


def _panels(dashboard: dict) -> Iterator[dict]:
    """Every panel, including those nested in collapsed rows and in legacy `rows[]` (dashkit's own walker)."""
    return (ref.panel for ref in panels(dashboard, include_rows=True))


def _units(panel: dict) -> Iterator[str]:
    field_config = panel.get("fieldConfig") or {}
    yield field_config.get("defaults", {}).get("unit")
    for override in field_config.get("overrides") or []:
        yield from (prop.get("value") for prop in override.get("properties", []) if prop.get("id") == "unit")
    yield from (axis.get("format") for axis in panel.get("yaxes") or [])  # legacy graph
    if panel.get("type") == "singlestat":  # elsewhere a panel `format` is a stray query format
        yield panel.get("format")
    yield from (style.get("unit") for style in panel.get("styles") or [] if style.get("type") == "number")
    options = panel.get("options") or {}
    yield (options.get("fieldOptions") or {}).get("defaults", {}).get("unit")  # Grafana 6 gauge
    yield (options.get("yAxis") or {}).get("unit")  # heatmap
    if panel.get("type") == "heatmap":
        yield (panel.get("yAxis") or {}).get("format")  # legacy heatmap


def test_every_unit_in_the_corpus_is_a_grafana_unit():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    checked, unknown = 0, {}
    for path in sorted(CORPUS.rglob("*.json")):
        dashboard = json.loads(path.read_text())
        for panel in _panels(dashboard):
            for unit in _units(panel):
                if unit is None:
                    continue
                checked += 1
                if not is_known_unit(unit):
                    unknown.setdefault(unit, f"{path.relative_to(CORPUS)}: {panel.get('title')!r}")
    assert checked > 6000, f"only {checked} units found: is the corpus walk broken?"
    assert unknown.keys() - CORPUS_INVALID_UNITS == set(), f"unknown units (first use): {unknown}"
    assert CORPUS_INVALID_UNITS - unknown.keys() == set(), "allow-listed units no longer in the corpus"
