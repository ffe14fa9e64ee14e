"""The facade the CLI and library callers use: load -> resolve -> fetch live -> plan (-> apply)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import datasource_lookup
from .apply import Backups, Outcome, Validation, apply_plan, validate_plan
from .build import Project
from .client import GrafanaClient
from .config import Environment, Settings
from .datasource_refs import ResolvedDatasource
from .errors import AuthError, ConfigError, DashkitError, GrafanaUnreachable, NotFound
from .grafana_api import LEGACY, Api, detect
from .kinds.base import BuildContext, LiveResource, ResourceKind, SyncContext, all_kinds
from .model import Resource, ResourceRef
from .plan import Plan, make_plan


@dataclass
class Connection:
    """A client and a worker pool for one environment; close() when done."""

    env: Environment
    client: GrafanaClient
    pool: ThreadPoolExecutor
    secrets: tuple[str, ...] = ()  # for output masking; never printed
    secret_digest_key: str | None = None  # from the env var `secret_digest_key_env` names; never printed
    api: Api = LEGACY  # which of Grafana's APIs this environment is spoken to through

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(settings: Settings, env_name: str, log: Callable[[str], None] | None = None) -> Connection:
    env = settings.environment(env_name)
    credentials = env.credentials()
    from . import secrets

    secrets.remember(*credentials.secrets)  # masked from the first request on, whatever fails and wherever
    hint_var = env.token_env or env.user_env
    client = GrafanaClient(
        env.url,
        credentials,
        org_id=env.org_id,
        timeout=env.timeout,
        verify=env.verify_tls,
        pool_size=env.concurrency,
        log=log,
        auth_hint=(f"check the credentials in ${hint_var} (dashkit.yaml: environments.{env.name}) "
                   "and that they belong to this Grafana and org") if hint_var else
        f"environments.{env.name} sets no token_env or basic_auth; this Grafana requires credentials",
        extra_headers={"X-Disable-Provenance": "true"} if env.disable_provenance else None,
    )
    digest_key = None
    if env.secret_digest_key_env:
        from . import secrets

        digest_key = secrets.read(env.secret_digest_key_env,
                                  f"dashkit.yaml environments.{env.name}.secret_digest_key_env")
    try:
        api = detect(client, env.api, env.app_namespace)
    except BaseException:
        client.close()
        raise
    pool = ThreadPoolExecutor(max_workers=env.concurrency, thread_name_prefix="dashkit")
    return Connection(env=env, client=client, pool=pool, secrets=credentials.secrets,
                      secret_digest_key=digest_key, api=api)


def plan_sync(project: Project, conn: Connection, *, prune: bool = False, force: bool = False,
              adopt_owners: frozenset[str] = frozenset(), rotate_secrets: bool = False,
              targets: tuple[tuple[str, str], ...] = ()) -> Plan:
    """The plan for `project` against the environment. `targets` (from `--target`) limits it to those resources and
    what they depend on: the project's resources are expected to be selected already; deletes are limited here."""
    settings = project.settings
    _check_adopt_owners(adopt_owners, settings)
    ctx = _context(settings, conn, force=force, adopt_owners=adopt_owners)
    ctx.rotate_secrets = rotate_secrets
    ctx.prune = prune
    kinds = [kind for kind in all_kinds() if kind.syncable]
    by_name = {kind.name: kind for kind in kinds}
    build_ctx = BuildContext(root=settings.root, owner=settings.owner, runbook_base_url=settings.runbook_base_url)
    defined = [r for r in project.resources if r.kind in by_name]
    environment = [r for kind in kinds for r in kind.environment_resources(settings, conn.env, build_ctx)]
    if targets:  # the environment's own resources (dashkit.yaml) are selected here, the project's were already
        from .targets import select_environment

        environment = select_environment(environment, defined, targets, conn.env.name)
    defined += environment
    desired = with_datasources(defined, by_name, conn)
    desired = [by_name[r.kind].prepare(r, ctx) for r in desired]
    for kind in kinds:  # an existing resource a kind adopts instead of creating its own: references follow it
        moved = kind.adoptions(desired, ctx)
        if moved:
            ctx.adopted[kind.name] = moved
            desired = [by_name[r.kind].relocate(kind.adopted(r, moved), kind.name, moved) for r in desired]
    live: dict[ResourceRef, LiveResource] = {}
    skipped = [k.name for k in kinds if not prune and not any(r.kind == k.name for r in desired)]

    def read(kind: ResourceKind) -> dict[ResourceRef, LiveResource]:
        mine = [r for r in desired if r.kind == kind.name]
        try:
            return kind.fetch(mine, ctx)
        except (NotFound, AuthError) as exc:
            # A kind the project does not use may be missing (older Grafana) or forbidden (a token scoped to
            # dashboards): there is nothing of it to sync or prune. A kind the project uses must be readable.
            if mine or (isinstance(exc, AuthError) and exc.status == 401):
                raise
            return {}

    # Kinds are read side by side (their reads do not depend on each other); a kind the project does not define
    # is not read at all unless --prune may delete what is left of it.
    reading = [k for k in kinds if k.name not in skipped]
    with ThreadPoolExecutor(max_workers=max(1, len(reading)), thread_name_prefix="dashkit-read") as readers:
        for found in readers.map(read, reading):
            live.update(found)

    if targets:  # what no longer is defined is deleted or listed only when targeted
        from .targets import matches

        live = {ref: lv for ref, lv in live.items()
                if ref in {r.ref for r in desired} or matches(targets, ref.kind, ref.uid, lv.label)}
    plan = make_plan(kinds, desired, live, owner=settings.owner, env=conn.env.name, url=conn.client.base_url,
                     prune=prune, force=force, adopt_owners=adopt_owners)
    plan.api = conn.api.describe()
    if skipped:
        plan.api += f"; not read (the project defines none, --prune reads them): {', '.join(skipped)}"
    return plan


