"""Kubernetes-style helpers for the app-platform (`/apis`) modules: Status errors (grafana-api.md §1 shape 5),
namespaces (§14.1), object metadata, resourceVersions, dry runs, the name, update and delete-precondition checks
every resource makes, and list paging (§14.3)."""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from dashkit.emulator.replies import ApiError, Reply

if TYPE_CHECKING:
    from dashkit.emulator.profile import GrafanaProfile
    from dashkit.emulator.routing import Request

T = TypeVar("T")

DEFAULT_LIST_LIMIT = 50
"""A list without `limit` answers at most 50 items, as Grafana's resource server does (`pkg/storage/unified/resource/
server.go`: "default max 50 items in a page"); plain Kubernetes would return everything."""

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
}
_GENERATE_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s utilrand: no vowels, no confusable digits
_GENERATE_NAME_SUFFIX = 5


# --- Status replies ---------------------------------------------------------------------------------------------


def reason_for(code: int) -> str:
    """The k8s `StatusReason` for an HTTP status (`InternalError` for unknown 5xx, `BadRequest` for unknown 4xx)."""
    return _REASONS.get(code, "InternalError" if code >= 500 else "BadRequest")


def status_body(code: int, reason: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A failure `Status` object (§1 shape 5); `details` is omitted when None."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details is not None:
        body["details"] = dict(details)
    body["code"] = code
    return body


def status_error(code: int, reason: str, message: str, details: Mapping[str, Any] | None = None) -> ApiError:
    """Raise-able failure `Status` with the given code, reason, message and details."""
    return ApiError(Reply(code, status_body(code, reason, message, details)))


def qualified(resource: str, group: str) -> str:
    """`dashboards` + `dashboard.grafana.app` -> `dashboards.dashboard.grafana.app` (k8s's GroupResource string)."""
    return f"{resource}.{group}" if group else resource


def _details(resource: str, group: str, name: str) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name, "group": group, "kind": resource}
    return {key: value for key, value in details.items() if value}


def not_found(resource: str, group: str, name: str) -> ApiError:
    """404 NotFound: `dashboards.dashboard.grafana.app "<name>" not found` (§14.3)."""
    return status_error(
        404, "NotFound", f'{qualified(resource, group)} "{name}" not found', _details(resource, group, name)
    )


def lookup(objects: Mapping[str, T], resource: str, group: str, name: str) -> T:
    """The object called `name` in `objects`; 404 NotFound when there is none."""
    found = objects.get(name)
    if found is None:
        raise not_found(resource, group, name)
    return found


def already_exists(resource: str, group: str, name: str) -> ApiError:
    """409 AlreadyExists: `dashboards.dashboard.grafana.app "<name>" already exists` (§14.3, create of a taken name)."""
    return status_error(
        409, "AlreadyExists", f'{qualified(resource, group)} "{name}" already exists', _details(resource, group, name)
    )


def conflict(resource: str, group: str, name: str, message: str | None = None) -> ApiError:
    """409 Conflict; by default the optimistic-concurrency text k8s uses for a stale `resourceVersion` (§14.3:
    `Operation cannot be fulfilled on <resource>.<group> "<name>": the object has been modified; please apply your
    changes to the latest version and try again`). `message` replaces the part after the colon."""
    why = message or "the object has been modified; please apply your changes to the latest version and try again"
    return status_error(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified(resource, group)} "{name}": {why}',
        _details(resource, group, name),
    )


@dataclass(frozen=True)
class Cause:
    """One field error of an Invalid (422) Status: k8s `StatusCause` (`reason` e.g. `FieldValueRequired`)."""

    field: str
    reason: str
    message: str


