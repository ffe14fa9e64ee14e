"""DK115: a datasource pinned by uid becomes the logical name the dashkit project maps that uid to (`@prometheus`,
from dashkit.yaml), else the dashboard's datasource variable when exactly one variable (or `__inputs` entry) is of the
pinned datasource's type; otherwise it is left, and the report says why."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..model import Document, Finding
from ..rules.panels import _hard_coded as pinned_datasource
from ..walk import as_dict, as_list, variables
from .json_edits import local_path, owner_path, resolve
from .registry import FixContext, Fixed, Left, Outcome, fixes


@dataclass(frozen=True)
class DatasourceVariable:
    name: str
    type: str  # the datasource plugin it picks from: prometheus, loki...
    current: frozenset[str]  # the uid or name it stands for now (its `current` text and value)

    @property
    def reference(self) -> dict[str, str]:
        return {"type": self.type, "uid": f"${{{self.name}}}"}


def datasource_variables(dashboard: dict[str, Any]) -> list[DatasourceVariable]:
    """The dashboard's datasource variables (`$datasource`) and the datasource inputs of an export made for sharing
    (`${DS_PROMETHEUS}`), by name."""
    found: dict[str, DatasourceVariable] = {}
    for var in variables(dashboard):
        name, kind = var.get("name"), var.get("query")
        if var.get("type") == "datasource" and isinstance(name, str) and name and isinstance(kind, str) and kind:
            current = as_dict(var.get("current"))
            values = [v for key in ("text", "value") for v in _strings(current.get(key))]
            found.setdefault(name, DatasourceVariable(name, kind, frozenset(values)))
    for entry in as_list(dashboard.get("__inputs")):
        entry = as_dict(entry)
        name, kind = entry.get("name"), entry.get("pluginId")
        if entry.get("type") == "datasource" and isinstance(name, str) and name and isinstance(kind, str) and kind:
            found.setdefault(name, DatasourceVariable(name, kind, frozenset()))
    return list(found.values())


def _strings(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in as_list(value) if isinstance(v, str)]


def variable_for(reference: Any, candidates: list[DatasourceVariable]) -> tuple[DatasourceVariable | None, str]:
    """The variable to use instead of a pinned reference, or None and why none is chosen."""
    pinned = pinned_datasource(reference)
    kind = reference.get("type") if isinstance(reference, dict) else None
    if isinstance(kind, str) and kind:
        matching = [v for v in candidates if v.type == kind]
        if len(matching) == 1:
            return matching[0], ""
        if not matching:
            return None, f"the dashboard has no datasource variable of type {kind}: add one (e.g. $datasource)"
        names = ", ".join(f"${v.name}" for v in matching)
        return None, f"{len(matching)} datasource variables of type {kind} ({names}): which one is meant is not " \
                     "guessed"
    standing_for = [v for v in candidates if pinned in v.current]
    if len(standing_for) == 1:
        return standing_for[0], ""
    return None, (f"{pinned!r} does not say its datasource type, and no single datasource variable currently stands "
                  "for it: which variable is meant is not guessed")


@fixes("DK115")
def use_datasource_variable(doc: Document, findings: list[Finding], ctx: FixContext) -> Iterator[Outcome]:
    candidates = datasource_variables(doc.data)
    for finding in findings:
        holder = resolve(doc.data, owner_path(local_path(doc, finding.location), "datasource"))
        if not isinstance(holder, dict):
            continue
        reference = holder.get("datasource")
        pinned = pinned_datasource(reference)
        if pinned is None:
            continue
        logical = ctx.logical_names.get(pinned)
        if logical is not None:
            new, shown = _logical_reference(reference, logical), f"@{logical} (dashkit.yaml)"
        else:
            variable, why = variable_for(reference, candidates)
            if variable is None:
                yield Left(finding.code, finding.location, why)
                continue
            new, shown = variable.reference, f"${{{variable.name}}}"
        holder["datasource"] = new
        same = 0  # a panel's queries pinned to the panel's datasource are not reported apart, but follow it
        for target in as_list(holder.get("targets")) if "targets" in holder else []:
            if isinstance(target, dict) and pinned_datasource(target.get("datasource")) == pinned:
                target["datasource"] = _logical_reference(target["datasource"], logical) if logical else new
                same += 1
        also = f" (and {same} of its queries)" if same else ""
        yield Fixed(finding.code, finding.location, f"{pinned!r} → {shown}{also}")


def _logical_reference(reference: Any, logical: str) -> Any:
    """The reference spelt with the project's logical name, keeping its shape (a string, or an object's type)."""
    if isinstance(reference, dict):
        return {**reference, "uid": f"@{logical}"}
    return f"@{logical}"
