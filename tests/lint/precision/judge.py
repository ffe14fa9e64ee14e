"""Judge lint findings on real upstream files: what is not judged yet, what is gone, and per-rule precision.

    python -m tests.lint.precision.judge               # precision per rule, then the findings not in expected.yaml
    python -m tests.lint.precision.judge --rule DK134  # only one rule (repeatable)
    python -m tests.lint.precision.judge --add         # write those findings into expected.yaml as verdict: todo
    python -m tests.lint.precision.judge --show todo   # list findings by verdict: todo, true, false, skip or gone
    python -m tests.lint.precision.judge --prune       # drop entries judged false/skip whose finding is gone
    python -m tests.lint.precision.judge --ceilings    # accept today's count of false findings per rule

A verdict is true when an expert would fix what the finding says, false when it is wrong or not worth acting on
(with a one-line reason either way); skip marks a finding outside a frequent rule's documented sample.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

import yaml

from .harness import Entry, Expected, compare, key_path, lint_sets, precision_by_rule, precision_table

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def context(file: str, at: str) -> str:
    """A short look at what the JSON path points to: a query, a title, an alert name."""
    try:
        text = key_path(file).read_text(encoding="utf-8")
        docs = [json.loads(text)] if file.endswith(".json") else list(yaml.safe_load_all(text))
    except (OSError, ValueError, yaml.YAMLError):
        return ""
    for doc in docs:
        value = _walk(doc, at)
        if value is not None:
            return _summary(value)
    return ""


def _walk(data: Any, at: str) -> Any:
    for name, index in _TOKEN.findall(at):
        if name and isinstance(data, dict) and name in data:
            data = data[name]
        elif index and isinstance(data, list) and int(index) < len(data):
            data = data[int(index)]
        elif name and isinstance(data, dict) and ".json" in name:  # ConfigMap keys hold dashboards as strings
            return None
        else:
            return None
    return data


def _summary(value: Any) -> str:
    if isinstance(value, dict):
        parts = [f"{k}={value[k]!r}" for k in ("type", "title", "alert", "record", "name", "expr", "unit")
                 if k in value and not isinstance(value[k], dict | list)]
        text = " ".join(parts) or ", ".join(list(value)[:8])
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text[:220] + ("..." if len(text) > 220 else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.lint.precision.judge", description=__doc__.split("\n")[0])
    parser.add_argument("--rule", action="append", default=[], help="only these rule codes")
    parser.add_argument("--add", action="store_true", help="add the unjudged findings to expected.yaml as todo")
    parser.add_argument("--show", choices=["new", "todo", "true", "false", "skip", "gone"], default="new")
    parser.add_argument("--prune", action="store_true", help="drop false/skip entries whose finding is gone")
    parser.add_argument("--ceilings", action="store_true", help="set each rule's false ceiling to today's count")
    args = parser.parse_args(argv)
    wanted = {r.upper() for r in args.rule}

    expected = Expected.load()
    findings = lint_sets()  # no line numbers: dashkit's locator loops on a top-level path like 'editable'
    comparison = compare(findings, expected)
    rows = [r for r in precision_by_rule(comparison) if not wanted or r.rule in wanted]
    print(precision_table(rows))
    print()

    if args.add:
        added = [Entry(file, f.code, f.location, "todo", f.message) for file, f in comparison.new
                 if not wanted or f.code in wanted]
        expected.entries.extend(added)
        expected.dump()
        print(f"added {len(added)} finding(s) as verdict: todo; set each to true or false with a reason")
        return 0
    if args.prune:
        keep = [e for e in expected.entries if not (e in comparison.gone and e.verdict in (False, "skip"))]
        print(f"pruned {len(expected.entries) - len(keep)} entries whose finding is gone")
        expected.entries = keep
        expected.dump()
        return 0
    if args.ceilings:
        expected.false_ceiling = dict(comparison.false_counts())
        expected.dump()
        print("false ceilings:", ", ".join(f"{r}={n}" for r, n in sorted(expected.false_ceiling.items())))
        return 0

    if args.show == "new":
        items = [(file, f.code, f.location, f.message) for file, f in comparison.new]
    elif args.show == "gone":
        items = [(e.file, e.rule, e.at, f"{e.msg}  [{e.verdict}: {e.why}]") for e in comparison.gone]
    else:
        verdict = {"true": True, "false": False}.get(args.show, args.show)
        items = [(e.file, f.code, f.location, f"{f.message}  [{e.why}]") for f, e in comparison.matched
                 if e.verdict is verdict or (isinstance(e.verdict, str) and e.verdict == verdict)]
    items = [i for i in items if not wanted or i[1] in wanted]
    print(f"{len(items)} finding(s): {args.show}")
    last = None
    for file, rule, at, message in sorted(items, key=lambda i: (i[0], i[1], i[2])):
        if file != last:
            print(f"{file}:")
            last = file
        print(f"  - {{rule: {rule}, at: {json.dumps(at)}, verdict: , why: ''}}  # {message}")
        seen = context(file, at)
        if seen:
            print(f"    #   {seen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
