"""Fixers are registered by the rule codes whose findings they fix; each says what it changed (Fixed) and, for a
finding it leaves, why (Left)."""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Document, Finding


@dataclass(frozen=True)
class Fixed:
    code: str
    location: str  # where in the file, as findings name it (e.g. panels[3])
    what: str  # "graph → timeseries"


@dataclass(frozen=True)
class Left:
    code: str
    location: str
    why: str  # why --fix does not fix it ("2 datasource variables of type prometheus: ...")


Outcome = Fixed | Left


@dataclass
class FixContext:
    """What a fixer may need beyond its document: the uids of every dashboard linted along (a uid derived for one
    must not be another's), and the logical datasource names of the dashkit project the files sit in."""

    uids_in_use: Counter[str] = field(default_factory=Counter)  # uids the dashboards already have
    uids_derived: Counter[str] = field(default_factory=Counter)  # uids derived for dashboards without one
    logical_names: dict[str, str] = field(default_factory=dict)  # datasource uid -> `@name` (the project's mapping)


FixFunction = Callable[[Document, list[Finding], FixContext], Iterator[Outcome]]


@dataclass(frozen=True)
class Fixer:
    codes: tuple[str, ...]
    fix: FixFunction
    stage: int  # lower stages run first: the layout moves panels, so it runs before fixers that find panels


_FIXERS: dict[str, Fixer] = {}


def fixes(*codes: str, stage: int = 1) -> Callable[[FixFunction], FixFunction]:
    """Register a function fixing the findings of these rules: it gets the document (changed in place) and the
    findings of those codes in it, and yields a Fixed or a Left per finding."""

    def register(function: FixFunction) -> FixFunction:
        for code in codes:
            if code in _FIXERS:
                raise RuntimeError(f"a fixer for {code} is registered twice")
            _FIXERS[code] = Fixer(codes, function, stage)
        return function

    return register


def all_fixers() -> list[Fixer]:
    """Every registered fixer once, in the order they run."""
    package = __name__.rpartition(".")[0]  # discovered by path: importing the package would import us back
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        importlib.import_module(f"{package}.{info.name}")
    unique = {id(fixer.fix): fixer for fixer in _FIXERS.values()}
    return sorted(unique.values(), key=lambda fixer: (fixer.stage, fixer.codes))