def plan_from_file(path: Path, settings: Settings, conn: Connection) -> Plan:
    """A plan saved by `dashkit diff --out`, to be applied exactly as it was reviewed (see planfile)."""
    from . import planfile

    saved = planfile.load(path)
    if saved.owner != settings.owner:
        raise ConfigError(f"{path} was planned for owner '{saved.owner}', this project is '{settings.owner}'")
    if saved.url != conn.client.base_url or saved.environment != conn.env.name:
        raise ConfigError(f"{path} was planned for environment '{saved.environment}' ({saved.url}), not "
                          f"'{conn.env.name}' ({conn.client.base_url})",
                          hint=f"apply it with --env {saved.environment}")
    ctx = _context(settings, conn, force=saved.force, adopt_owners=saved.adopt_owners)
    return planfile.current_plan(saved, ctx)


def plan_restore(path: Path, settings: Settings, conn: Connection, *, force: bool = False) -> Plan:
    """The plan that puts back what the backup at `path` holds (see restore)."""
    from . import restore

    files = restore.backup_files(path)
    envs = {f.env for f in files}
    if envs - {conn.env.name, ""}:
        raise ConfigError(f"{path} holds backups of environment {', '.join(sorted(envs))}, not {conn.env.name}",
                          hint="restore it with --env " + sorted(envs)[0])
    desired = restore.resources(files, settings.root)
    ctx = _context(settings, conn, force=force)
    kinds = [k for k in all_kinds() if any(r.kind == k.name for r in desired)]
    live: dict[ResourceRef, LiveResource] = {}
    for kind in kinds:
        live.update(kind.fetch([r for r in desired if r.kind == kind.name], ctx))
    wanted = {r.ref for r in desired}
    live = {ref: lv for ref, lv in live.items() if ref in wanted}
    plan = make_plan(kinds, desired, live, owner=settings.owner, env=conn.env.name, url=conn.client.base_url,
                     force=force)
    plan.api = f"{conn.api.describe()}; restoring {len(desired)} resource(s) from {path}"
    return plan


def validate_sync(plan: Plan, project: Project, conn: Connection) -> Validation | None:
    """A server-side dry run of every write of the plan, where Grafana serves one (12+); None where it does not."""
    if not conn.api.app_platform or not plan.pending:
        return None
    kinds: dict[str, ResourceKind] = {k.name: k for k in all_kinds()}
    return validate_plan(plan, kinds, _context(project.settings, conn, force=plan.force,
                                               adopt_owners=plan.adopt_owners))


