"""Write docs/rules.md from the registered lint rules (tests/lint/test_rules.py fails when it is stale)."""

from pathlib import Path

from dashkit.lint.explain import reference_markdown

PAGE = Path(__file__).resolve().parents[1] / "docs" / "rules.md"

if __name__ == "__main__":
    PAGE.write_text(reference_markdown())
    print(f"wrote {PAGE}")
