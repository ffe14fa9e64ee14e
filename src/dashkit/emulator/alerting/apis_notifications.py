"""`notifications.alerting.grafana.app` under /apis (grafana-api.md §14.9): receivers, routing trees, template
groups, time intervals and (13) inhibition rules, served over the alerting state the provisioning API uses."""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from dashkit.emulator import k8s
from dashkit.emulator.alerting import (
    READ,
    WRITE,
    alerting_state,
    check_relaxed_provenance,
    forget_object_meta,
    object_meta,
)
from dashkit.emulator.alerting.notification_resources import GROUP, RESOURCES, NotificationResource, SpecError, Stored
from dashkit.emulator.replies import ApiError, Reply, ok
from dashkit.emulator.routing import Handler, Request, RouteTable

routes = RouteTable()
COLLECTION = f"/apis/{GROUP}/{{version}}/namespaces/{{namespace}}/{{resource}}"
OBJECT = COLLECTION + "/{name}"
PROVENANCE = "grafana.com/provenance"
PROVENANCES = ("api", "file", "converted_prometheus")
# annotations the server owns: recomputed on every read, never kept from a client's write
_SERVER_ANNOTATIONS = (PROVENANCE, "grafana.com/access/", "grafana.com/inUse/", "grafana.com/canUse")


@dataclass(frozen=True)
class _Call:
    """What every handler resolves first: the resource, the served version, the org's namespace and state."""

    resource: NotificationResource
    version: str
    namespace: str
    state: dict[str, Any]

    @property
    def api_version(self) -> str:
        return f"{GROUP}/{self.version}"


def _call(req: Request, *, write: bool = False) -> _Call:
    """An unknown resource, or one this profile does not serve at `{version}` (v1beta1 on 12, inhibition rules
    before 13), is the apiserver's 404; a namespace that is not the caller's org is 403 (`k8s.bind_namespace`).
    A write with `?dryRun=All` works on a copy of the state: validated and answered in full, nothing kept."""
    resource = RESOURCES.get(req.params["resource"])
    if resource is None:
        raise ApiError(k8s.unknown_path())
    version = k8s.served_version(req, GROUP, resource.resource)
    namespace = k8s.bind_namespace(req)
    state = alerting_state(req.org)
    if write and k8s.dry_run(req):
        state = copy.deepcopy(state)
    return _Call(resource, version, namespace, state)


def _status_reply(reply: Reply) -> Reply:
    """An error as the apiserver renders it: an errutil error through `errutil.Error.Status()` (messageId in
    `details.uid`, each `extra` field a cause whose message is its JSON), anything else via `k8s.as_status`."""
    body = reply.body
    if not isinstance(body, dict) or "messageId" not in body:
        return k8s.as_status(reply)
    details: dict[str, Any] = {"uid": body["messageId"]}
    extra = body.get("extra") or {}
    if extra:
        details["causes"] = [{"message": json.dumps(extra[key]), "field": key} for key in sorted(extra)]
    status = k8s.status_body(reply.status, k8s.reason_for(reply.status), body["message"], details)
    return Reply(reply.status, status, headers=reply.headers)


def _as_status(handler: Handler) -> Handler:
    """Every error under /apis is a Status; a body that does not decode into the kind's Go type is 400."""

    @functools.wraps(handler)
    def run(req: Request) -> Reply:
        try:
            return handler(req)
        except SpecError as error:
            version = req.params["version"]
            message = f'{error.kind} in version "{version}" cannot be handled as a {error.kind}: {error}'
            raise k8s.bad_request(message) from None
        except ApiError as error:
            raise ApiError(_status_reply(error.reply)) from None

    return run


def _cluster_uid(kind: str, namespace: str, name: str) -> str:
    """`metadata.uid` as `gapiutil.CalculateClusterWideUID` derives it: sha256 of group|kind|namespace|name,
    base64url, every character that is not a letter or digit replaced by `X`."""
    digest = hashlib.sha256(f"{GROUP}|{kind}|{namespace}|{name}".encode()).digest()
    return "".join(ch if ch.isalnum() else "X" for ch in base64.urlsafe_b64encode(digest).decode())


def _object(req: Request, call: _Call, stored: Stored, *, computed: bool) -> dict[str, Any]:
    """The k8s object. Reads (GET, LIST and the DELETE answer, which is the object as it was) carry the computed
    annotations; create and update answers do not (`convertToK8sResource(..., nil, nil)`)."""
    held = object_meta(call.state, call.resource.resource).get(stored.key, {})
    annotations = dict(held.get("annotations", {}))
    annotations[PROVENANCE] = stored.provenance or req.runtime.profile.notifications_none_provenance
    if computed:
        annotations.update(stored.computed)
    meta = k8s.object_metadata(
        stored.name,
        call.namespace,
        uid=_cluster_uid(call.resource.kind, call.namespace, stored.name),
        resource_version=stored.version,
        creation_timestamp="",
        labels=held.get("labels"),
        annotations=dict(sorted(annotations.items())),
    )
    meta["creationTimestamp"] = None  # legacy-backed objects have no creation time: Go renders the zero time as null
    return {
        "kind": call.resource.kind,
        "apiVersion": call.api_version,
        "metadata": meta,
        "spec": stored.spec,
        "status": {},
    }