def invalid(kind: str, group: str, name: str, causes: Sequence[Cause]) -> ApiError:
    """422 Invalid, as k8s `NewInvalid` renders field errors: `<Kind>.<group> "<name>" is invalid: <field>: <msg>`
    (several causes joined in `[...]`); `details.kind` is the Kind (not the resource), `details.causes` lists them."""
    texts = [f"{cause.field}: {cause.message}" for cause in causes]
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    details: dict[str, Any] = {"name": name, "group": group, "kind": kind}
    details = {key: value for key, value in details.items() if value}
    details["causes"] = [{"reason": c.reason, "message": c.message, "field": c.field} for c in causes]
    return status_error(422, "Invalid", f'{qualified(kind, group)} "{name}" is invalid: {joined}', details)


def forbidden(message: str, *, resource: str = "", group: str = "", name: str = "") -> ApiError:
    """403 Forbidden carrying `message` verbatim (Grafana's storage hooks, e.g. the manager checks of §14.6, put
    their own text in the Status); `details` names the object when given."""
    details = _details(resource, group, name)
    return status_error(403, "Forbidden", message, details or None)


def bad_request(message: str) -> ApiError:
    """400 BadRequest with `message` (bad JSON, a malformed continue token, an unsupported dryRun value, ...)."""
    return status_error(400, "BadRequest", message)


def errutil_status(code: int, message_id: str, message: str) -> ApiError:
    """A Grafana errutil error as the apiserver renders it (`errutil.Error.Status()`): reason from the code, the
    public message, and the messageId in `details.uid` (§14.7: `folder.maximum-depth-reached`, `folder.not-empty`)."""
    return status_error(code, reason_for(code), message, {"uid": message_id})


def unknown_path() -> Reply:
    """What the apiserver answers for a path under /apis that no group/version/resource serves."""
    return Reply(404, status_body(404, "NotFound", "the server could not find the requested resource", {}))


def method_not_allowed() -> Reply:
    """What the apiserver answers for a verb a resource does not serve (e.g. POST to a named object)."""
    message = "the server does not allow this method on the requested resource"
    return Reply(405, status_body(405, "MethodNotAllowed", message, {}))


def serves_apis(profile: GrafanaProfile) -> bool:
    """The `exists_in` check of every route under /apis: only the 12/13 profiles serve the app platform."""
    return profile.serves_apis


def served_version(req: Request, group: str, resource: str) -> str:
    """The `{version}` path parameter of `req`, if this Grafana profile serves `resource` of `group` at that
    version (`GrafanaProfile.api_groups`, §14.1); otherwise the apiserver's 404 for an unknown path."""
    version = req.params["version"]
    if resource not in req.runtime.profile.api_resources(group, version):
        raise ApiError(unknown_path())
    return version


def bind_target(req: Request, group: str, resource: str) -> tuple[str, str]:
    """(version, namespace) of a request on `resource`: the version must be served (else the apiserver's 404), the
    namespace must be the caller's (else 403)."""
    version = served_version(req, group, resource)
    return version, bind_namespace(req)


def as_status(reply: Reply) -> Reply:
    """`reply` as a Status if it is an error in another shape (e.g. the RBAC 403 of the shared middleware), so that
    every error under /apis is a Status; a Status, a non-JSON body and a 401 (Grafana's authn middleware answers
    before the apiserver, as on /api) are returned unchanged."""
    body = reply.body
    if reply.status < 400 or reply.status == 401 or not isinstance(body, dict) or body.get("kind") == "Status":
        return reply
    message = body.get("message") if isinstance(body.get("message"), str) else reason_for(reply.status)
    return Reply(reply.status, status_body(reply.status, reason_for(reply.status), message), headers=reply.headers)


