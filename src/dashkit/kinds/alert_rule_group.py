"""Grafana-managed alert rule groups, written whole through the provisioning API; also rendered as Prometheus
rule files and runbooks by `dashkit build`. Modules define them with dashkit's builders (`rule_group(s)`) or as
grafanalib AlertGroups (`alert_group(s)`), which become the same rule groups.

Every rule dashkit writes carries the private annotations `__dashkit_owner__` and `__dashkit_checksum__` (Grafana hides
`__x__` annotations from notifications): the owner, and a fingerprint of what was written, so an edit made in Grafana
(a rule group saved without provenance, in the UI or by another tool) is drift, not overwritten without --force.
Rules written before the owner annotation existed are recognised by the owner signature in their uid. Rules are
matched by title, so a group taken over keeps its rules' uids (and their alert state)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import naming
from ..builders.alerts import AlertRule, RuleGroup
from ..builders.notifications import DEFAULT_RECEIVER
from ..client import quote_segment
from ..diff import KeyedList
from ..durations import canonical_duration, parse_duration
from ..errors import DefinitionError
from ..loader import Definition
from ..model import Resource, ResourceRef
from .alerting_api import provisioned, ui_put
from .alerting_files import prometheus_rule_file, runbook
from .base import BuildContext, KindExample, LiveResource, ResourceKind, SyncContext, export, register
from .folder import live_folder_paths

if TYPE_CHECKING:
    from ..lint.model import Document

API = "/api/v1/provisioning"
DEFAULT_FOLDER = ("Alerts",)
OWNER_ANNOTATION = "__dashkit_owner__"
CHECKSUM_ANNOTATION = "__dashkit_checksum__"  # fingerprint of the rule (and group interval) dashkit wrote
PRIVATE_ANNOTATIONS = (OWNER_ANNOTATION, CHECKSUM_ANNOTATION)
_MODEL_DEFAULTS = {"intervalMs": 1000, "maxDataPoints": 43200}


@dataclass(frozen=True)
class RuleGroupSpec:
    """What the rule group kind keeps with a group besides its body."""

    group: RuleGroup | None = None  # the builder's group (None for one put back from a backup)
    prometheus_file: bool = True  # False: its rules have another Prometheus form (an SLO's Sloth rules)
    restored: str | None = None  # the backup it was put back from (`dashkit restore`), if it was


def spec_of(resource: Resource) -> RuleGroupSpec:
    return resource.spec if isinstance(resource.spec, RuleGroupSpec) else RuleGroupSpec()


def runbook_path(folder_path: tuple[str, ...], group: str, title: str) -> str:
    """Where `dashkit build` writes a rule's runbook under build/runbooks/ (and under runbooks.base_url): one
    segment per folder, the group and the title, each without spaces (`HighLatency (page)` -> `HighLatency-page`),
    so the path is also a URL nobody has to escape."""
    return "/".join(_url_segment(p) for p in (*folder_path, group, title)) + ".md"


def _url_segment(name: str) -> str:
    """Letters, digits, '_' and '.' kept (case too), every other run of characters one '-'; never hidden."""
    return re.sub(r"[^\w.]+", "-", name).strip("-.") or "_"


def group_uid(folder_uid: str, group: str) -> str:
    return f"{folder_uid}/{group}"


def _rule_groups(client, api) -> set[str]:
    return {r["ruleGroup"] for r in provisioned(client, "/alert-rules")}


def _edit_group(client, api) -> int:
    folder = next(r["folderUID"] for r in provisioned(client, "/alert-rules") if r["ruleGroup"] == "lifecycle")
    group = provisioned(client, f"/folder/{folder}/rule-groups/lifecycle")
    return ui_put(client, f"/folder/{folder}/rule-groups/lifecycle", {**group, "interval": 120})


EXAMPLE = KindExample(
    files={"alerts/rules.py": 'from dashkit.builders import alert_rule, rule_group\n'
                              'rule_group = rule_group("lifecycle", [\n'
                              '    alert_rule("Up", "up", threshold=1, summary="up")])\n'},
    change=("threshold=1", "threshold=2"),
    ui_edit=_edit_group, after_ui_edit="drift",
    present=lambda client, api: "lifecycle" in _rule_groups(client, api),
)


@register
class AlertRuleGroupKind(ResourceKind):
    name = "alert_rule_group"
    example = EXAMPLE
    depends_on = ("folder", "contact_point", "mute_timing")
    area = "alerts"
    exports = ("rule_group", "rule_groups", "alert_group", "alert_groups")
    order = 40

    def collect(self, definition: Definition, ctx: BuildContext) -> list[Resource]:
        if definition.area != self.area:
            return []
        groups = _exported(definition, "rule_group", "rule_groups")
        for group in groups:
            if not isinstance(group, RuleGroup):
                hint = ("export grafanalib AlertGroups as `alert_groups` (or `alert_group`)"
                        if type(group).__name__ == "AlertGroup" else None)
                raise DefinitionError(definition.relpath, f"rule groups must be rule_group(...) results, "
                                                          f"not {type(group).__name__}", hint=hint)
        alert_groups = _exported(definition, "alert_group", "alert_groups")
        if alert_groups:
            from ..builders.errors import BuilderError
            from ..builders.grafanalib_compat import grafanalib_rule_group

            try:
                groups.extend(grafanalib_rule_group(group) for group in alert_groups)
            except BuilderError as exc:
                raise DefinitionError(definition.relpath, str(exc)) from None
        return [rule_group_resource(group, definition.folder_path, definition.relpath, ctx) for group in groups]

    def dependencies(self, resource: Resource, resources: dict[ResourceRef, Resource],
                     ctx: BuildContext) -> tuple[ResourceRef, ...]:
        """Its folder and the contact points its rules notify (each must be defined)."""
        points = {r.title: r for r in resources.values() if r.kind == "contact_point"}
        depends = [ResourceRef("folder", resource.folder)]
        group = spec_of(resource).group
        for rule in group.rules if group is not None else ():
            if rule.notify and rule.notify != DEFAULT_RECEIVER:
                if rule.notify not in points:
                    raise DefinitionError(resource.source, f"alert '{rule.title}' notifies contact point "
                                                           f"'{rule.notify}', which no module defines",
                                          hint="define it in contact_points, or fix the name")
                depends.append(points[rule.notify].ref)
        return tuple(dict.fromkeys(depends))

    def lint_documents(self, resource: Resource) -> list[Document]:
        from ..lint.model import DocKind, Document

        return [Document(DocKind.GRAFANA_RULES, resource.body, resource.source, label=resource.label,
                         facts={"interval": resource.body.get("interval")})]

    def spec_to_json(self, resource: Resource) -> Any:
        return {"restored": spec_of(resource).restored}

    def spec_from_json(self, data: Any) -> Any:
        return RuleGroupSpec(restored=(data or {}).get("restored") if isinstance(data, dict) else None)

    def build_files(self, resources: list[Resource], everything: list[Resource]) -> dict[str, str]:
        from ..normalize import pretty_json

        dashboards = {r.uid: r for r in everything if r.kind == "dashboard"}
        files: dict[str, str] = {}
        for resource in resources:
            folder = "/".join(naming.file_safe(p) for p in resource.folder_path)
            name = naming.file_safe(resource.title)
            files[f"alerts/grafana/{folder}/{name}.json"] = pretty_json(resource.body)
            spec = spec_of(resource)
            if spec.group is None:
                continue
            rules_file = prometheus_rule_file(resource) if spec.prometheus_file else None
            if rules_file is not None:
                files[f"alerts/prometheus/{folder}/{name}.yml"] = rules_file
            group = spec.group
            for rule, body in zip(group.rules, resource.body["rules"], strict=True):
                path = runbook_path(resource.folder_path, group.name, rule.title)
                files[f"runbooks/{path}"] = runbook(rule, body, resource, dashboards)
        return files

    def relocate(self, resource: Resource, kind: str, moved: dict[str, str]) -> Resource:
        """A group's uid and its rules name its folder: in an adopted folder they name the existing one."""
        folder, _, group = resource.uid.partition("/")
        if kind != "folder" or folder not in moved:
            return resource
        new = moved[folder]
        rules = [{**rule, "folderUID": new} for rule in resource.body["rules"]]
        return resource.copy(uid=group_uid(new, group), body={**resource.body, "folderUid": new, "rules": rules})

    # ---- compare side ------------------------------------------------------------------------------------
    def comparable(self, body: dict[str, Any], folder: str) -> dict[str, Any]:
        return {"folderUid": folder, "interval": int(body.get("interval") or 0),
                "rules": [normalize_rule(r) for r in body.get("rules") or []]}

    def keyed_lists(self) -> dict[str, KeyedList]:
        return {
            # By uid, else by title: a dashkit-derived uid is not in the comparable (see normalize_rule).
            "rules": KeyedList("rule", key=lambda r: r.get("uid"), title=lambda r: r.get("title"),
                               fallbacks=(lambda r: r.get("title"),)),
            "data": KeyedList("query", key=lambda q: q.get("refId")),
        }

    # ---- live side ---------------------------------------------------------------------------------------
    def fetch(self, desired: list[Resource], ctx: SyncContext) -> dict[ResourceRef, LiveResource]:
        rules = ctx.client.get(f"{API}/alert-rules").data or []
        groups: dict[str, list[dict]] = {}
        for rule in rules:
            if isinstance(rule, dict):
                groups.setdefault(group_uid(rule.get("folderUID", ""), rule.get("ruleGroup", "")), []).append(rule)
        wanted = [r.uid for r in desired]
        owned = [uid for uid, members in groups.items()
                 if uid not in wanted and ctx.mine(_group_owner(members, ctx))]
        refs = [ResourceRef(self.name, uid) for uid in (*wanted, *sorted(owned)) if uid in groups]
        lives = [live for live in ctx.map(lambda ref: self.fetch_one(ref, ctx), refs) if live is not None]
        if owned:  # name groups that may be deleted by their folder path, as the code would
            folders = live_folder_paths(ctx)
            for live in lives:
                live.path = "/".join(p for p in (folders.get(live.folder, ""), live.title) if p)
        return {live.ref: live for live in lives}

    def fetch_one(self, ref: ResourceRef, ctx: SyncContext) -> LiveResource | None:
        folder, _, group = ref.uid.partition("/")
        data = ctx.client.get_or_none(f"{API}/folder/{quote_segment(folder)}/rule-groups/{quote_segment(group)}")
        if not isinstance(data, dict) or not data.get("rules"):
            return None
        members = [m for m in data["rules"] if isinstance(m, dict)]
        owner = _group_owner(members, ctx)
        live = LiveResource(
            ref=ref, title=group, body=data, comparable=self.comparable(data, folder), folder=folder,
            path=group, owner=owner, managed=ctx.mine(owner),
            depends=(ResourceRef("folder", folder),),
            extra={"provenance": {m.get("provenance", "") for m in members}},
        )
        interval = int(data.get("interval") or 0)
        edited = [m.get("title") for m in members
                  if isinstance(m.get("annotations"), dict) and CHECKSUM_ANNOTATION in m["annotations"]
                  and m["annotations"][CHECKSUM_ANNOTATION] != rule_checksum(m, interval)]
        if owner == ctx.owner and edited:
            live.drift = (f"changed in Grafana after dashkit last wrote it (rule '{edited[0]}'"
                          + (f" and {len(edited) - 1} more" if len(edited) > 1 else "") + ")")
        return live

    def create(self, resource: Resource, ctx: SyncContext) -> None:
        self._put(resource, None, ctx)

    def update(self, resource: Resource, live: LiveResource, ctx: SyncContext) -> None:
        self._put(resource, live, ctx)

    def _put(self, resource: Resource, live: LiveResource | None, ctx: SyncContext) -> None:
        folder, _, group = resource.uid.partition("/")
        live_uids = {}
        for rule in (live.body.get("rules") or []) if live is not None else []:
            if isinstance(rule, dict) and rule.get("title") and rule.get("uid"):
                live_uids.setdefault(rule["title"], rule["uid"])
        rules = []
        for rule in resource.body["rules"]:
            uid = rule["uid"] if not naming.looks_owned_uid(rule["uid"]) else live_uids.get(rule["title"], rule["uid"])
            annotations = {**(rule.get("annotations") or {}), OWNER_ANNOTATION: ctx.owner}
            written = {**rule, "uid": uid}
            if not spec_of(resource).restored:
                annotations[CHECKSUM_ANNOTATION] = rule_checksum(written, int(resource.body["interval"]))
            rules.append({**written, "annotations": annotations})
        body = {"title": group, "interval": resource.body["interval"], "rules": rules}
        ctx.client.request("PUT", self._path(folder, group), json=body)

    def delete(self, live: LiveResource, ctx: SyncContext) -> None:
        folder, _, group = live.ref.uid.partition("/")
        ctx.client.request("DELETE", self._path(folder, group), allow=(404,))
        if self.fetch_one(live.ref, ctx) is not None:
            # A Grafana without the group DELETE route (before 11) answers 404 and keeps the group: emptying it
            # through the replace-the-group route removes its rules, and with them the group.
            ctx.client.request("PUT", self._path(folder, group), json={"title": group, "interval": live.body.get(
                "interval") or 60, "rules": []})

    def from_backup(self, document: Any, uid: str, source: str) -> Resource:
        folder, _, group = uid.partition("/")
        rules = [{k: v for k, v in rule.items() if k not in ("id", "updated", "provenance", "orgID")}
                 for rule in (document or {}).get("rules") or [] if isinstance(rule, dict)]
        for rule in rules:  # what was restored is not what dashkit last wrote: the next sync sees it as drift
            rule["annotations"] = {**(rule.get("annotations") or {}), CHECKSUM_ANNOTATION: "restored"}
        body = {"title": group, "folderUid": folder, "interval": int((document or {}).get("interval") or 60),
                "rules": rules}
        return Resource(kind=self.name, uid=uid, title=group, body=body, folder=folder, source=source, path=group,
                        depends=(ResourceRef("folder", folder),), spec=RuleGroupSpec(restored=source))

    @staticmethod
    def _path(folder: str, group: str) -> str:
        return f"{API}/folder/{quote_segment(folder)}/rule-groups/{quote_segment(group)}"


