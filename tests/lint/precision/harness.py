"""The precision harness: lint real upstream files, match the findings against the verdicts in expected.yaml, and
say what changed. Shared by tests/lint/test_precision.py and `python -m tests.lint.precision.judge`."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dashkit.lint.config import LintConfig
from dashkit.lint.documents import from_paths
from dashkit.lint.model import Finding
from dashkit.lint.runner import lint

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
EXPECTED = HERE / "expected.yaml"
CORPUS = HERE.parents[3] / "shared" / "corpus"  # ../shared/corpus beside the repository, as tests/conftest.py has it

# What of the shared corpus is linted: each project's current files once. Its revisions/, releases/ and manifests/
# hold near-copies of these (up to 13 each) and would count every finding many times; tests/ are promtool tests.
CORPUS_SETS = (
    "prometheus-operator+kube-prometheus/dashboards",
    "prometheus-operator+kube-prometheus/rules",
    "rfmoz+grafana-dashboards/prometheus",
    "dotdc+grafana-dashboards-kubernetes/dashboards",
    "kubernetes-monitoring+kubernetes-mixin/prometheus_alerts.yaml",
    "kubernetes-monitoring+kubernetes-mixin/prometheus_rules.yaml",
    "prometheus+node_exporter/compiled",
    "prometheus+node_exporter/docs",
    "slok+sloth/examples",
    "slok+sloth/rules_flat",
)

VERDICTS = (True, False, "skip", "todo")  # skip: outside a rule's documented sample; todo: awaiting a verdict


def lint_sets() -> dict[str, list[Finding]]:
    """Findings per file key. Each gathered project, and each corpus set, is linted on its own, the way its owners
    would lint it (so a uid two unrelated projects share is not reported as a duplicate)."""
    sets = [p for p in sorted(FILES.iterdir()) if p.is_dir()]
    if CORPUS.is_dir():
        sets += [CORPUS / s for s in CORPUS_SETS if (CORPUS / s).exists()]
    out: dict[str, list[Finding]] = defaultdict(list)
    for path in sets:
        docs, problems = from_paths([path])
        for finding in problems + lint(docs, LintConfig()):
            out[file_key(finding.path)].append(finding)
    return out


def file_key(path: str) -> str:
    """'files/<project>/<file>' for gathered files, 'corpus/<folder>/...' for the shared corpus."""
    resolved = Path(path).resolve()
    for root, name in ((FILES, "files"), (CORPUS, "corpus")):
        if resolved.is_relative_to(root):
            return f"{name}/{resolved.relative_to(root).as_posix()}"
    return resolved.as_posix()


def key_path(key: str) -> Path:
    head, _, rest = key.partition("/")
    return (FILES if head == "files" else CORPUS) / rest


@dataclass
class Entry:
    """One judged (or listed) finding: rule code, JSON path in the file, the message when judged, the verdict."""

    file: str
    rule: str
    at: str
    verdict: bool | str
    msg: str = ""
    why: str = ""

    def to_yaml(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "at": self.at, "verdict": self.verdict}
        if self.msg:
            out["msg"] = self.msg
        if self.why:
            out["why"] = self.why
        return out


@dataclass
class Expected:
    entries: list[Entry]
    false_ceiling: dict[str, int]
    sampling: dict[str, dict[str, Any]]
    header: str = ""

    @classmethod
    def load(cls, path: Path = EXPECTED) -> Expected:
        if not path.exists():
            return cls([], {}, {})
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        entries = []
        for file, items in (data.get("files") or {}).items():
            for item in items or []:
                verdict = item.get("verdict")
                if verdict not in VERDICTS:
                    raise ValueError(f"{path.name}: {file} {item.get('rule')} at {item.get('at')!r}: verdict must be "
                                     f"true, false, skip or todo, not {verdict!r}")
                entries.append(Entry(file, str(item["rule"]), str(item.get("at", "")), verdict,
                                     str(item.get("msg", "")), str(item.get("why", ""))))
        header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
        return cls(entries, dict(data.get("false_ceiling") or {}), dict(data.get("sampling") or {}), header)

    def dump(self, path: Path = EXPECTED) -> None:
        files: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in sorted(self.entries, key=lambda e: (e.file, e.rule, _natural(e.at), e.msg)):
            files[entry.file].append(entry.to_yaml())
        body = {"sampling": self.sampling, "false_ceiling": dict(sorted(self.false_ceiling.items())),
                "files": dict(files)}
        text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=None)
        path.write_text(self.header + text, encoding="utf-8")


def _natural(text: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


@dataclass
class Comparison:
    """Present findings paired with entries; what is new, what is gone."""

    matched: list[tuple[Finding, Entry]] = field(default_factory=list)
    new: list[tuple[str, Finding]] = field(default_factory=list)  # no entry at all
    gone: list[Entry] = field(default_factory=list)  # entry whose finding is no longer reported

    def todo(self) -> list[tuple[Finding, Entry]]:
        return [(f, e) for f, e in self.matched if e.verdict == "todo"]

    def regressions(self) -> list[Entry]:
        return [e for e in self.gone if e.verdict is True]

    def false_counts(self) -> Counter[str]:
        return Counter(e.rule for _, e in self.matched if e.verdict is False)


def compare(findings: dict[str, list[Finding]], expected: Expected) -> Comparison:
    """Pair by (file, rule, JSON path); among several at one place, the same message first, then in order. So a
    reworded message keeps its verdict, and two findings at one place keep theirs."""
    result = Comparison()
    pending: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    for entry in expected.entries:
        if entry.file.startswith("corpus/") and not CORPUS.is_dir():
            continue  # the corpus is not here: its verdicts can be neither met nor missed
        pending[(entry.file, entry.rule, entry.at)].append(entry)
    for file, items in sorted(findings.items()):
        groups: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
        for finding in items:
            groups[(file, finding.code, finding.location)].append(finding)
        for key, group in groups.items():
            candidates = pending.get(key, [])
            rest = []
            for finding in group:
                same = next((e for e in candidates if e.msg == finding.message), None)
                if same is not None:
                    candidates.remove(same)
                    result.matched.append((finding, same))
                else:
                    rest.append(finding)
            for finding in rest:
                if candidates:
                    result.matched.append((finding, candidates.pop(0)))
                else:
                    result.new.append((file, finding))
    result.gone = [e for entries in pending.values() for e in entries]
    return result


@dataclass(frozen=True)
class RulePrecision:
    rule: str
    reported: int
    judged: int
    true: int
    false: int
    skipped: int

    @property
    def precision(self) -> float | None:
        return self.true / self.judged if self.judged else None


def precision_by_rule(comparison: Comparison) -> list[RulePrecision]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for finding, entry in comparison.matched:
        counts[finding.code][_kind(entry.verdict)] += 1
    for _, finding in comparison.new:
        counts[finding.code]["todo"] += 1
    rows = []
    for rule, c in sorted(counts.items()):
        rows.append(RulePrecision(rule, sum(c.values()), c["true"] + c["false"], c["true"], c["false"], c["skip"]))
    return rows


def _kind(verdict: bool | str) -> str:
    if isinstance(verdict, bool):
        return "true" if verdict else "false"
    return verdict


def precision_table(rows: Iterable[RulePrecision]) -> str:
    lines = [f"{'rule':6} {'reported':>8} {'judged':>6} {'true':>5} {'false':>5} {'precision':>9}"]
    for r in rows:
        p = "-" if r.precision is None else f"{r.precision:.0%}"
        note = "  (a sample)" if r.skipped else ""
        lines.append(f"{r.rule:6} {r.reported:>8} {r.judged:>6} {r.true:>5} {r.false:>5} {p:>9}{note}")
    return "\n".join(lines)


def sample(items: list[Any], size: int, seed: int) -> list[Any]:
    """The documented, reproducible sample of a frequent rule's findings (items in a stable order)."""
    if len(items) <= size:
        return list(items)
    return random.Random(seed).sample(items, size)


