"""Alert rule and rule-group endpoints of the provisioning API (grafana-api.md §7.3, §7.4), and the hook that
lets folder DELETE see the rules a folder holds (§6)."""

from __future__ import annotations

from typing import Any

from dashkit.emulator.alerting import (
    API,
    READ,
    RULES_DEPRECATED,
    WRITE,
    alerting_state,
    empty,
    errutil_reason,
    failure,
    provenance_mismatch,
    request_provenance,
    stored_rules,
)
from dashkit.emulator.alerting.rule_model import (
    BASE_INTERVAL,
    CONTENT_KEYS,
    DEFAULT_INTERVAL,
    check_uid,
    interval_error,
    parse_rule,
    require_folder,
    rule_json,
    title_conflict,
    uid_conflict,
    validate_rule,
)
from dashkit.emulator.hooks import register_folder_contents
from dashkit.emulator.naming import generate_uid, now_rfc3339
from dashkit.emulator.replies import Reply, bad_request_data, ok
from dashkit.emulator.routing import Request, RouteTable
from dashkit.emulator.store import OrgState

routes = RouteTable()
GROUP = f"{API}/folder/{{folderUid}}/rule-groups/{{group}}"


class RulesInFolders:
    """Tells folder DELETE how many rules its folders hold, and removes them on `forceDeleteRules=true`."""

    def count(self, org: OrgState, folder_uids: set[str]) -> int:
        return sum(1 for rule in stored_rules(org).values() if rule["folderUID"] in folder_uids)

    def delete(self, org: OrgState, folder_uids: set[str]) -> None:
        rules = stored_rules(org)
        for uid in [uid for uid, rule in rules.items() if rule["folderUID"] in folder_uids]:
            del rules[uid]


register_folder_contents(RulesInFolders())


def group_rules(state: dict[str, Any], folder_uid: str, group: str) -> list[dict[str, Any]]:
    members = [r for r in state["rules"].values() if r["folderUID"] == folder_uid and r["ruleGroup"] == group]
    return sorted(members, key=lambda r: (r["index"], r["id"]))


def _group_not_found(req: Request) -> Exception:
    return errutil_reason(req, 404, "alerting.alert-rule.notFound")


def _titles_must_be_unique(req: Request) -> bool:
    """≤ 11.x: one title per folder; 12.0 dropped the constraint (PR #102067)."""
    return not req.runtime.profile.at_least(12)


def _check_title(req: Request, state: dict[str, Any], rule: dict[str, Any], ignore: set[str]) -> None:
    if not _titles_must_be_unique(req):
        return
    for other in state["rules"].values():
        if other["uid"] not in ignore and other["folderUID"] == rule["folderUID"] and other["title"] == rule["title"]:
            raise title_conflict(rule)


def _insert(state: dict[str, Any], rule: dict[str, Any], provenance: str) -> None:
    rule.update(id=state["nextRuleId"], updated=now_rfc3339(), provenance=provenance)
    state["nextRuleId"] += 1
    state["rules"][rule["uid"]] = rule


def _next_index(members: list[dict[str, Any]]) -> int:
    return max((r["index"] for r in members), default=-1) + 1


# ---- single rules (§7.3) ------------------------------------------------------------------------------------


@routes.route("GET", f"{API}/alert-rules", needs=READ, deprecation=RULES_DEPRECATED)
def list_rules(req: Request) -> Reply:
    rules = sorted(alerting_state(req.org)["rules"].values(), key=lambda r: r["id"])
    return ok([rule_json(rule, req.org_id) for rule in rules])


@routes.route("GET", f"{API}/alert-rules/{{uid}}", needs=READ, deprecation=RULES_DEPRECATED)
def get_rule(req: Request) -> Reply:
    rule = alerting_state(req.org)["rules"].get(req.params["uid"])
    return ok(rule_json(rule, req.org_id)) if rule else empty(404)


@routes.route("POST", f"{API}/alert-rules", needs=WRITE, deprecation=RULES_DEPRECATED)
def create_rule(req: Request) -> Reply:
    """201; the rule joins its group at the end, with the group's interval (or the default 60 s for a new group)."""
    state = alerting_state(req.org)
    rule = parse_rule(req.json())
    if rule["uid"]:
        check_uid(rule["uid"])
    else:
        rule["uid"] = generate_uid(lambda uid: uid in state["rules"])
    require_folder(req, rule)
    members = group_rules(state, rule["folderUID"], rule["ruleGroup"])
    rule.update(interval=members[0]["interval"] if members else DEFAULT_INTERVAL, index=_next_index(members))
    validate_rule(req, state, rule)
    if rule["uid"] in state["rules"]:
        raise uid_conflict(rule)
    _check_title(req, state, rule, ignore=set())
    _insert(state, rule, request_provenance(req))
    return ok(rule_json(rule, req.org_id), 201)


@routes.route("PUT", f"{API}/alert-rules/{{uid}}", needs=WRITE, deprecation=RULES_DEPRECATED)
def update_rule(req: Request) -> Reply:
    """Full replacement (uid from the path); the group interval is kept, or taken from the group it moves to."""
    state = alerting_state(req.org)
    rule = parse_rule(req.json())
    rule["uid"] = req.params["uid"]
    require_folder(req, rule)
    stored = state["rules"].get(rule["uid"])
    if stored is None:
        return empty(404)
    provenance = request_provenance(req)
    if stored["provenance"] not in ("", provenance):
        raise failure(500, f"cannot change provenance from '{stored['provenance']}' to '{provenance}'")
    if (stored["folderUID"], stored["ruleGroup"]) == (rule["folderUID"], rule["ruleGroup"]):
        rule.update(interval=stored["interval"], index=stored["index"])
    else:
        members = group_rules(state, rule["folderUID"], rule["ruleGroup"])
        rule.update(interval=members[0]["interval"] if members else stored["interval"], index=_next_index(members))
    validate_rule(req, state, rule)
    _check_title(req, state, rule, ignore={rule["uid"]})
    rule.update(id=stored["id"], updated=now_rfc3339(), provenance=provenance)
    state["rules"][rule["uid"]] = rule
    return ok(rule_json(rule, req.org_id))