def with_datasources(resources: list[Resource], by_name: dict[str, ResourceKind], conn: Connection) -> list[Resource]:
    """The resources with their logical datasource names replaced by this environment's datasources (lazily, for a
    packed body); a name that does not resolve fails here, before anything is read or written. A resource naming a
    datasource the project defines depends on it (it is written first)."""
    providers = _provided_datasources(resources, by_name, conn.env)
    uses: dict[str, list[str]] = {}
    names = {}
    for resource in resources:
        names[id(resource)] = found = by_name[resource.kind].datasource_names(resource)
        for name in sorted(found):
            uses.setdefault(name, []).append(resource.source or resource.label)
    if not uses:
        return resources
    managed = {name: datasource for name, (datasource, _) in providers.items()}
    resolved = datasource_lookup.resolve(uses, conn.env, conn.client, managed)
    out = []
    for resource in resources:
        used = names[id(resource)]
        if used:
            needs = tuple(sorted({providers[n][1].ref for n in used if n in providers
                                  and providers[n][1].kind != resource.kind} - set(resource.depends)))
            resource = by_name[resource.kind].with_datasources(resource, resolved)
            if needs:
                resource = resource.copy(depends=(*resource.depends, *needs))
        out.append(resource)
    return out


def _provided_datasources(resources: list[Resource], by_name: dict[str, ResourceKind],
                          env: Environment) -> dict[str, tuple[ResolvedDatasource, Resource]]:
    """Logical name -> (the datasource, the resource defining it) for the datasources the project defines; a name
    defined twice (a datasources/ module and dashkit.yaml) is an error naming both."""
    out: dict[str, tuple[ResolvedDatasource, Resource]] = {}
    for resource in resources:
        provided = by_name[resource.kind].provided_datasource(resource)
        if provided is None:
            continue
        name, datasource = provided
        key = f"dashkit.yaml environments.{env.name}.datasources.{name}"
        ref = env.datasources.get(name)
        if name in out or (ref is not None and ref.managed is None):
            other = out[name][1].source if name in out else f"{key} (an existing datasource)"
            raise ConfigError(f"datasource '@{name}' is defined twice: in {other} and in {resource.source}",
                              hint="define a logical name once: in a datasources/ module (every environment) or "
                                   f"under {key} (that environment); rename one with logical=...")
        out[name] = (datasource, resource)
    return out


def apply_sync(
    plan: Plan,
    project: Project,
    conn: Connection,
    on_progress: Callable[[Outcome, int, int], None] | None = None,
) -> list[Outcome]:
    """Apply the plan; where Grafana can dry-run writes, every write is dry-run first and a plan Grafana would refuse
    in part is not applied at all."""
    validation = validate_sync(plan, project, conn)
    if validation is not None and validation.refused:
        raise validation.error()
    kinds: dict[str, ResourceKind] = {k.name: k for k in all_kinds()}
    ctx = _context(project.settings, conn, force=plan.force, adopt_owners=plan.adopt_owners)
    outcomes = apply_plan(plan, kinds, ctx, Backups(project.settings.root, conn.env.name), on_progress)
    failures = [o for o in outcomes if o.status == "failed"]
    if failures and not any(o.ok for o in outcomes):
        fatal = [o.error for o in failures if isinstance(o.error, (AuthError, GrafanaUnreachable))]
        if len(fatal) == len(failures):
            raise fatal[0]  # nothing could be applied for one reason: report it as that error (exit 4)
    return outcomes


def _context(settings: Settings, conn: Connection, *, force: bool,
             adopt_owners: frozenset[str] = frozenset()) -> SyncContext:
    return SyncContext(
        client=conn.client,
        owner=settings.owner,
        env=conn.env.name,
        pool=conn.pool,
        force=force,
        disable_provenance=conn.env.disable_provenance,
        adopt_owners=adopt_owners,
        policy_tree=conn.env.policy_tree,
        secret_digest_key=conn.secret_digest_key,
        api=conn.api,
        ui_edits=conn.env.ui_edits,
    )


def _check_adopt_owners(adopt_owners: frozenset[str], settings: Settings) -> None:
    from .config import OWNER_RE

    for old in sorted(adopt_owners):
        if not OWNER_RE.match(old):
            raise ConfigError(f"--adopt-owner {old!r} is not an owner name (1-40 letters, digits, '.', '_', '-')")
        if old == settings.owner:
            raise ConfigError(f"--adopt-owner {old!r} is this project's own owner",
                              hint="name the PREVIOUS owner whose resources this project takes over")


__all__ = ["Connection", "DashkitError", "apply_sync", "connect", "plan_sync"]