def failures(comparison: Comparison, expected: Expected) -> list[str]:
    """What the test reports: each a headline and its lines."""
    out = []
    if comparison.new:
        by_rule = Counter(f.code for _, f in comparison.new)
        lines = [f"  {file}: {f.code} at {f.location or '(file)'}: {f.message}" for file, f in _first(comparison.new)]
        if len(comparison.new) > 60:
            lines.append(f"  ... and {len(comparison.new) - 60} more")
        out.append(f"{len(comparison.new)} finding(s) not in expected.yaml (new noise until judged true): "
                   + ", ".join(f"{r} x{n}" for r, n in sorted(by_rule.items())) + "\n" + "\n".join(lines)
                   + "\n  judge them: python -m tests.lint.precision.judge --add, then set each verdict")
    if comparison.todo():
        lines = [f"  {e.file}: {e.rule} at {e.at or '(file)'}: {f.message}" for f, e in comparison.todo()[:40]]
        out.append(f"{len(comparison.todo())} finding(s) wait for a verdict (verdict: todo):\n" + "\n".join(lines))
    if comparison.regressions():
        lines = [f"  {e.file}: {e.rule} at {e.at or '(file)'}: {e.msg}  [{e.why}]" for e in comparison.regressions()]
        out.append(f"{len(comparison.regressions())} finding(s) judged true are no longer reported (regression):\n"
                   + "\n".join(lines))
    counts = comparison.false_counts()
    over = {rule: n for rule, n in sorted(counts.items()) if n > expected.false_ceiling.get(rule, 0)}
    if over:
        ceiling = expected.false_ceiling
        lines = [f"  {rule}: {n} judged false, ceiling {ceiling.get(rule, 0)}" for rule, n in over.items()]
        out.append("rules whose false findings rose above their ceiling:\n" + "\n".join(lines)
                   + "\n  if that noise is accepted: python -m tests.lint.precision.judge --ceilings")
    return out


def _first(items: list[tuple[str, Finding]], limit: int = 60) -> Iterator[tuple[str, Finding]]:
    for i, item in enumerate(sorted(items, key=lambda x: (x[1].code, x[0], x[1].location))):
        if i == limit:
            break
        yield item