def _exported(definition: Definition, one: str, many: str) -> list[Any]:
    """What a module exports as `one` (a single group) and as `many` (a list of them)."""
    items: list[Any] = []
    if export(definition, one) is not None:
        items.append(export(definition, one))
    if export(definition, many) is not None:
        items.extend(export(definition, many))
    return items


def _group_owner(members: list[dict], ctx: SyncContext) -> str | None:
    """The owner of a live group: another owner's if any rule carries another's marker (dashkit leaves a group
    alone when any of it is someone else's), else this project's if a rule carries its marker, else nobody's."""
    owners = []
    for rule in members:
        annotations = rule.get("annotations") if isinstance(rule.get("annotations"), dict) else {}
        marker = annotations.get(OWNER_ANNOTATION)
        owners.append(marker if isinstance(marker, str) and marker else ctx.owner_of_uid(rule.get("uid")))
    foreign = [o for o in owners if o is not None and not ctx.mine(o)]
    if foreign:
        return foreign[0]
    return next((o for o in owners if o is not None), None)


def rule_group_resource(group: RuleGroup, module_folder: tuple[str, ...], source: str, ctx: BuildContext, *,
                        prometheus_file: bool = True) -> Resource:
    """The Resource for a rule group defined in `source`: folder from the group, else the module's directory.
    `prometheus_file`: False when its rules have another Prometheus form (`dashkit build` writes no rule file)."""
    if group.folder:
        folder_path = tuple(p.strip() for p in group.folder.split("/") if p.strip())
    else:
        folder_path = module_folder or DEFAULT_FOLDER
    folder_uid = naming.folder_uid(ctx.owner, folder_path)
    rules = []
    runbooks: dict[str, str] = {}
    for rule in group.rules:
        shared = runbooks.setdefault(runbook_path(folder_path, group.name, rule.title), rule.title)
        if shared != rule.title:
            raise DefinitionError(source, f"alerts '{shared}' and '{rule.title}' of rule group '{group.name}' would "
                                          f"share one runbook file ({runbook_path(folder_path, group.name, shared)})",
                                  hint="give them titles that differ in more than spaces and punctuation")
        uid = rule.uid or naming.owned_uid(ctx.owner, rule.title, "rule", *folder_path, group.name, rule.title)
        if not naming.is_valid_uid(uid):
            raise DefinitionError(source, f"alert '{rule.title}' has an invalid uid {uid!r}")
        body = rule.to_grafana()
        if ctx.runbook_base_url and "runbook_url" not in body["annotations"]:
            path = quote(runbook_path(folder_path, group.name, rule.title))
            body["annotations"]["runbook_url"] = f"{ctx.runbook_base_url}/{path}"
        rules.append({"uid": uid, **body, "folderUID": folder_uid, "ruleGroup": group.name})
    return Resource(
        kind=AlertRuleGroupKind.name,
        uid=group_uid(folder_uid, group.name),
        title=group.name,
        body={"title": group.name, "folderUid": folder_uid, "interval": int(parse_duration(group.interval)),
              "rules": rules},
        folder=folder_uid,
        source=source,
        path="/".join((*folder_path, group.name)),
        folder_path=folder_path,
        spec=RuleGroupSpec(group=group, prometheus_file=prometheus_file),
    )


