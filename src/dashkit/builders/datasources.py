"""Datasource references for builders: logical names from dashkit.yaml, or a dashboard variable."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..datasource_refs import PREFIX
from ..project_context import known_datasources
from .errors import BuilderError

# Logical names a builder accepts outside a project (in a notebook, a unit test): the conventional ones.
DEFAULT_NAMES = frozenset({"prometheus", "loki", "tempo", "jaeger", "elasticsearch"})
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_VARIABLE_RE = re.compile(r"^\$\{?[A-Za-z_]\w*\}?$")


@dataclass(frozen=True)
class Datasource:
    """A logical datasource and the Grafana plugin type behind it, e.g. Datasource("logs", "elasticsearch")."""

    name: str
    type: str


DatasourceLike = str | Datasource


def datasource_ref(datasource: DatasourceLike, default_type: str) -> dict[str, str]:
    """The JSON a panel or target uses: `{"type": ..., "uid": "@name"}`, or the variable for `$datasource`."""
    if isinstance(datasource, Datasource):
        name, kind = datasource.name, datasource.type
    elif isinstance(datasource, str):
        name, kind = datasource, default_type
    else:
        raise BuilderError(f"datasource must be a logical name like 'prometheus', not {datasource!r}")
    if _VARIABLE_RE.match(name):
        return {"type": kind, "uid": name if name.startswith("${") else "${" + name[1:] + "}"}
    name = name.removeprefix(PREFIX)
    if not _NAME_RE.match(name):
        raise BuilderError(f"datasource name {name!r} must be letters, digits, '.', '_' or '-'")
    known = known_datasources()
    allowed = known if known is not None else DEFAULT_NAMES
    if name not in allowed:
        where = "dashkit.yaml maps" if known is not None else "known without a project are"
        raise BuilderError(
            f"unknown logical datasource '{name}'; the names {where}: {', '.join(sorted(allowed)) or 'none'}"
        )
    return {"type": kind, "uid": PREFIX + name}


def datasource_type(datasource: DatasourceLike, default_type: str) -> str:
    return datasource.type if isinstance(datasource, Datasource) else default_type
