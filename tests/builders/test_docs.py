"""docs/builders.md is generated from the examples in scripts/builder_docs.py and must match the code."""

import importlib.util
import inspect
from pathlib import Path

import dashkit.builders as builders

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "builder_docs.py"


def test_builder_page_is_up_to_date():
    spec = importlib.util.spec_from_file_location("builder_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.PAGE.read_text() == module.render(), "run: .venv/bin/python scripts/builder_docs.py"


def test_every_public_builder_has_a_docstring():
    missing = [name for name in builders.__all__
               if callable(getattr(builders, name)) and not inspect.getdoc(getattr(builders, name))]
    assert missing == []
