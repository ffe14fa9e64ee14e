"""ResourceKind: what every Grafana resource kind provides, and the registry the pipeline reads kinds from."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..grafana_api import LEGACY, Api
from ..model import Resource, ResourceRef

if TYPE_CHECKING:
    from ..client import GrafanaClient
    from ..config import Environment, Settings
    from ..datasource_refs import ResolvedDatasource
    from ..diff import KeyedList
    from ..lint.model import Document
    from ..loader import Definition

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class BuildContext:
    root: Path
    owner: str
    runbook_base_url: str | None = None


UNNAMED_OWNER = "?"  # carries a dashkit marker whose owner cannot be named (a uid signature of another owner)


def owner_phrase(owner: str) -> str:
    """How the plan names the owner of a foreign resource."""
    from .managers import OTHER_MANAGER, describe_other

    if owner == UNNAMED_OWNER:
        return "another dashkit project"
    if owner.startswith(OTHER_MANAGER):
        return describe_other(owner)
    return f"dashkit project '{owner}'"


def is_dashkit_owner(owner: str | None) -> bool:
    """True for an owner value naming a dashkit project (not another manager, not an unnamed one)."""
    from .managers import OTHER_MANAGER

    return bool(owner) and owner != UNNAMED_OWNER and not owner.startswith(OTHER_MANAGER)  # type: ignore[union-attr]


@dataclass
class LiveResource:
    """What Grafana holds for one resource, as a kind read it.

    `owner` is the owner marker it carries: this project's `owner`, another project's, UNNAMED_OWNER, or None
    when it carries none (nobody's: created in the UI, or by another tool). `managed` is True when that owner is
    this project (or one it takes over with --adopt-owner)."""

    ref: ResourceRef
    title: str
    body: dict[str, Any]  # the raw live JSON, as saved in backups
    comparable: dict[str, Any] | None  # normalised form, None when only listed (not fetched)
    folder: str = ""
    path: str = ""
    version: int | None = None
    owner: str | None = None  # the owner marker it carries, if any
    managed: bool = False  # carries THIS project's marker (or an --adopt-owner one)
    drift: str | None = None  # why it differs from what dashkit last wrote, if it does
    note: str | None = None  # why it is kept although undefined (shown with --prune)
    deletable: bool = True
    unchanged: bool = False  # exactly what dashkit last wrote for the code as it is now: nothing to compare
    headline: str | None = None  # one line that says how it differs, instead of a field-by-field diff
    remark: str | None = None  # why it needs a write although its content matches (e.g. its marks are outdated)
    depends: tuple[ResourceRef, ...] = ()
    contains: tuple[ResourceRef, ...] = ()  # live children a delete would take with it (folder contents)
    used_by: dict[ResourceRef, str] = field(default_factory=dict)  # what uses it (ref -> its name): prune waits
    locked: str | None = None  # why Grafana does not let it be written through the API (provisioned): not even --force
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.path or self.title or self.ref.uid


@dataclass
class SyncContext:
    """What a kind needs at diff/sync time besides the client."""

    client: GrafanaClient
    owner: str
    env: str
    pool: ThreadPoolExecutor
    force: bool = False
    disable_provenance: bool = False
    adopted: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> {dashkit's uid: existing uid adopted}
    cache: dict[str, Any] = field(default_factory=dict)  # reads shared by kinds within one run
    adopt_owners: frozenset[str] = frozenset()  # previous owners whose resources this project takes over
    policy_tree: str = "shared"  # "shared": only this project's routes; "owned": the whole notification tree
    secret_digest_key: str | None = None  # key of the contact points' secret digests (None: no digest)
    rotate_secrets: bool = False  # re-send every contact point's secrets
    prune: bool = False  # this run may delete: what no longer is defined is read whole (for its backup)
    api: Api = LEGACY  # the Grafana API this run speaks (legacy /api, or the app-platform /apis)
    ui_edits: str = "allow"  # manager annotation managerAllowsEdits on what dashkit writes (app-platform)

    @property
    def owners(self) -> tuple[str, ...]:
        """This project's owner first, then the owners it takes over."""
        return (self.owner, *sorted(self.adopt_owners - {self.owner}))

    def mine(self, owner: str | None) -> bool:
        """True when a marker naming `owner` makes the resource this project's."""
        return owner is not None and owner in self.owners

    def owner_of_uid(self, uid: object) -> str | None:
        """The owner a dashkit-derived uid names: one of this project's owners, UNNAMED_OWNER for another
        project's, None for a uid dashkit did not derive."""
        from .. import naming

        for owner in self.owners:
            if naming.is_owned_uid(owner, uid):
                return owner
        return UNNAMED_OWNER if naming.looks_owned_uid(uid) else None

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """fn over items on the bounded pool, results in order; the first error is raised."""
        return list(self.pool.map(fn, list(items)))


ANY_STATUS = tuple(range(200, 600))  # for an example's UI edit: its answer is the point, not an error


@dataclass(frozen=True)
class KindExample:
    """One resource of a kind as a project defines it, declared by the kind itself: the kind contract test
    (tests/kinds/test_kind_contract.py) takes every syncable kind through its whole life cycle with it, on every
    Grafana generation, so a new kind is covered by its own file.

    `ui_edit` and `present` talk to Grafana as a person (or another tool) would, through Grafana's public API."""

    files: dict[str, str]  # project file -> text: defines one resource of the kind (and what it needs)
    change: tuple[str, str] | None  # (old, new) text in `files`: a code change of exactly that resource
    ui_edit: Callable[[GrafanaClient, Api], int]  # a person changes the live resource; the HTTP status
    after_ui_edit: str  # "drift": left alone until --force; "restored": put back by sync; "locked": Grafana refused
    present: Callable[[GrafanaClient, Api], bool]  # the resource exists in Grafana


class ResourceKind:
    """One Grafana resource kind. Subclass it in kinds/<kind>.py and decorate with @register."""

    name: ClassVar[str]
    depends_on: ClassVar[tuple[str, ...]] = ()  # kinds whose resources must exist first
    area: ClassVar[str | None] = None  # definitions area it reads ("dashboards", "alerts"), if any
    exports: ClassVar[tuple[str, ...]] = ()  # module attributes it reads, for "defines nothing" messages
    order: ClassVar[int] = 100  # tie-break for stable ordering among independent kinds
    syncable: ClassVar[bool] = True  # False: build-only (e.g. SLOs, which derive rule groups and dashboards)
    example: ClassVar[KindExample | None] = None  # required of a syncable kind (the kind contract test says so)

    # ---- build side --------------------------------------------------------------------------------------
    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        """Resources a definition module declares."""
        return []

    def derive(self, resources: list[Resource], ctx: BuildContext) -> list[Resource]:
        """Extra resources implied by the collected ones (folders for their paths)."""
        return []

    def finalize(self, resource: Resource, resources: dict[ResourceRef, Resource], ctx: BuildContext) -> Resource:
        """The resource once everything is collected (e.g. its folder uid from its folder path): a new Resource.
        Its `depends` are then set from `dependencies`."""
        return resource

    def dependencies(self, resource: Resource, resources: dict[ResourceRef, Resource],
                     ctx: BuildContext) -> tuple[ResourceRef, ...]:
        """What must exist before `resource` can be written (its folder, the contact points its rules notify, the
        library panels a dashboard uses), as this kind knows it; a reference to nothing defined may raise a
        DefinitionError naming it."""
        return resource.depends

    def merge(self, first: Resource, second: Resource) -> Resource | None:
        """The one resource two definitions with the same uid make together (a folder's permissions declared alike
        by two of its modules), or None when that is an error the build reports naming both (the default); a kind
        may raise its own DefinitionError instead."""
        return None

    def spec_to_json(self, resource: Resource) -> Any:
        """What of `resource.spec` a saved plan keeps (JSON; what applying the resource needs), None for nothing."""
        return None

    def spec_from_json(self, data: Any) -> Any:
        """The spec a saved plan's `spec_to_json` describes."""
        return None

    def lint_documents(self, resource: Resource) -> list[Document]:
        """What `dashkit lint` checks of a built resource of this kind (none by default)."""
        return []

    def environment_resources(self, settings: Settings, env: Environment, ctx: BuildContext) -> list[Resource]:
        """Resources this kind defines for one environment only (in dashkit.yaml), added to the project's built ones
        at diff/sync time (none by default)."""
        return []

    def provided_datasource(self, resource: Resource) -> tuple[str, ResolvedDatasource] | None:
        """(logical name, the datasource) when `resource` is a datasource the project itself defines: code that
        names it (`@name`) resolves to it without asking Grafana."""
        return None

    def datasource_names(self, resource: Resource) -> frozenset[str]:
        """The logical datasource names (`@name`) the resource uses, resolved per environment before any write."""
        from ..datasource_refs import used_names

        return frozenset(used_names(resource.body))

    def with_datasources(self, resource: Resource, resolved: dict[str, Any]) -> Resource:
        """The resource with its logical datasource names replaced by this environment's datasources (`resolved`:
        name -> ResolvedDatasource), lazily for a packed body."""
        from ..datasource_refs import substitute

        return resource.transformed(lambda body: substitute(body, resolved))

    def build_path(self, resource: Resource) -> str | None:
        """Relative path under the build folder for `dashkit build`, or None to not write one."""
        return None

    def build_text(self, resource: Resource) -> str:
        """The file content `dashkit build` writes at build_path (byte-stable across runs)."""
        from ..normalize import pretty_json

        return pretty_json(resource.body)

    def build_files(self, resources: list[Resource], everything: list[Resource]) -> dict[str, str]:
        """Every file `dashkit build` writes for this kind (relative path -> text); `everything` is the project."""
        files = {}
        for resource in resources:
            path = self.build_path(resource)
            if path is not None:
                files[path] = self.build_text(resource)
        return files

    # ---- adoption: an existing resource of this kind is used instead of creating dashkit's -------------------
    def adoptions(self, desired: list[Resource], ctx: SyncContext) -> dict[str, str]:
        """{dashkit's uid: uid of an existing resource it adopts instead} for desired resources of this kind that do
        not exist yet (none by default). Must not write."""
        return {}

    def adopted(self, resource: Resource, moved: dict[str, str]) -> Resource:
        """`resource` (of any kind) once this kind's resources in `moved` are adopted: what refers to them now
        refers to the existing ones. By default its `depends` on them; a kind other resources sit in also moves
        their reference to it (the folder kind: `Resource.folder`)."""
        if not any(d.kind == self.name and d.uid in moved for d in resource.depends):
            return resource
        return resource.copy(depends=tuple(ResourceRef(d.kind, moved.get(d.uid, d.uid)) if d.kind == self.name else d
                                           for d in resource.depends))

    def relocate(self, resource: Resource, kind: str, moved: dict[str, str]) -> Resource:
        """This kind's `resource` after `kind` adopted `moved`, where its own identity or body embeds a reference
        (a rule group's uid embeds its folder's). Unchanged by default."""
        return resource

    def prepare(self, resource: Resource, ctx: SyncContext) -> Resource:
        """Complete a desired resource at diff/sync time (e.g. digest its secrets); must not write."""
        return resource

    # ---- compare side ------------------------------------------------------------------------------------
    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        """Canonical form: server-managed fields, dashkit's markers and Grafana defaults removed."""
        return dict(body)

    def keyed_lists(self) -> dict[str, KeyedList]:
        """List fields the diff matches by key rather than by position (field name -> how to key)."""
        return {}

    # ---- live side ---------------------------------------------------------------------------------------
    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        """Live state of every desired resource that exists, and of every owned resource not desired."""
        raise NotImplementedError

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        """Re-read one resource (to verify a write whose answer was lost)."""
        raise NotImplementedError

    def reread(self, ref: ResourceRef, live: LiveResource | None, ctx: SyncContext) -> LiveResource | None:
        """Re-read a resource after a write to it (`live`: what the plan saw before, None for a create)."""
        return self.fetch_one(ref, ctx)

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        raise NotImplementedError

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        raise NotImplementedError

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        raise NotImplementedError

    def dry_run(self, action: str, resource: Resource | None, live: LiveResource | None, ctx: SyncContext) -> bool:
        """Send the write `action` ("create", "update", "delete") would make as a server-side dry run (Grafana 12+
        `dryRun=All`): raises the error Grafana would answer, returns False when this kind cannot be dry-run."""
        return False

    def backup_document(self, live: LiveResource) -> Any:
        """What is saved under .dashkit/backups before overwriting or deleting."""
        return live.body

    def from_backup(self, document: Any, uid: str, source: str) -> Resource:
        """The resource a backup document (see backup_document) describes, to put it back (`dashkit restore`)."""
        from ..errors import ConfigError

        raise ConfigError(f"{source}: dashkit cannot restore a {self.name} from a backup",
                          hint="put it back in code (or in Grafana's UI) and sync")

    def matches(self, resource: Resource, live: LiveResource | None) -> bool:
        """True when live already holds exactly what `resource` asks for (used to verify lost writes)."""
        return live is not None and live.comparable == self.comparable(resource.body, resource.folder)


def export(definition: Definition, attribute: str) -> Any:
    """A module's export, or None. A function is never an export: `from dashkit.builders import dashboard` puts the
    builder function itself under the name a module exports a dashboard by."""
    value = getattr(definition.module, attribute, None)
    if callable(value) and not callable(getattr(value, "to_json_data", None)):
        return None
    return value


def exported(definition: Definition, attribute: str, kind: type | tuple[type, ...], expected: str) -> list[Any]:
    """The items an alerts/ or dashboards/ module exports under `attribute`, each checked to be a `kind`."""
    from ..errors import DefinitionError

    items = list(export(definition, attribute) or [])
    for item in items:
        if not isinstance(item, kind):
            raise DefinitionError(definition.relpath, f"{attribute} must hold {expected} results, not {item!r}")
    return items


_REGISTRY: dict[str, ResourceKind] = {}


def register(cls: type[ResourceKind]) -> type[ResourceKind]:
    if cls.name in _REGISTRY:
        raise RuntimeError(f"resource kind {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls()
    return cls


def all_kinds() -> list[ResourceKind]:
    """Every registered kind, dependencies first (ordered by depends_on, then `order`, then name)."""
    _import_kind_modules()
    ordered: list[ResourceKind] = []
    seen: set[str] = set()

    def visit(kind: ResourceKind, stack: tuple[str, ...]) -> None:
        if kind.name in seen:
            return
        if kind.name in stack:
            raise RuntimeError("cycle in kind dependencies: " + " -> ".join((*stack, kind.name)))
        for dep in kind.depends_on:
            visit(_REGISTRY[dep], (*stack, kind.name))
        seen.add(kind.name)
        ordered.append(kind)

    for kind in sorted(_REGISTRY.values(), key=lambda k: (k.order, k.name)):
        visit(kind, ())
    return ordered


def get_kind(name: str) -> ResourceKind:
    _import_kind_modules()
    return _REGISTRY[name]


def _import_kind_modules() -> None:
    from .. import kinds

    for info in pkgutil.iter_modules(kinds.__path__):
        if info.name != "base":
            importlib.import_module(f"{kinds.__name__}.{info.name}")
