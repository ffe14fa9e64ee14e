"""What `lint --fix` did, file by file, and how it reads: one line per fix, one per finding left and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ...wording import plural
from .registry import Fixed, Left


@dataclass
class FileFix:
    path: str
    fixed: list[Fixed] = field(default_factory=list)
    left: list[Left] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the file as a whole ("not fixed: YAML is not rewritten")
    written: bool = False
    touched: bool = False  # its documents were changed in memory (written or not): lint must read it again


@dataclass
class FixReport:
    files: list[FileFix] = field(default_factory=list)

    @property
    def fixes(self) -> int:
        return sum(len(f.fixed) for f in self.files if f.written)

    @property
    def written(self) -> list[str]:
        return [f.path for f in self.files if f.written]

    @property
    def touched(self) -> list[str]:
        return [f.path for f in self.files if f.touched]


def as_text(report: FixReport, findings_left: int, style: Callable[..., str] = lambda s, **_: s) -> str:
    lines = []
    for file in report.files:
        lines.append(style(file.path, bold=True))
        if file.written:
            lines += [f"  {style('fixed', fg='green')} {f.code} {f.location}: {f.what}" for f in file.fixed]
        lines += [f"  {style('not fixed', fg='yellow')} {f.code} {f.location}: {f.why}" for f in file.left]
        lines += [f"  {note}" for note in file.notes]
    written = len(report.written)
    lines.append(style(f"{plural(report.fixes, 'fix', 'fixes')} in {plural(written, 'file')}; "
                       f"{plural(findings_left, 'finding')} left", bold=True))
    return "\n".join(lines)