def normalize_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule as dashkit compares it: server-managed fields, Grafana-added defaults and spelling removed."""
    out: dict[str, Any] = {}
    for key in ("uid", "title", "condition", "noDataState", "execErrState"):
        if key in rule and not (key == "uid" and naming.looks_owned_uid(rule[key])):
            out[key] = rule[key]
    out["for"] = _duration(rule.get("for", "0s"))
    keep = _duration(rule.get("keep_firing_for") or "0s")
    if keep != "0s":
        out["keep_firing_for"] = keep
    for key in ("labels", "annotations"):
        values = {k: v for k, v in (rule.get(key) or {}).items() if k not in PRIVATE_ANNOTATIONS}
        if values:
            out[key] = values
    if rule.get("isPaused"):
        out["isPaused"] = True
    settings = rule.get("notification_settings")
    if settings:
        out["notification_settings"] = {k: (_duration(v) if k.endswith(("_wait", "_interval")) else v)
                                        for k, v in settings.items() if v not in (None, [], "")}
    if rule.get("record"):
        out["record"] = rule["record"]
    out["data"] = [_normalize_query(q) for q in rule.get("data") or []]
    return out


def rule_checksum(rule: dict[str, Any], interval: int) -> str:
    """The fingerprint of one rule as written, with its group's interval."""
    from ..normalize import fingerprint

    return fingerprint({"interval": interval, "rule": normalize_rule(rule)})


def _normalize_query(query: dict[str, Any]) -> dict[str, Any]:
    model = {k: v for k, v in (query.get("model") or {}).items()
             if k != "refId" and not (k in _MODEL_DEFAULTS and v == _MODEL_DEFAULTS[k])}
    window = query.get("relativeTimeRange") or {}
    out = {"refId": query.get("refId"), "datasourceUid": query.get("datasourceUid"), "model": model,
           "relativeTimeRange": {"from": int(window.get("from") or 0), "to": int(window.get("to") or 0)}}
    if query.get("queryType"):
        out["queryType"] = query["queryType"]
    return out


def _duration(value: Any) -> Any:
    try:
        return canonical_duration(value)
    except ValueError:
        return value


__all__ = ["AlertRule", "AlertRuleGroupKind", "normalize_rule"]
