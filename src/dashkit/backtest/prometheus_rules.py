"""Rule files given on the command line (the shapes lint reads: plain Prometheus rule files, PrometheusRule objects,
Grafana provisioning files), as Rules. A Prometheus alert that reads a recording rule of the same file replays that
recording rule's expression in its place (the history Prometheus holds may predate a change to it)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..durations import parse_duration
from ..errors import ConfigError
from ..lint.documents import from_paths
from ..lint.model import DocKind, Document
from . import promql_text
from .rules import DEFAULT_INTERVAL, Rule, grafana_group, templated_labels

MAX_INLINING = 10  # recording rules reading recording rules, this deep at most


def file_rules(paths: Iterable[Path], required: bool = True) -> list[Rule]:
    """The alerting rules in the files and folders given; ConfigError for a file that cannot be read, or (`required`)
    when they hold none."""
    paths = list(paths)
    docs, problems = from_paths(paths)
    for problem in problems:
        if problem.severity.value == "error":
            raise ConfigError(f"{problem.path}: {problem.message}", hint="give Prometheus rule files (groups: ...), "
                                                                         "PrometheusRule objects or Grafana "
                                                                         "provisioning files")
    rules: list[Rule] = []
    by_file: dict[str, list[Document]] = {}
    for doc in docs:
        by_file.setdefault(doc.path, []).append(doc)
    for path, file_docs in by_file.items():
        recordings = _recordings(d for d in file_docs if d.kind is DocKind.PROMETHEUS_RULES)
        for doc in file_docs:
            if doc.kind is DocKind.PROMETHEUS_RULES:
                rules.extend(_prometheus_doc(doc, recordings))
            elif doc.kind is DocKind.GRAFANA_RULES:
                rules.extend(grafana_group(doc.data, f"{path}: {doc.label}", path))
    if required and not rules:
        raise ConfigError(f"no alerting rules in {', '.join(str(p) for p in paths)}",
                          hint="backtest replays alerting rules (alert: ...); recording rules alone fire nothing")
    return rules


def _recordings(docs: Iterable[Document]) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """record name -> [(expr, labels)] of every recording rule in these documents (one file)."""
    out: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for doc in docs:
        for group in _groups(doc):
            for rule in group.get("rules") or []:
                if isinstance(rule, dict) and isinstance(rule.get("record"), str) and isinstance(rule.get("expr"),
                                                                                                 (str, int, float)):
                    labels = {**_strings(group.get("labels")), **_strings(rule.get("labels"))}
                    out.setdefault(rule["record"], []).append((str(rule["expr"]), labels))
    return out


def _groups(doc: Document) -> list[dict[str, Any]]:
    return [g for g in doc.data.get("groups") or [] if isinstance(g, dict)]


def _prometheus_doc(doc: Document, recordings: Mapping[str, list[tuple[str, dict[str, str]]]]) -> list[Rule]:
    rules = []
    for group in _groups(doc):
        name = f"{doc.path}: {group.get('name', '?')}"
        try:
            interval = float(parse_duration(group.get("interval") or DEFAULT_INTERVAL))
            offset = float(parse_duration(group.get("query_offset") or 0))
        except ValueError:
            interval, offset = DEFAULT_INTERVAL, 0.0
        for rule in group.get("rules") or []:
            if isinstance(rule, dict) and isinstance(rule.get("alert"), str):
                rules.append(_alert(rule, group, name, doc.path, interval, offset, recordings))
    return rules


def _alert(rule: Mapping[str, Any], group: Mapping[str, Any], where: str, source: str, interval: float,
           offset: float, recordings: Mapping[str, list[tuple[str, dict[str, str]]]]) -> Rule:
    labels = {**_strings(group.get("labels")), **_strings(rule.get("labels"))}
    base = Rule("prometheus", rule["alert"], where, source, interval=interval, labels=labels, shift=offset)
    try:
        pending = float(parse_duration(rule.get("for") or 0))
        keep = float(parse_duration(rule.get("keep_firing_for") or 0))
    except ValueError as exc:
        return Rule(**{**base.__dict__, "problem": str(exc)})
    problem = templated_labels(labels)
    expr = str(rule.get("expr", "")).strip()
    if problem is None:
        try:
            expr = inline_recordings(expr, recordings)
        except ValueError as exc:
            problem = str(exc)
    split = promql_text.split_comparison(expr) if problem is None else None
    return Rule(**{**base.__dict__, "pending": pending, "keep_firing_for": keep, "expr": expr, "problem": problem,
                   "value": split[0] if split else None, "thresholds": (split[1],) if split else ()})


def inline_recordings(expr: str, recordings: Mapping[str, list[tuple[str, dict[str, str]]]], depth: int = 0) -> str:
    """`expr` with each selector of a recording rule replaced by that rule's expression, the labels the rule sets
    added back (label_replace). ValueError when that would not give the same series: a range, offset or @ on it,
    a matcher on a label the rule does not set, or no recording rule of that name matching."""
    if not recordings or not any(name in expr for name in recordings):
        return expr
    if depth > MAX_INLINING:
        raise ValueError(f"recording rules read each other more than {MAX_INLINING} deep")
    try:
        found = promql_text.selectors(expr)
    except (ValueError, SyntaxError) as exc:
        raise ValueError(f"its expression cannot be read to inline recording rules: {exc}") from None
    out, at = [], 0
    for selector in found:
        text = expr[selector.start:selector.end]
        name, matchers = promql_text.matchers(text)
        if name not in recordings:
            continue
        if selector.modified:
            raise ValueError(f"it reads recording rule {name} with a range, offset or @: only the recorded history "
                             "would give the same values; cannot be replayed exactly")
        chosen = []
        for inner, labels in recordings[name]:
            unknown = [label for label, _, _ in matchers if label not in labels]
            if unknown:
                raise ValueError(f"it selects recording rule {name} by label {unknown[0]}, which that rule does not "
                                 "set: cannot be replayed exactly")
            if all(_matches(labels[label], op, value) for label, op, value in matchers):
                chosen.append(_with_labels(inline_recordings(inner, recordings, depth + 1), {**labels,
                                                                                              "__name__": name}))
        if not chosen:
            raise ValueError(f"it selects recording rule {name} with labels none of its definitions set: cannot be "
                             "replayed exactly")
        out.append(expr[at:selector.start])
        out.append(chosen[0] if len(chosen) == 1 else "(" + " or ".join(chosen) + ")")
        at = selector.end
    return "".join(out) + expr[at:]


def _with_labels(expr: str, labels: Mapping[str, str]) -> str:
    text = f"({expr})"
    for name, value in sorted(labels.items()):
        text = f'label_replace({text}, {json.dumps(name)}, {json.dumps(value)}, "", "")'
    return text


def _matches(actual: str, op: str, value: str) -> bool:
    if op == "=":
        return actual == value
    if op == "!=":
        return actual != value
    try:
        hit = re.fullmatch(value, actual) is not None
    except re.error:
        raise ValueError(f"matcher regex {value!r} cannot be read by Python: cannot be replayed exactly") from None
    return hit if op == "=~" else not hit


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