@routes.route("DELETE", f"{API}/alert-rules/{{uid}}", needs=WRITE, deprecation=RULES_DEPRECATED)
def delete_rule(req: Request) -> Reply:
    """204, also for a uid that does not exist."""
    rules = alerting_state(req.org)["rules"]
    stored, provenance = rules.get(req.params["uid"]), request_provenance(req)
    if stored is not None:
        if stored["provenance"] not in ("", provenance):
            raise provenance_mismatch("delete", provenance, stored["provenance"])
        del rules[stored["uid"]]
    return empty(204)


# ---- rule groups (§7.4) -------------------------------------------------------------------------------------


def _group_allows(stored: str, requested: str) -> bool:
    """`CanUpdateProvenanceInRuleGroup`: same, from none, or from api/converted_prometheus back to none."""
    return stored in ("", requested) or (requested == "" and stored in ("api", "converted_prometheus"))


@routes.route("GET", GROUP, needs=READ, deprecation=RULES_DEPRECATED)
def get_group(req: Request) -> Reply:
    folder_uid, group = req.params["folderUid"], req.params["group"]
    members = group_rules(alerting_state(req.org), folder_uid, group)
    if not members:
        raise _group_not_found(req)
    rules = [rule_json(rule, req.org_id) for rule in members]
    return ok({"title": group, "folderUid": folder_uid, "interval": members[0]["interval"], "rules": rules})


@routes.route("PUT", GROUP, needs=WRITE, deprecation=RULES_DEPRECATED)
def replace_group(req: Request) -> Reply:
    """The body is the whole group: listed rules are created or updated (matched by uid), the others deleted;
    without `rules` only the interval changes. Answers 200 with the request body."""
    state = alerting_state(req.org)
    folder_uid, group = req.params["folderUid"], req.params["group"]
    body = req.json_object()
    interval, raw_rules = body.get("interval", 0), body.get("rules")
    if not isinstance(interval, int) or isinstance(interval, bool) or not isinstance(raw_rules, list | None):
        raise bad_request_data()
    if interval % BASE_INTERVAL or interval <= 0:
        raise interval_error(interval)
    existing = group_rules(state, folder_uid, group)
    incoming = [parse_rule(raw) for raw in raw_rules] if raw_rules is not None else [dict(r) for r in existing]
    for rule in incoming:
        if rule["uid"]:
            check_uid(rule["uid"], quoted=True)
    kept = {rule["uid"] for rule in incoming if rule["uid"]}
    for index, rule in enumerate(incoming):
        rule.update(folderUID=folder_uid, ruleGroup=group, interval=interval, index=index)
        validate_rule(req, state, rule)
    _check_group_titles(req, state, incoming, ignore=kept | {r["uid"] for r in existing})
    provenance = request_provenance(req)
    deleted = [rule for rule in existing if rule["uid"] not in kept]
    changed = [r for r in incoming if r["uid"] in state["rules"] and _differs(state["rules"][r["uid"]], r)]
    for operation, rules in (("delete", deleted), ("update", [state["rules"][r["uid"]] for r in changed])):
        for stored in rules:
            if not _group_allows(stored["provenance"], provenance):
                raise provenance_mismatch(operation, provenance, stored["provenance"])
    for rule in deleted:
        del state["rules"][rule["uid"]]
    for rule in changed:
        stored = state["rules"][rule["uid"]]
        state["rules"][rule["uid"]] = {**rule, "id": stored["id"], "updated": now_rfc3339(), "provenance": provenance}
    for rule in incoming:
        if not rule["uid"] or rule["uid"] not in state["rules"]:
            rule["uid"] = rule["uid"] or generate_uid(lambda uid: uid in state["rules"])
            _insert(state, rule, provenance)
    return ok({"title": group, "folderUid": folder_uid, "interval": interval, "rules": raw_rules})


def _differs(stored: dict[str, Any], rule: dict[str, Any]) -> bool:
    return any(stored[key] != rule[key] for key in CONTENT_KEYS)


def _check_group_titles(req: Request, state: dict[str, Any], incoming: list[dict[str, Any]], ignore: set[str]) -> None:
    if not _titles_must_be_unique(req):
        return
    seen: set[str] = set()
    for rule in incoming:
        if rule["title"] in seen:
            raise title_conflict(rule)
        seen.add(rule["title"])
        _check_title(req, state, rule, ignore)


@routes.route(
    "DELETE", GROUP, needs=WRITE, exists_in=lambda profile: profile.has_rule_group_delete, deprecation=RULES_DEPRECATED
)
def delete_group(req: Request) -> Reply:
    state = alerting_state(req.org)
    members = group_rules(state, req.params["folderUid"], req.params["group"])
    if not members:
        raise _group_not_found(req)
    provenance = request_provenance(req)
    for rule in members:
        if not _group_allows(rule["provenance"], provenance):
            raise provenance_mismatch("delete", provenance, rule["provenance"])
    for rule in members:
        del state["rules"][rule["uid"]]
    return empty(204)