def _requested_provenance(call: _Call, incoming: k8s.IncomingObject) -> str:
    """The provenance a write asks for in `grafana.com/provenance`: absent, `""` or `none` is none. Grafana 13 also
    derives it from manager annotations and refuses an inconsistent pair; the emulator keeps the simple rule."""
    if not call.resource.records_provenance:
        return ""
    value = incoming.annotations.get(PROVENANCE, "")
    if value in ("", "none"):
        return ""
    if value not in PROVENANCES:
        raise k8s.bad_request(f"invalid provenance status: {value}")
    return value


def _keep_meta(call: _Call, old_key: str, stored: Stored, incoming: k8s.IncomingObject) -> None:
    """Replace the labels and annotations kept for the object by the client's (server-owned keys dropped); a
    rename has already carried the old ones to the new name, and they are replaced there too."""
    forget_object_meta(call.state, call.resource.resource, old_key)
    forget_object_meta(call.state, call.resource.resource, stored.key)
    annotations = {k: v for k, v in incoming.annotations.items() if not k.startswith(_SERVER_ANNOTATIONS)}
    if annotations or incoming.labels:
        held = {"labels": dict(incoming.labels), "annotations": annotations}
        object_meta(call.state, call.resource.resource)[stored.key] = held


def _find(req: Request, call: _Call) -> Stored:
    name = req.params["name"]
    stored = call.resource.find(req, call.state, name)
    if stored is None:
        raise call.resource.not_found(req, name)
    return stored


def _delete_precondition(req: Request) -> str:
    """`preconditions.resourceVersion` of an optional `DeleteOptions` body."""
    version = k8s.delete_preconditions(req).get("resourceVersion")
    return version if isinstance(version, str) else ""


# `?dryRun=All` persists nothing here, as everywhere under /apis (§14.3). [unverified] for these resources: Grafana's
# legacy-backed notification storages ignore the create/update options (`_ *metav1.CreateOptions` in
# `*/legacy_storage.go`; their DELETE says "TODO add support for dry-run option"), so a real server may write.


@routes.route("GET", COLLECTION, needs=READ, exists_in=k8s.serves_apis)
@_as_status
def list_objects(req: Request) -> Reply:
    """`<Kind>List`, items sorted by name. Without `limit` every item comes at once (the legacy storages list the
    whole configuration); with it, k8s paging by `continue` [unverified that Grafana honours `limit` here]."""
    call = _call(req)
    stored = {item.name: item for item in call.resource.all(req, call.state)}
    names = sorted(stored)
    limit = k8s.list_limit(req) if req.arg("limit") not in ("", "0") else max(len(names), 1)
    page = k8s.paginate(names, limit, req.arg("continue"), "")
    metadata = {"continue": page.continue_token} if page.continue_token else {}
    items = [_object(req, call, stored[name], computed=True) for name in page.names]
    return ok(
        {"kind": f"{call.resource.kind}List", "apiVersion": call.api_version, "metadata": metadata, "items": items}
    )


@routes.route("GET", OBJECT, needs=READ, exists_in=k8s.serves_apis)
@_as_status
def get_object(req: Request) -> Reply:
    call = _call(req)
    return ok(_object(req, call, _find(req, call), computed=True))


@routes.route("POST", COLLECTION, needs=WRITE, exists_in=k8s.serves_apis)
@_as_status
def create_object(req: Request) -> Reply:
    """201. Receivers, template groups and time intervals take their name from the spec (a `metadata.name` is
    400); inhibition rules need one (422); the routing tree cannot be created (405)."""
    call = _call(req, write=True)
    incoming = k8s.read_object(req, call.resource.kind, GROUP, call.version)
    call.resource.check_create(incoming.name)
    provenance = _requested_provenance(call, incoming)
    stored = call.resource.create(req, call.state, incoming.spec, incoming.name, provenance)
    _keep_meta(call, stored.key, stored, incoming)
    return ok(_object(req, call, stored, computed=False), 201)


@routes.route("PUT", OBJECT, needs=WRITE, exists_in=k8s.serves_apis)
@_as_status
def update_object(req: Request) -> Reply:
    """200. A `metadata.resourceVersion` other than the stored one is 409 (empty: unconditional); a stored
    provenance cannot become none (403 `invalidProvenance`, as the provisioning API's relaxed check)."""
    call = _call(req, write=True)
    incoming = k8s.read_object(req, call.resource.kind, GROUP, call.version)
    name = req.params["name"]
    if incoming.name != name:
        raise k8s.name_mismatch(incoming.name, name)
    stored = _find(req, call)
    if incoming.resource_version and incoming.resource_version != stored.version:
        raise call.resource.conflict(req, stored, incoming.resource_version)
    provenance = _requested_provenance(call, incoming)
    check_relaxed_provenance(stored.provenance, provenance)
    updated = call.resource.update(req, call.state, stored, incoming.spec, provenance)
    _keep_meta(call, stored.key, updated, incoming)
    return ok(_object(req, call, updated, computed=False))


@routes.route("DELETE", OBJECT, needs=WRITE, exists_in=k8s.serves_apis)
@_as_status
def delete_object(req: Request) -> Reply:
    """200 with the object as it was: the legacy storages' `Delete` returns the old object, which the apiserver
    answers with instead of a Status. `preconditions.resourceVersion` must match when sent."""
    call = _call(req, write=True)
    stored = _find(req, call)
    wanted = _delete_precondition(req)
    if wanted and wanted != stored.version:
        raise call.resource.conflict(req, stored, wanted)
    body = _object(req, call, stored, computed=True)
    call.resource.delete(req, call.state, stored)
    forget_object_meta(call.state, call.resource.resource, stored.key)
    return ok(body)
