"""`dashkit lint --fix`: the registered fixers over the dashboards of the JSON files given, a check that every query
is kept, and each changed file written back in its own layout. Findings a fixer leaves are reported with why."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ...wording import plural
from ..config import LintConfig
from ..documents import from_paths
from ..model import DocKind, Document, Finding
from ..runner import lint
from ..walk import as_list, panels, variables
from .dashboard_uid import derived_uid
from .json_edits import resolve
from .rate_interval import rewrite
from .registry import FixContext, Fixed, Fixer, all_fixers
from .report import FileFix, FixReport
from .writer import detect_layout, render, reproducible, write_atomically


def fix_documents(docs: list[Document], config: LintConfig, roots: Iterable[Path],
                  logical_names: dict[str, str] | None = None) -> FixReport:
    """Fix what the enabled fixers can in the documents read from `roots` (the files and folders given to lint),
    write the JSON files that changed, and report file by file. The documents of a touched file are left changed in
    memory: `reread` them before linting. `logical_names`: datasource uid -> the project's logical name for it."""
    fixers = [f for f in all_fixers() if any(config.enabled(code) for code in f.codes)]
    codes = {code for f in fixers for code in f.codes if config.enabled(code)}
    report = FixReport()
    if not codes:
        return report
    dashboards = [d for d in docs if d.kind is DocKind.DASHBOARD]
    ctx = FixContext(
        uids_in_use=Counter(d.data["uid"] for d in dashboards if isinstance(d.data.get("uid"), str) and d.data["uid"]),
        uids_derived=Counter(uid for uid in (derived_uid(d.data) for d in dashboards) if uid),
        logical_names=dict(logical_names or {}))
    roots = list(roots)
    by_file: dict[str, list[tuple[Document, list[Finding]]]] = {}
    for doc, found in zip(dashboards, _findings(dashboards, codes, config), strict=True):
        by_file.setdefault(doc.path, []).append((doc, found))
    for path, file_docs in by_file.items():
        wanted = [(doc, found) for doc, found in file_docs if found]
        if not wanted:
            continue
        record = FileFix(path)
        report.files.append(record)
        handled = f"{plural(sum(len(found) for _, found in wanted), 'finding')} --fix handles"
        if Path(path).suffix != ".json":
            record.notes.append(f"not fixed: YAML is not rewritten ({handled})")
            continue
        link = _link_in(Path(path), roots)
        if link is not None:
            record.notes.append(f"not fixed: {link} is a symbolic link, which --fix does not write through "
                                f"({handled})")
            continue
        _fix_file(record, wanted, fixers, config, ctx)
    return report


def reread(docs: list[Document], report: FixReport, exclude: Iterable[str] = ()) -> list[Document]:
    """The documents with those of every file --fix touched read again from disk (as written, or as they were)."""
    touched = set(report.touched)
    if not touched:
        return docs
    again: dict[str, list[Document]] = {path: from_paths([Path(path)], exclude)[0] for path in touched}
    out: list[Document] = []
    for doc in docs:
        if doc.path not in touched:
            out.append(doc)
        elif doc.path in again:
            out.extend(again.pop(doc.path))
    return out


def _fix_file(record: FileFix, wanted: list[tuple[Document, list[Finding]]], fixers: list[Fixer],
              config: LintConfig, ctx: FixContext) -> None:
    path = Path(record.path)
    text = path.read_text(encoding="utf-8")
    root: Any = None
    fixable: list[tuple[Document, list[Finding]]] = []
    for doc, found in wanted:
        if doc.facts.get("schema_v2"):
            record.notes.append(f"not fixed{_at(doc)}: a schema v2 dashboard (--fix changes the classic JSON model)")
            continue
        if doc.prefix:  # inside a wrapper ({dashboard, meta}, a List...): fix it inside the file's whole JSON
            if root is None:
                root = json.loads(text)
            held = resolve(root, doc.prefix)
            if not isinstance(held, dict):
                record.notes.append(f"not fixed{_at(doc)}: the dashboard is JSON text in a string field, which "
                                    "--fix does not rewrite")
                continue
            doc = dataclasses.replace(doc, data=held, facts={})
        else:
            root = doc.data
        fixable.append((doc, found))
    kept = True
    for doc, found in fixable:
        before = _queries(doc.data)
        if not _run_fixers(record, doc, found, fixers, config, ctx):
            continue
        record.touched = True
        if not _same_queries(before, _queries(doc.data), doc.data):
            record.notes.append(f"not fixed{_at(doc)}: a fix changed a query, which --fix must never do; the file "
                                "is left as it was (please report this)")
            kept = False
    if not record.touched or not kept:
        return
    layout = detect_layout(text)
    new_text = render(root, layout)
    if new_text == text:
        return
    try:
        write_atomically(path, new_text)
    except OSError as exc:
        record.notes.append(f"not written: {exc}")
        return
    record.written = True
    if not reproducible(text, layout):
        record.notes.append("note: the whole file was laid out anew: its indentation is not one --fix reproduces")


