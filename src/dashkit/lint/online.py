"""`dashkit lint --prometheus URL`: the metrics, labels and label values that queries select must exist in that
Prometheus (DK140, DK141). A few cached HTTP calls per run: one for metric names, then per metric and label."""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Iterator
from typing import Any

import requests

from .. import promql_ast as ast
from ..errors import GrafanaError
from ..grafana_vars import substitute_variables
from .model import Document, Finding
from .rules._promql import Query, parse, queries
from .rules.online import UnknownLabel, UnknownMetric

WINDOW = "in the last 24h"
WINDOW_SECONDS = 24 * 3600  # label names and values are looked up over the last day
UNKNOWN_METRIC = UnknownMetric()
UNKNOWN_LABEL = UnknownLabel()
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_LABEL_NAME = re.compile(r"[A-Za-z_]\w*")
_QUOTE = '"'
_SHOWN = 8  # label names or values listed in a message when none is close to the one written


def check_against_prometheus(docs: list[Document], url: str, *, timeout: float = 10.0,
                             session: requests.Session | None = None) -> list[Finding]:
    """DK140/DK141 findings for every selector of every PromQL query in `docs`. Raises GrafanaError (exit 4)
    when the Prometheus at `url` cannot be reached or does not answer like a Prometheus."""
    prometheus = _Prometheus(url, timeout, session or requests.Session())
    findings: list[Finding] = []
    for doc in docs:
        for query in queries(doc):
            findings.extend(dict.fromkeys(_check_query(doc, query, prometheus)))  # a selector repeated: once
    return findings


def metric_metadata(url: str, *, timeout: float = 10.0, session: requests.Session | None = None) -> dict[str, str]:
    """{metric family: type} from the Prometheus at `url` (`/api/v1/metadata`: what its targets declare in their
    `# TYPE` lines). A family whose targets disagree is left out; a server without the endpoint (Prometheus before
    2.15, some proxies) answers {}. Raises GrafanaError like check_against_prometheus when it cannot be reached."""
    prometheus = _Prometheus(url, timeout, session or requests.Session())
    entries = prometheus.metadata()
    types: dict[str, str] = {}
    for family, items in entries.items():
        declared = {str(item.get("type", "")).lower() for item in items if isinstance(item, dict)} - {""}
        if len(declared) == 1:
            types[str(family)] = declared.pop()
    return types


def _check_query(doc: Document, query: Query, prometheus: _Prometheus) -> Iterator[Finding]:
    tree = parse(query.expr)
    if isinstance(tree, ValueError):
        return  # DK130/DK201 report it
    written = _Written(query.expr)
    for selector in ast.selectors(tree):
        metric = selector.metric if selector.metric and written.name(selector.metric) else None
        if selector.metric is None:
            metric = next((v for name, op, v in selector.matchers
                           if name == "__name__" and op == "=" and written.value(v)), None)
        if not metric:
            continue
        known = prometheus.metric_names()
        if metric not in known:
            yield UNKNOWN_METRIC.finding(doc, query.path, _unknown_metric(metric, known))
            continue
        for label, op, value in selector.matchers:
            message = _matcher_problem(prometheus, written, metric, label, op, value)
            if message:
                yield UNKNOWN_LABEL.finding(doc, query.path, message)


def _matcher_problem(prometheus: _Prometheus, written: _Written, metric: str, label: str, op: str,
                     value: str) -> str | None:
    if label == "__name__" or not _LABEL_NAME.fullmatch(label) or not written.label(label):
        return None
    concrete = written.value(value)
    pattern = _regex(value) if op == "=~" and concrete else None
    if concrete and op in ("=", "=~") and (value == "" or (pattern is not None and pattern.fullmatch(""))):
        return None  # selects the series without the label: deliberate
    labels = prometheus.label_names(metric)
    if not labels:
        return None  # no series in the window: nothing to compare with
    if label not in labels:
        return f"label '{label}' never appears on '{metric}' {WINDOW}{_suggest(label, labels, 'its labels')}"
    if not concrete or op not in ("=", "=~") or (op == "=~" and pattern is None):
        return None
    values = prometheus.label_values(metric, label)
    if op == "=" and value not in values:
        hint = _suggest(value, values, "its values", quote=_QUOTE)
        return f"'{metric}' never has {label}=\"{value}\" {WINDOW}{hint}"
    if op == "=~" and pattern is not None and not any(pattern.fullmatch(v) for v in values):
        hint = f" (its values: {_listing(values, _QUOTE)})" if values else ""
        return f"no '{label}' value of '{metric}' matches =~\"{value}\" {WINDOW}{hint}"
    return None


