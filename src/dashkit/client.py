"""GrafanaClient: HTTP to Grafana on requests: auth, org header, timeouts, retries, paging, typed errors.

It knows nothing of resource kinds. Secrets live only in session headers and are never put in a message.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from .config import Credentials
from .errors import AuthError, Conflict, GrafanaError, GrafanaUnreachable, NotFound, ResponseLost
from .secrets import longest_first, mask, masked_forms, seen_forms

RETRY_STATUSES = frozenset({429, 502, 503, 504})
# A proxy answering 502/504 may have forwarded the request: for a non-idempotent write the outcome is unknown.
_AMBIGUOUS_STATUSES = frozenset({502, 504})
SEARCH_PAGE_SIZE = 5000
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # total tries per request
    backoff: float = 0.25  # first backoff in seconds, doubled each try, full jitter
    max_backoff: float = 8.0


@dataclass
class RetryTally:
    """What a client had to retry: requests retried at least once, retries in all, and what caused them (an HTTP
    status like "429", or "connection" for a connection that failed or dropped)."""

    requests: int = 0
    retries: int = 0
    causes: Counter[str] = field(default_factory=Counter)


@dataclass
class Reply:
    status: int
    data: Any
    headers: Mapping[str, str]


def quote_segment(value: str) -> str:
    """Escape one path segment (a uid or a datasource name)."""
    return quote(str(value), safe="")


METADATA_LIST_ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"


class GrafanaClient:
    """One Grafana instance and org. Safe to share between threads (one requests.Session per thread)."""

    def __init__(
        self,
        url: str,
        credentials: Credentials | None = None,
        *,
        org_id: int | None = None,
        timeout: float = 30.0,
        verify: bool | str = True,
        retry: RetryPolicy | None = None,
        pool_size: int = 8,
        log: Callable[[str], None] | None = None,
        auth_hint: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        search_page_size: int = SEARCH_PAGE_SIZE,
    ) -> None:
        parts = urlsplit(url.rstrip("/"))
        # Never keep user:password@ in the URL: it would reach messages and logs.
        self.base_url = urlunsplit((parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else ""),
                                    parts.path, "", ""))
        self._credentials = credentials or Credentials()
        # What an answer may echo back (a proxy quoting the Authorization header): masked in every message, also
        # for library callers that print errors without the CLI's Console.
        self._masks = longest_first(form for secret in self._credentials.secrets for form in masked_forms(secret))
        self._org_id = org_id
        self._timeout = timeout
        self._verify = verify
        self._retry = retry or RetryPolicy()
        self._pool_size = pool_size
        self._log = log
        self._auth_hint = auth_hint
        self._extra_headers = dict(extra_headers or {})
        self._page_size = search_page_size
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.sent = 0  # requests sent, retries included; unlocked: a figure for a progress line, not an account
        self.retried = RetryTally()
        self.deprecations: dict[str, str] = {}  # replaced API -> what Grafana said about its deprecation (once each)
        self._deprecated_areas: dict[str, list[str]] = {}  # replaced API -> the route areas that said so

    # -- sessions -------------------------------------------------------------------------------------------
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=self._pool_size, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.verify = self._verify
            session.trust_env = False
            session.headers.update({"Accept": "application/json", "User-Agent": "dashkit"})
            session.headers.update(self._extra_headers)
            if self._org_id is not None:
                session.headers["X-Grafana-Org-Id"] = str(self._org_id)
            creds = self._credentials
            if creds.token:
                session.headers["Authorization"] = f"Bearer {creds.token}"
            elif creds.user:
                session.auth = (creds.user, creds.password or "")
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def __enter__(self) -> GrafanaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests -------------------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        allow: Iterable[int] = (),
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send one API call with retries. Statuses in `allow` are returned instead of raised.

        A non-idempotent call (POST by default) is retried only when it certainly was not processed
        (connection refused, 429, 503); when its answer was lost it raises ResponseLost, so the caller can
        re-read and verify instead of writing twice.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method != "POST"
        allowed = set(allow)
        url = self.base_url + path
        policy = self._retry
        last_problem = ""
        for attempt in range(1, policy.attempts + 1):
            started = time.monotonic()
            wait: float | None = None
            cause = "connection"
            self.sent += 1
            try:
                response = self._session().request(method, url, params=params, json=json, headers=headers,
                                                   timeout=self._timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                sent = not _never_sent(exc)
                last_problem = _describe_exception(exc)
                self._trace(method, path, f"failed: {last_problem}", started)
                if sent and not idempotent:
                    raise ResponseLost(
                        f"{method} {path}: the connection dropped before Grafana answered ({last_problem})",
                        hint="the write may or may not have been applied",
                        method=method, path=path,
                    ) from None
            else:
                status = response.status_code
                self._trace(method, path, str(status), started)
                if status in RETRY_STATUSES and status not in allowed:
                    last_problem = f"HTTP {status} {self._quoted(_short_body(response))}"
                    if not idempotent and status in _AMBIGUOUS_STATUSES:
                        raise ResponseLost(
                            f"{method} {path}: a proxy answered {status} and the write may have been applied",
                            method=method, path=path, status=status,
                        )
                    wait = _retry_after(response)
                    cause = str(status)
                else:
                    return self._reply(method, path, response, allowed)
            if attempt == policy.attempts:
                break
            if wait is None:
                wait = random.uniform(0, min(policy.max_backoff, policy.backoff * 2 ** (attempt - 1)))
                why = "backoff"
            else:
                why = "Retry-After"
            with self._lock:
                self.retried.requests += attempt == 1
                self.retried.retries += 1
                self.retried.causes[cause] += 1
            if self._log is not None:
                self._log(f"{method} {path}: retry {attempt}/{policy.attempts - 1} in {wait:.2f} s ({why})")
            time.sleep(wait)
        if last_problem.startswith("HTTP "):
            raise GrafanaError(
                f"{method} {path} failed after {policy.attempts} tries: {last_problem}",
                hint="Grafana or a proxy in front of it is overloaded or restarting; run the command again later",
                method=method, path=path,
            )
        raise GrafanaUnreachable(
            f"cannot reach Grafana at {self.base_url} ({last_problem})",
            hint="check the environment's url in dashkit.yaml and that Grafana is running",
            method=method, path=path,
        )

    def _reply(self, method: str, path: str, response: requests.Response, allowed: set[int]) -> Reply:
        status = response.status_code
        data = _json_or_none(response)
        if "X-API-Deprecation-Date" in response.headers or response.headers.get("Warning", "").startswith("299"):
            self._note_deprecation(path, response.headers)
        if 200 <= status < 300 or status in allowed:
            if data is None and response.content and _looks_like_json_expected(response):
                raise GrafanaError(
                    f"{method} {path}: expected JSON from Grafana, got {_content_type(response)} "
                    f"({self._quoted(_short_body(response))})",
                    hint="is the url pointing at Grafana itself, not a login page or proxy?",
                    status=status, method=method, path=path,
                )
            return Reply(status, data, response.headers)
        raise self._error(method, path, response, data)

    def _error(self, method: str, path: str, response: requests.Response, data: Any) -> GrafanaError:
        status = response.status_code
        detail = self._quoted(_error_detail(data) or _short_body(response))
        where = f"{method} {path}"
        common = {"status": status, "body": data, "method": method, "path": path}
        if status == 401:
            return AuthError(
                f"Grafana at {self.base_url} rejected the credentials (401: {detail})",
                hint=self._auth_hint or "check the token or user/password dashkit was given",
                **common,
            )
        if status == 403:
            return AuthError(
                f"{where}: permission denied (403: {detail})",
                hint="give the service account the Editor or Admin role (or the permission named above)",
                **common,
            )
        if status == 404:
            return NotFound(f"{where}: not found (404: {detail})", **common)
        if status in (409, 412):
            return Conflict(f"{where}: conflict ({status}: {detail})", **common)
        return GrafanaError(f"{where} failed ({status}: {detail})", **common)

    def _note_deprecation(self, path: str, headers: Mapping[str, str]) -> None:
        """Remember, once per replaced API, that Grafana marked a route deprecated (Grafana 13's legacy alerting
        routes answer with `Warning: 299`, `X-API-Deprecation-Date` and `X-API-Replacement`). Routes with one
        replacement (alert rules and rule groups) are one deprecation; without a replacement, one per API area."""
        area = _api_area(path)
        replacement = headers.get("X-API-Replacement")
        key = replacement or area
        with self._lock:
            areas = self._deprecated_areas.setdefault(key, [])
            if area in areas:
                return
            areas.append(area)
            date = headers.get("X-API-Deprecation-Date")
            text = f"Grafana marks {', '.join(sorted(areas))} as deprecated" + (f" (since {date})" if date else "")
            if replacement:
                text += f"; its replacement is {replacement}"
            self.deprecations[key] = text

    def _quoted(self, text: str) -> str:
        """Text from Grafana's answer, fit to quote in a message: no form of a credential or secret in it."""
        return mask(mask(text, self._masks), seen_forms())

    def _trace(self, method: str, path: str, outcome: str, started: float) -> None:
        if self._log is not None:
            self._log(f"{method} {path} -> {outcome} ({(time.monotonic() - started) * 1000:.0f} ms)")

    # -- conveniences ---------------------------------------------------------------------------------------
    def get(self, path: str, params: Any = None, allow: Iterable[int] = ()) -> Reply:
        return self.request("GET", path, params=params, allow=allow)

    def get_or_none(self, path: str, params: Any = None) -> Any:
        """The JSON at path, or None when Grafana answers 404."""
        reply = self.get(path, params=params, allow=(404,))
        return None if reply.status == 404 else reply.data

    def items(self, path: str, limit: int = 500, metadata_only: bool = False) -> Iterator[dict]:
        """Every item of an app-platform (Kubernetes-style) list, one page of `limit` at a time: a caller that
        consumes them as they come holds one page, not the whole list. `metadata_only` asks for the objects'
        metadata alone (a PartialObjectMetadataList, as Kubernetes' metadata informers do); a server that does not
        offer it answers with whole objects, which the caller must accept too."""
        token: str | None = None
        headers = {"Accept": METADATA_LIST_ACCEPT} if metadata_only else None
        while True:
            params: list[tuple[str, Any]] = [("limit", limit)]
            if token:
                params.append(("continue", token))
            data = self.request("GET", path, params=params, headers=headers).data
            data = data if isinstance(data, dict) else {}
            yield from (item for item in data.get("items") or [] if isinstance(item, dict))
            token = (data.get("metadata") or {}).get("continue")
            if not token:
                return

    def search(self, params: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> list[dict]:
        """Every hit of /api/search, page by page (limit 5000, the maximum Grafana allows)."""
        base = list(params.items()) if isinstance(params, Mapping) else list(params)
        hits: list[dict] = []
        page = 1
        while True:
            reply = self.get("/api/search", params=[*base, ("limit", self._page_size), ("page", page)])
            batch = reply.data if isinstance(reply.data, list) else []
            hits.extend(batch)
            if len(batch) < self._page_size:
                return hits
            page += 1


def _api_area(path: str) -> str:
    """The API a path belongs to, without the names in it: `/api/v1/provisioning/alert-rules` for
    `.../alert-rules/<uid>`, `/api/v1/provisioning/folder/*/rule-groups` for a rule group; else the first 4 segments."""
    parts = path.split("?")[0].split("/")
    if parts[1:4] != ["api", "v1", "provisioning"]:
        return "/".join(parts[:5])
    rest = [part if i % 2 == 0 else "*" for i, part in enumerate(parts[4:])]  # collection, name, collection, ...
    if len(rest) % 2 == 0:
        rest = rest[:-1]  # it ends with a name
    return "/".join(parts[:4] + rest)


def _never_sent(exc: Exception) -> bool:
    """True when the request certainly did not reach the server (the connection was never established)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    text = repr(exc)
    return any(s in text for s in ("NewConnectionError", "ConnectionRefused", "Connection refused",
                                   "NameResolutionError", "Failed to resolve", "Name or service not known"))


def _describe_exception(exc: Exception) -> str:
    text = repr(exc)
    for needle, words in (
        ("Connection refused", "connection refused"),
        ("ConnectionRefused", "connection refused"),
        ("NameResolutionError", "host name does not resolve"),
        ("Failed to resolve", "host name does not resolve"),
        ("RemoteDisconnected", "server closed the connection without answering"),
        ("ConnectionResetError", "connection reset"),
        ("SSLError", "TLS error"),
        ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
    ):
        if needle in text:
            return words
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return type(exc).__name__


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(MAX_RETRY_AFTER, seconds))


def _json_or_none(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _content_type(response: requests.Response) -> str:
    return (response.headers.get("Content-Type") or "no content type").split(";")[0]


def _looks_like_json_expected(response: requests.Response) -> bool:
    return response.request is not None and response.request.path_url.startswith(("/api/", "/apis"))


def _error_detail(data: Any) -> str:
    if isinstance(data, dict) and data.get("kind") == "Status":  # the app-platform's Kubernetes Status
        message, reason = data.get("message"), data.get("reason")
        if isinstance(message, str) and message:
            return f"{reason}: {message}" if isinstance(reason, str) and reason else message
    if isinstance(data, dict):
        message = data.get("message") or data.get("error") or data.get("title")
        if isinstance(message, str) and message:
            msg_id = data.get("messageId") or data.get("status")
            return f"{msg_id}: {message}" if isinstance(msg_id, str) and msg_id else message
    return ""


_TITLE_RE = re.compile(r"<title>(.*?)</title>", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]+>")


def _short_body(response: requests.Response) -> str:
    """A one-line summary of a non-JSON body (a proxy's HTML page), never the whole page."""
    text = response.text or ""
    match = _TITLE_RE.search(text)
    if match:
        text = match.group(1)
    text = " ".join(_TAG_RE.sub(" ", text).split())
    if not text:
        return f"empty {_content_type(response)} body"
    return text[:120] + ("..." if len(text) > 120 else "")