def success_status(group: str, resource: str, name: str, uid: str) -> dict[str, Any]:
    """The 200 body of a DELETE: `Status` Success with `details {name, group, kind, uid}` (§14.3)."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": name, "group": group, "kind": resource, "uid": uid},
    }


# --- namespaces -------------------------------------------------------------------------------------------------


def namespace_for_org(org_id: int, stack_id: int | None = None) -> str:
    """The namespace objects of `org_id` live in (§14.1): `default` for org 1 (`stacks-<id>` when a Grafana Cloud
    stack id is configured), `org-<id>` for the others."""
    if org_id == 1:
        return f"stacks-{stack_id}" if stack_id is not None else "default"
    return f"org-{org_id}"


def org_for_namespace(namespace: str, stack_id: int | None = None) -> int | None:
    """The org a namespace names, or None: `default` -> 1, `org-<id>` -> id, `stacks-<stack_id>` -> 1 (only for
    the configured stack)."""
    if namespace == "default":
        return 1
    prefix, _, number = namespace.partition("-")
    if not number.isdigit() or number.startswith("0"):
        return None
    if prefix == "org":
        return int(number)
    if prefix == "stacks" and stack_id is not None and int(number) == stack_id:
        return 1
    return None


def bind_namespace(req: Request) -> str:
    """Point `req` at the org its `{namespace}` path parameter names and return the namespace to report (the
    canonical one for that org). A namespace that names no org, or an org the caller is not a member of, is
    403 Forbidden (§14.1; the exact body is [unverified], this is the k8s authorizer's wording)."""
    namespace = req.params["namespace"]
    stack_id = req.runtime.config.stack_id
    org_id = org_for_namespace(namespace, stack_id)
    identity = req.identity
    allowed = identity is not None and org_id is not None and org_id in identity.orgs
    if not allowed or org_id is None or req.runtime.store.org(org_id) is None:
        who = identity.login if identity is not None else "anonymous"
        raise forbidden(f'user "{who}" cannot access namespace "{namespace}"')
    req.org_id = org_id
    return namespace_for_org(org_id, stack_id)


# --- versions, names, metadata ----------------------------------------------------------------------------------


def generate_name(prefix: str, taken: Callable[[str], bool]) -> str:
    """k8s `generateName`: `prefix` + 5 random characters, retried until the name is free."""
    while True:
        name = prefix + "".join(secrets.choice(_GENERATE_NAME_ALPHABET) for _ in range(_GENERATE_NAME_SUFFIX))
        if not taken(name):
            return name


def object_metadata(
    name: str,
    namespace: str,
    *,
    uid: str,
    resource_version: str,
    creation_timestamp: str,
    generation: int | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An object's `metadata` in k8s key order; `generation`, `labels` and `annotations` are left out when
    None/empty, an empty `resourceVersion` too (a dry-run create has none, §14.3)."""
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": uid}
    if resource_version:
        meta["resourceVersion"] = resource_version
    if generation is not None:
        meta["generation"] = generation
    meta["creationTimestamp"] = creation_timestamp
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


@dataclass
class IncomingObject:
    """The parts of a POST/PUT body the server acts on: metadata fields and the `spec` (and `status`, ignored)."""

    name: str
    generate_name: str
    resource_version: str
    labels: dict[str, str]
    annotations: dict[str, str]
    spec: dict[str, Any]
    api_version: str = ""
    kind: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def _string_map(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise bad_request(f"{where}: expected a map of strings")
    return dict(value)


def read_object(req: Request, kind: str, group: str, version: str) -> IncomingObject:
    """Parse a create/update body (§14.3). Not a JSON object, a non-object `metadata`/`spec`, or non-string
    labels/annotations -> 400 BadRequest; an `apiVersion`/`kind` other than this endpoint's -> 400 as the apiserver
    answers. A missing `spec` is an empty one."""
    try:
        body = json.loads(req.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"the object provided is unrecognized (must be of type {kind}): {exc}") from None
    if not isinstance(body, dict):
        raise bad_request(f"the object provided is unrecognized (must be of type {kind})")
    api_version, sent_kind = body.get("apiVersion", ""), body.get("kind", "")
    expected = f"{group}/{version}"
    if api_version and api_version != expected:
        raise bad_request(
            f"the API version in the data ({api_version}) does not match the expected API version ({expected})"
        )
    if sent_kind and sent_kind != kind:
        raise bad_request(f"the kind in the data ({sent_kind}) does not match the expected kind ({kind})")
    meta = body.get("metadata") or {}
    spec = body.get("spec")
    spec = {} if spec is None else spec
    if not isinstance(meta, dict) or not isinstance(spec, dict):
        raise bad_request(f"the object provided is unrecognized (must be of type {kind}): metadata/spec not objects")
    name, prefix, rv = meta.get("name", ""), meta.get("generateName", ""), meta.get("resourceVersion", "")
    if not all(isinstance(v, str) for v in (name, prefix, rv)):
        raise bad_request("metadata.name, metadata.generateName and metadata.resourceVersion are strings")
    return IncomingObject(
        name=name,
        generate_name=prefix,
        resource_version=rv,
        labels=_string_map(meta.get("labels"), "metadata.labels"),
        annotations=_string_map(meta.get("annotations"), "metadata.annotations"),
        spec=spec,
        api_version=api_version,
        kind=sent_kind,
        raw=body,
    )


def dry_run(req: Request) -> bool:
    """True for `?dryRun=All` (validate and answer, persist nothing; §14.3); absent/empty is False; any other value
    is 400."""
    values = [v for v in req.query.get("dryRun", []) if v]
    if not values:
        return False
    if all(v == "All" for v in values):
        return True
    raise bad_request(f'dryRun: Unsupported value: "{values[0]}": supported values: "All"')


# --- create, update, delete ------------------------------------------------------------------------------------


def name_to_create(obj: IncomingObject, kind: str, group: str, taken: Callable[[str], bool]) -> str:
    """The name a create stores `obj` under: its `metadata.name`, else one made from `generateName` (§14.3). A
    `resourceVersion` in the body is 500 (as the apiserver answers it); neither name nor generateName is 422."""
    if obj.resource_version:
        raise status_error(500, "InternalError", "resourceVersion should not be set on objects to be created")
    if obj.name:
        return obj.name
    if not obj.generate_name:
        cause = Cause("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")
        raise invalid(kind, group, "", [cause])
    return generate_name(obj.generate_name, taken)


def name_mismatch(sent: str, name: str) -> ApiError:
    """400 for a PUT body whose `metadata.name` is not the name in the URL."""
    return bad_request(f"the name of the object ({sent}) does not match the name on the URL ({name})")


def check_update(obj: IncomingObject, resource: str, group: str, name: str, resource_version: str) -> None:
    """An update body may leave `metadata.name` out but not name another object (400); a `resourceVersion` other
    than the stored one is 409 Conflict, an empty one makes the update unconditional (§14.3)."""
    if obj.name and obj.name != name:
        raise name_mismatch(obj.name, name)
    if obj.resource_version and obj.resource_version != resource_version:
        raise conflict(resource, group, name)


def delete_preconditions(req: Request) -> dict[str, Any]:
    """`preconditions` of a DELETE's optional `DeleteOptions` body ({} when there are none); a body that is not
    JSON is 400."""
    if not req.body.strip():
        return {}
    try:
        options = json.loads(req.body)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("the body of the request was in an unknown format") from None
    preconditions = options.get("preconditions") if isinstance(options, dict) else None
    return preconditions if isinstance(preconditions, dict) else {}


def check_preconditions(req: Request, resource: str, group: str, name: str, uid: str, resource_version: str) -> None:
    """A DELETE body's `DeleteOptions.preconditions` (`uid`, `resourceVersion`) must match the object: else 409."""
    preconditions = delete_preconditions(req)
    wanted_rv, wanted_uid = preconditions.get("resourceVersion"), preconditions.get("uid")
    if wanted_uid and wanted_uid != uid:
        raise conflict(
            resource, group, name, f"Precondition failed: UID in precondition: {wanted_uid}, UID in object meta: {uid}"
        )
    if wanted_rv and wanted_rv != resource_version:
        raise conflict(
            resource,
            group,
            name,
            f"Precondition failed: ResourceVersion in precondition: {wanted_rv}, "
            f"ResourceVersion in object meta: {resource_version}",
        )


# --- lists ------------------------------------------------------------------------------------------------------


def encode_continue(last_name: str, list_rv: str) -> str:
    """An opaque continue token: where the next page starts (after `last_name`) and the list's resourceVersion."""
    raw = json.dumps({"start": last_name, "rv": list_rv}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str) -> str:
    """The name a `continue` token resumes after; a token this server did not issue -> 400 BadRequest."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        start = raw["start"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise bad_request("continue key is not valid: invalid continue token") from None
    if not isinstance(start, str):
        raise bad_request("continue key is not valid: invalid continue token")
    return start


def list_limit(req: Request) -> int:
    """`?limit=` as an int (absent or 0 -> `DEFAULT_LIST_LIMIT`); not a non-negative integer -> 400."""
    text = req.arg("limit")
    if not text:
        return DEFAULT_LIST_LIMIT
    if not text.isdigit():
        raise bad_request(f'limit: Invalid value: "{text}": must be a non-negative integer')
    return int(text) or DEFAULT_LIST_LIMIT


@dataclass(frozen=True)
class Page:
    """One page of a list: the names on it (in order) and the continue token for the next one ("" on the last)."""

    names: list[str]
    continue_token: str


def paginate(
    sorted_names: Sequence[str],
    limit: int,
    token: str,
    list_rv: str,
    size_of: Callable[[str], int] | None = None,
    max_page_bytes: int = 0,
) -> Page:
    """Cut one page out of `sorted_names` (ascending): it starts after the name in `token` (so items created or
    deleted between requests shift nothing; every item present throughout is seen exactly once) and holds at most
    `limit` names. With `max_page_bytes` > 0 the page also ends once the sizes (`size_of(name)`) reach it, as
    Grafana's resource server cuts pages at its `max_page_size_bytes`. No token on the last page (§14.3)."""
    start = bisect.bisect_right(sorted_names, decode_continue(token)) if token else 0
    names: list[str] = []
    total = 0
    index = start
    while index < len(sorted_names) and len(names) < limit:
        name = sorted_names[index]
        names.append(name)
        index += 1
        if max_page_bytes and size_of is not None:
            total += size_of(name)
            if total >= max_page_bytes:
                break
    more = index < len(sorted_names)
    return Page(names, encode_continue(names[-1], list_rv) if more and names else "")


METADATA_ONLY = "as=PartialObjectMetadataList"


def wants_metadata_only(req: Any) -> bool:
    """A list asked for as `Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`: the generic
    Kubernetes API server answers with the objects' metadata only (Grafana's own code lists alert rules that way)."""
    return METADATA_ONLY in (req.headers.get("Accept") or "")


def partial_metadata_json(metadata_json: str) -> str:
    """One item of a PartialObjectMetadataList, from the object's serialised metadata."""
    return '{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":' + metadata_json + "}"


def metadata_list_reply(list_rv: str, continue_token: str, items_json: Iterable[str]) -> Reply:
    return list_reply("PartialObjectMetadataList", "meta.k8s.io/v1", list_rv, continue_token, items_json)


def list_reply(kind: str, api_version: str, list_rv: str, continue_token: str, items_json: Iterable[str]) -> Reply:
    """A `<Kind>List` reply assembled from already-serialised items (each object is serialised once and cached by
    its owner, so a page of 500 large objects costs one join, not a re-encoding)."""
    meta: dict[str, Any] = {"resourceVersion": list_rv}
    if continue_token:
        meta["continue"] = continue_token
    head = json.dumps({"kind": kind, "apiVersion": api_version, "metadata": meta}, separators=(",", ":"))
    payload = head[:-1] + ',"items":[' + ",".join(items_json) + "]}"
    return Reply(200, payload.encode())


def object_reply(object_json: str, status: int = 200) -> Reply:
    """A single object from its cached JSON text."""
    return Reply(status, object_json.encode())