def _unknown_metric(metric: str, known: set[str]) -> str:
    close = difflib.get_close_matches(metric, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    if ":" in metric:
        return f"metric '{metric}' does not exist (a recording rule? it has no data in this Prometheus){hint}"
    return f"metric '{metric}' does not exist in this Prometheus{hint}"


def _suggest(word: str, known: set[str], what: str, quote: str = "'") -> str:
    close = difflib.get_close_matches(word, known, n=1)
    if close:
        return f"; did you mean {quote}{close[0]}{quote}?"
    return f" ({what}: {_listing(known, quote)})"


def _listing(items: set[str], quote: str) -> str:
    shown = sorted(items)[:_SHOWN]
    more = f", … {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return ", ".join(f"{quote}{item}{quote}" for item in shown) + more


def _regex(value: str) -> re.Pattern[str] | None:
    """The matcher's regex (Prometheus anchors it: use fullmatch), or None when Python cannot read it."""
    try:
        return re.compile(value)
    except re.error:
        return None


class _Written:
    """What the query's author wrote literally, as opposed to the stand-ins parse() put for Grafana variables:
    `{job="$job"}` parses as job="job", which must not be checked."""

    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.literals: set[str] = set()
        self.substituted: set[str] = set()
        for match in _STRING.finditer(expr):
            literal = match.group()
            replaced = substitute_variables(literal)
            (self.literals if replaced == literal else self.substituted).add(_unquote(replaced))

    def value(self, value: str) -> bool:
        return value in self.literals and value not in self.substituted

    def name(self, metric: str) -> bool:
        """Not `$metric`, `${metric}`, `[[metric]]` nor glued from one (`node_${kind}_total`)."""
        return re.search(rf"(?<![\w:$]){re.escape(metric)}(?![\w:}}.\]])", self.expr) is not None

    def label(self, label: str) -> bool:
        return re.search(rf"(?<![\w:$]){re.escape(label)}\s*(?:=|!=|=~|!~)", self.expr) is not None


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    if literal.startswith("`"):
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body, flags=re.S)


class _Prometheus:
    """One Prometheus's metric names, label names per metric and values per label, each asked for once."""

    def __init__(self, url: str, timeout: float, session: requests.Session) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session
        self.end = time.time()
        self.start = self.end - WINDOW_SECONDS
        self._metrics: set[str] | None = None
        self._labels: dict[str, set[str]] = {}
        self._values: dict[tuple[str, str], set[str]] = {}

    def metric_names(self) -> set[str]:
        if self._metrics is None:
            self._metrics = set(self._get("/api/v1/label/__name__/values"))
        return self._metrics

    def label_names(self, metric: str) -> set[str]:
        if metric not in self._labels:
            self._labels[metric] = set(self._get("/api/v1/labels", self._recent(metric))) - {"__name__"}
        return self._labels[metric]

    def label_values(self, metric: str, label: str) -> set[str]:
        if (metric, label) not in self._values:
            self._values[metric, label] = set(self._get(f"/api/v1/label/{label}/values", self._recent(metric)))
        return self._values[metric, label]

    def metadata(self) -> dict[str, list]:
        try:
            data = self._get_data("/api/v1/metadata")
        except GrafanaError as exc:
            if exc.status == 404:
                return {}
            raise
        return data if isinstance(data, dict) else {}

    def _recent(self, metric: str) -> dict[str, str]:
        return {"match[]": f'{{__name__="{metric}"}}', "start": f"{self.start:.3f}", "end": f"{self.end:.3f}"}

    def _get(self, path: str, params: dict[str, str] | None = None) -> list[str]:
        data = self._get_data(path, params)
        if isinstance(data, list):
            return [str(item) for item in data]
        raise GrafanaError(f"Prometheus at {self.url} answered GET {path} with a {type(data).__name__}, not a list",
                           hint="--prometheus takes the base URL that serves /api/v1/..., e.g. http://prometheus:9090",
                           method="GET", path=path)

    def _get_data(self, path: str, params: dict[str, str] | None = None) -> Any:
        """The `data` of a successful Prometheus API answer; GrafanaError (exit 4) otherwise."""
        try:
            response = self.session.get(self.url + path, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            problem = f"did not answer within {self.timeout:g}s" if isinstance(exc, requests.Timeout) \
                else "cannot be reached"
            error = GrafanaError(f"Prometheus at {self.url} {problem}", method="GET", path=path,
                                 hint="check the --prometheus URL and that this machine can reach it; "
                                      "lint without --prometheus to skip the online checks")
            error.detail = str(exc)
            raise error from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.ok and isinstance(body, dict) and body.get("status") == "success" \
                and isinstance(body.get("data"), (list, dict)):
            return body["data"]
        reason = body.get("error") if isinstance(body, dict) and body.get("error") else "not the Prometheus API"
        hint = "--prometheus takes the base URL that serves /api/v1/..., e.g. http://prometheus:9090"
        if response.status_code in (401, 403):
            hint = "this Prometheus wants credentials that dashkit was not given"
        raise GrafanaError(f"Prometheus at {self.url} answered GET {path} with HTTP {response.status_code}: {reason}",
                           hint=hint, status=response.status_code, body=body, method="GET", path=path)
