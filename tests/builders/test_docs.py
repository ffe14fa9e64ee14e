"""docs/builders.md and docs/grafanalib.md are generated from the examples in scripts/builder_docs.py and must match
the code."""

import importlib.util
import inspect
from pathlib import Path

import dashkit.builders as builders

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "builder_docs.py"


def _script():
    spec = importlib.util.spec_from_file_location("builder_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_builder_page_is_up_to_date():
    module = _script()
    assert module.PAGE.read_text() == module.render(), "run: .venv/bin/python scripts/builder_docs.py"


def test_every_option_of_the_dashboard_builders_is_described():
    module = _script()
    assert set(module.OPTIONS.values()) >= {"dashboard", "service_dashboard", "node_dashboard", "overview_dashboard",
                                            "service_alerts"}
    for name in module.OPTIONS.values():
        builder = getattr(builders, name)
        described = module.options_of(builder)
        assert list(described) == list(inspect.signature(builder).parameters), f"{name}: the docstring's Options:"
        assert all(text.strip() for text in described.values())


def test_the_page_shows_how_to_leave_out_logs_and_traces_and_add_panels():
    page = _script().PAGE.read_text()
    for words in ("| `traces_datasource` | `'tempo'` |", "| `logs_datasource` | `'loki'` |", "| `extra_rows` | `()` |",
                  'service_dashboard("checkout", traces_datasource=None, logs_datasource=None)',
                  '  [ 0, 49 24x1 ] #22  row                Business'):
        assert words in page


def test_every_public_builder_has_a_docstring():
    missing = [name for name in builders.__all__
               if callable(getattr(builders, name)) and not inspect.getdoc(getattr(builders, name))]
    assert missing == []


def test_grafanalib_page_is_up_to_date():
    module = _script()
    page = module.GRAFANALIB_PAGE
    assert page.name == "grafanalib.md"
    assert page.read_text() == module.render(page), "run: .venv/bin/python scripts/builder_docs.py"


def test_the_grafanalib_page_shows_both_directions_and_alert_groups():
    page = _script().GRAFANALIB_PAGE.read_text()
    for words in ("  [12,  0 12x8 ] #2   timeseries         Error rate  (reqps)",  # a builder panel in grafanalib
                  "      [ 0, 10 12x8 ] #6   timeseries         Requests by route  (reqps)",  # layout() in grafanalib
                  "  [ 0,  1 12x8 ] #2   stat               Up  (none)",  # a grafanalib panel in dashboard()
                  "`alert_group` (one) or `alert_groups` (a list)",
                  '"datasourceUid": "__expr__"'):
        assert words in page
