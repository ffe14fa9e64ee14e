"""Definitions -> [Resource] (deterministic uids and panel ids), and `dashkit build` output files."""

from __future__ import annotations

import contextlib
import gc
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import DEFAULT_MAX_FOLDER_DEPTH, Settings
from .errors import DefinitionError
from .kinds.base import BuildContext, all_kinds
from .loader import Definition, load_definitions
from .model import Resource, ResourceRef
from .project_context import loading_project

if TYPE_CHECKING:
    from .lint.model import Document


@dataclass
class Project:
    settings: Settings
    resources: list[Resource]

    def by_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    def lint_documents(self) -> list[Document]:
        """What `dashkit lint` checks of the project: each kind says what of its resources (lint_documents)."""
        kinds = {kind.name: kind for kind in all_kinds()}
        return [doc for resource in self.resources for doc in kinds[resource.kind].lint_documents(resource)]


def load_project(settings: Settings) -> Project:
    names = {name for env in settings.environments.values() for name in env.datasources}
    # definitions' code (to_json_data()...) runs while building too: its prints go to stderr as well
    with without_cycle_collection(), loading_project(names), contextlib.redirect_stdout(sys.stderr):
        resources = build_resources(load_definitions(settings.root), settings)
    return Project(settings=settings, resources=resources)


@contextlib.contextmanager
def without_cycle_collection():
    """Building thousands of dashboards allocates millions of small dicts and lists, none of them in a reference
    cycle: Python's cycle collector, which runs every few hundred allocations, would spend half the build time
    walking them. Memory is still freed as usual (by reference counting); collection resumes afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_resources(definitions: Iterable[Definition], settings: Settings) -> list[Resource]:
    ctx = BuildContext(root=settings.root, owner=settings.owner, runbook_base_url=settings.runbook_base_url)
    kinds = all_kinds()
    collected: list[Resource] = []
    for definition in definitions:  # one at a time: its objects are released before the next is imported
        found = [r for kind in kinds for r in kind.collect(definition, ctx)]
        if not found:
            names = sorted({name for kind in kinds if kind.area == definition.area for name in kind.exports})
            raise DefinitionError(
                definition.relpath,
                "defines nothing dashkit reads: export one of " + ", ".join(f"`{n}`" for n in names),
                hint="or rename the file to start with '_' if it is a helper module",
            )
        collected.extend(found)
    # Derived resources may imply more (an SLO derives a dashboard, which needs its folder): derive to a fixpoint.
    known = {r.ref for r in collected}
    while True:
        new = [r for kind in kinds for r in kind.derive(collected, ctx) if r.ref not in known]
        if not new:
            break
        for resource in new:
            if resource.ref not in known:
                known.add(resource.ref)
                collected.append(resource)
    check_folder_depth(collected, settings)
    by_name = {kind.name: kind for kind in kinds}
    by_ref: dict[ResourceRef, Resource] = {}
    for resource in collected:
        other = by_ref.get(resource.ref)
        if other is not None:
            merged = by_name[resource.kind].merge(other, resource)
            if merged is None:
                raise DefinitionError(
                    resource.source,
                    f"{resource.kind} uid '{resource.uid}' ('{resource.title}') is also defined in {other.source} "
                    f"('{other.title}')",
                    hint="give one of them another uid or title",
                )
            resource = merged
        by_ref[resource.ref] = resource
    finalized = [by_name[r.kind].finalize(r, by_ref, ctx) for r in by_ref.values()]
    by_ref = {r.ref: r for r in finalized}
    final = [r.copy(depends=by_name[r.kind].dependencies(r, by_ref, ctx)) for r in finalized]
    order = {kind.name: i for i, kind in enumerate(kinds)}
    return sorted(final, key=lambda r: (order[r.kind], r.path, r.uid))


def check_folder_depth(resources: list[Resource], settings: Settings) -> None:
    """Refuse a folder path deeper than the strictest environment's Grafana accepts, before anything is written
    there: sync would otherwise create the folder chain half-way and fail. `max_folder_depth` is Grafana's
    `[folder] max_nested_folder_depth`: how many ancestors a folder may have, so at 4 a path has at most 5 folders."""
    envs = sorted(settings.environments.values(), key=lambda env: (env.max_folder_depth, env.name))
    limit = envs[0].max_folder_depth if envs else DEFAULT_MAX_FOLDER_DEPTH
    where = f" (environment '{envs[0].name}')" if envs else ""
    for resource in resources:
        path = resource.folder_path
        if len(path) > limit + 1:
            raise DefinitionError(
                resource.source,
                f"{resource.kind} '{resource.title}' is in folder '{'/'.join(path)}', {len(path)} folders deep; "
                f"Grafana with max_folder_depth {limit}{where} accepts at most {limit + 1} nested folders",
                hint="move it to a shallower folder (its module's directories or folder=...), or raise "
                     "max_folder_depth in dashkit.yaml if that Grafana's [folder] max_nested_folder_depth is higher",
            )


def write_build(project: Project, out: Path) -> list[Path]:
    """Write every resource's document under `out`, replacing what an earlier build wrote there."""
    files: dict[Path, str] = {}
    for kind in all_kinds():
        mine = [r for r in project.resources if r.kind == kind.name]
        for rel, text in kind.build_files(mine, project.resources).items():
            files[out / rel] = text
    for top in sorted({p.relative_to(out).parts[0] for p in files}):
        target = out / top
        if target.is_dir():
            shutil.rmtree(target)
    for path in sorted(files):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
    return sorted(files)