def _run_fixers(record: FileFix, doc: Document, found: list[Finding], fixers: list[Fixer], config: LintConfig,
                ctx: FixContext) -> bool:
    """Run each fixer on the findings of its rules; after a stage changed the dashboard (the layout moves panels),
    the findings are looked for again. Whether anything changed."""
    changed = stale = False
    stage = fixers[0].stage if fixers else 0
    for fixer in fixers:
        if fixer.stage != stage and stale:
            found = _findings([doc], {c for f in fixers for c in f.codes}, config)[0]
            stale = False
        stage = fixer.stage
        mine = [f for f in found if f.code in fixer.codes and config.enabled(f.code)]
        if not mine:
            continue
        for outcome in fixer.fix(_fresh(doc), mine, ctx):
            if isinstance(outcome, Fixed):
                record.fixed.append(outcome)
                changed = stale = True
            else:
                record.left.append(outcome)
    return changed


def _findings(docs: list[Document], codes: Iterable[str], config: LintConfig) -> list[list[Finding]]:
    """The findings of these rules in each document, suppressions applied, as lint reports them."""
    only = LintConfig(select={c for c in codes if config.enabled(c)}, severity=config.severity,
                      context=config.context)
    fresh = [_fresh(doc) for doc in docs]
    per_doc: list[list[Finding]] = [[] for _ in docs]
    by_path: dict[str, list[int]] = {}
    for index, doc in enumerate(fresh):
        by_path.setdefault(doc.path, []).append(index)
    for finding in lint(fresh, only):
        candidates = by_path.get(finding.path, [])
        owners = [i for i in candidates if not fresh[i].prefix or finding.location.startswith(fresh[i].prefix)]
        if owners:  # the document whose prefix says the most (one file, several dashboards)
            per_doc[max(owners, key=lambda i: len(fresh[i].prefix))].append(finding)
    return per_doc


def _fresh(doc: Document) -> Document:
    """The document without what rules cached about it (its panels, its queries): they change as it is fixed."""
    return dataclasses.replace(doc, facts={k: v for k, v in doc.facts.items() if not k.startswith("_")})


def _at(doc: Document) -> str:
    return f" ({doc.prefix})" if doc.prefix else ""


def _queries(dashboard: dict[str, Any]) -> set[tuple[str, str]]:
    """Every query of the dashboard as (everything but its expression and datasource, its expression): the
    datasource may become a variable (DK115), the expression's rate() ranges $__rate_interval (DK131)."""
    out = set()
    for ref in panels(dashboard, include_rows=True):
        for target in as_list(ref.panel.get("targets")):
            if isinstance(target, dict):
                rest = {k: v for k, v in target.items() if k not in ("datasource", "expr")}
                out.add((json.dumps(rest, sort_keys=True), json.dumps(target.get("expr"))))
    return out


def _same_queries(before: set[tuple[str, str]], after: set[tuple[str, str]], dashboard: dict[str, Any]) -> bool:
    """Whether the dashboard has the same set of queries, up to the rate() ranges --fix may replace."""
    if before == after:
        return True
    own_interval = any(v.get("name") == "interval" for v in variables(dashboard))

    def normal(queries: set[tuple[str, str]]) -> set[tuple[str, str]]:
        out = set()
        for rest, expr in queries:
            value = json.loads(expr)
            out.add((rest, rewrite(value, own_interval).expr if isinstance(value, str) else expr))
        return out

    return normal(before) == normal(after)


def _link_in(path: Path, roots: list[Path]) -> Path | None:
    """The symbolic link on the way from the root it was found under to the file (the file itself included)."""
    for root in roots:
        try:
            relative = path.relative_to(root)
        except ValueError:
            continue
        probe = root
        for part in relative.parts:
            probe = probe / part
            if probe.is_symlink():
                return probe
        return path if path.is_symlink() else None
    return path if path.is_symlink() else None
