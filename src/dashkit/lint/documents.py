"""Turn what the user points lint at into Documents: a dashkit project's built resources, or dashboard JSON and
rule YAML files and folders (plain rule files, Grafana provisioning files, PrometheusRule resources, ConfigMaps
holding dashboards, multi-document YAML)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import v2_dashboards
from .model import DocKind, Document, Finding, Severity
from .positions import json_lines, locator, yaml_lines

READ_ERROR = "DK001"
NOT_LINTABLE = "DK004"

MAX_NESTING = 100  # real dashboards and rule files nest about 12 levels; walkers recurse, so deeper is refused


def from_paths(paths: Iterable[Path], exclude: Iterable[str] = ()) -> tuple[list[Document], list[Finding]]:
    """Documents in the files (folders are searched for *.json, *.yaml, *.yml), and findings for files that cannot
    be read, or hold nothing lint can check: an error for a file named on the command line, advice for one found in
    a folder (folders hold other files too)."""
    docs: list[Document] = []
    problems: list[Finding] = []
    patterns = list(exclude)
    for path, named in _files(paths):
        if any(path.match(p) for p in patterns):
            continue
        reported = len(problems)
        try:
            found = _json_documents(path, problems) if path.suffix == ".json" else _yaml_documents(path, problems)
        except Unrecognised as exc:
            if len(problems) == reported:  # not when what it holds could not be read (DK001 says so)
                problems.append(Finding(NOT_LINTABLE, Severity.ERROR if named else Severity.INFO,
                                        f"not a dashboard or rule file: {exc}", str(path), "",
                                        rule="not-a-dashboard-or-rule-file"))
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(Finding(READ_ERROR, Severity.ERROR, f"cannot be read: {exc}", str(path), "",
                                    rule="unreadable-file"))
        else:
            docs.extend(found)
    return docs, problems


def _files(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """(file, named on the command line) for each file to read."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.suffix in (".json", ".yaml", ".yml") and child.is_file() and not any(
                        p.startswith(".") for p in child.relative_to(path).parts):
                    yield child, False
        elif path.is_file():
            yield path, True
        else:
            from ..errors import ConfigError

            raise ConfigError(f"{path}: no such file or folder")


def _json_documents(path: Path, problems: list[Finding]) -> list[Document]:
    text = path.read_text(encoding="utf-8")
    data = _parse_json(text)
    locate = locator(lambda: json_lines(text))
    docs = _documents_in(data, _Source(path, locate, problems))
    if not docs:
        raise Unrecognised(_what_it_is(data))
    return docs


def _parse_json(text: str, what: str = "JSON") -> Any:
    """The JSON value; ValueError when it is invalid or nests deeper than MAX_NESTING."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid {what} at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise ValueError(f"the {what} nests deeper than {MAX_NESTING} levels") from None
    _check_nesting(data, what)
    return data


def _check_nesting(data: Any, what: str) -> None:
    """ValueError when some value nests deeper than MAX_NESTING levels."""
    if _nests_deeper(data):
        raise ValueError(f"the {what} nests deeper than {MAX_NESTING} levels")


def _nests_deeper(value: Any) -> bool:
    """Whether a non-empty container lies MAX_NESTING levels down in `value`: walked level by level, containers
    only (no recursion, so no limit to hit; a list comprehension per level is the fastest walk in CPython)."""
    level = [value] if type(value) is dict or type(value) is list else []
    for _ in range(MAX_NESTING):
        if not level:
            return False
        level = [child for item in level for child in (item.values() if type(item) is dict else item)
                 if type(child) is dict or type(child) is list]
    return any(level)


def _yaml_documents(path: Path, problems: list[Finding]) -> list[Document]:
    import yaml

    from ..safe_yaml import SafeLoader

    text = path.read_text(encoding="utf-8")
    try:
        datas = list(yaml.load_all(text, Loader=SafeLoader))
    except yaml.YAMLError as exc:
        raise ValueError(_yaml_problem(exc)) from None
    for data in datas:
        _check_nesting(data, "YAML")
    nodes: list = []

    def node_lines(index: int) -> dict[str, int]:  # composed only when a finding needs a line number
        if not nodes:
            nodes.extend(yaml.compose_all(text, Loader=SafeLoader))
        return yaml_lines(nodes[index])

    docs: list[Document] = []
    several = len(datas) > 1
    for index, data in enumerate(datas):
        suffix = f" (document {index + 1})" if several else ""
        locate = locator(lambda index=index: node_lines(index))
        if several:  # paths start with "[doc N] ", which the document's own line table does not know
            locate = functools.partial(_in_document, locate)
        found = _documents_in(data, _Source(path, locate, problems, suffix))
        for doc in found if several else ():
            doc.prefix = f"[doc {index + 1}] {doc.prefix}"
            doc.facts["document"] = index + 1
        docs.extend(found)
    if not docs:
        present = [d for d in datas if d is not None]
        if len(present) == 1:
            raise Unrecognised(_what_it_is(present[0]))
        raise Unrecognised(f"{len(present)} YAML documents: {', '.join(_what_it_is(d) for d in present)}"
                           if present else "the file is empty")
    return docs


_DOC_MARK = re.compile(r"^\[doc \d+\] ?")


def _in_document(locate: Callable[[str], int | None], location: str) -> int | None:
    """The line of `location` (which names its document of a multi-document file first) in that document."""
    return locate(_DOC_MARK.sub("", location, count=1))


def _yaml_problem(exc: Exception) -> str:
    from ..safe_yaml import YAMLTooExpensive

    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark else ""
    what = "YAML too costly to read" if isinstance(exc, YAMLTooExpensive) else "invalid YAML"
    return f"{what}{where}: {getattr(exc, 'problem', None) or exc}"


class Unrecognised(ValueError):
    """A file that holds no dashboard, rule group or SLO spec in any shape lint knows; the message says what it
    holds instead."""


@dataclass
class _Source:
    """Where documents come from: the file, its line finder, the findings about it, and the label suffix of a
    multi-document YAML file's n-th document."""

    path: Path
    locate: Any
    problems: list[Finding]
    suffix: str = ""


_DASHBOARD_KEYS = ("panels", "rows", "templating", "schemaVersion")


def _documents_in(data: Any, source: _Source, prefix: str = "") -> list[Document]:
    """The dashboards, rule groups and SLO specs in one parsed document, unwrapping the shapes they travel in:
    API exports `{dashboard, meta}`, Kubernetes objects (ConfigMaps, PrometheusRule, grafana-operator's
    GrafanaDashboard and GrafanaAlertRuleGroup, Grafana's app-platform Dashboard, List) and a single-key object
    holding one (`{"name.json": {...}}`)."""
    if not isinstance(data, dict):
        return []
    path, locate, suffix = source.path, source.locate, source.suffix
    at = f"{prefix}." if prefix else ""
    if v2_dashboards.is_schema_v2(data):
        return [v2_dashboards.document(data, str(path), prefix=prefix, label_suffix=suffix, locate=locate)]
    kind = data.get("kind")
    spec = data.get("spec")
    if kind == "PrometheusRule" and isinstance(spec, dict):
        name = (data.get("metadata") or {}).get("name", path.stem)
        return _rule_documents(spec, path, f"{at}spec", locate, f"{name}{suffix}")
    if kind == "ConfigMap" and isinstance(data.get("data"), dict):
        return _config_map(data["data"], source, f"{at}data")
    if kind == "GrafanaDashboard" and isinstance(spec, dict):
        return _grafana_operator_dashboard(spec, source, f"{at}spec")
    if kind == "GrafanaAlertRuleGroup" and isinstance(spec, dict) and isinstance(spec.get("rules"), list):
        name = str(spec.get("name") or (data.get("metadata") or {}).get("name") or path.stem)
        return [Document(DocKind.GRAFANA_RULES, spec, str(path), label=f"{name}{suffix}", prefix=f"{at}spec",
                         locate=locate, facts={"interval": spec.get("interval")})]
    if kind == "Dashboard" and str(data.get("apiVersion", "")).startswith("dashboard.grafana.app/") \
            and isinstance(spec, dict):
        return _documents_in(spec, source, f"{at}spec")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):  # List, ConfigMapList
        return [d for i, item in enumerate(data["items"]) for d in _documents_in(item, source, f"{at}items[{i}]")]
    if isinstance(data.get("dashboard"), dict):  # an API export {dashboard, meta}
        return _documents_in(data["dashboard"], source, f"{at}dashboard")
    if any(key in data for key in _DASHBOARD_KEYS):
        return [Document(DocKind.DASHBOARD, data, str(path), label=f"{data.get('title') or path.name}{suffix}",
                         prefix=prefix, locate=locate)]
    if isinstance(data.get("groups"), list):
        return _rule_documents(data, path, prefix, locate, suffix.strip())
    if isinstance(data.get("slos"), list) and "version" in data:
        return [Document(DocKind.SLO, data, str(path), label=f"{data.get('service', path.stem)}{suffix}",
                         prefix=prefix, locate=locate)]
    if len(data) == 1 and kind is None:  # {"node-exporter.json": {...}}: a dashboard under its file name
        key, value = next(iter(data.items()))
        if isinstance(value, dict):
            return _documents_in(value, source, f"{at}{key}")
    return []


def _config_map(entries: dict, source: _Source, prefix: str) -> list[Document]:
    """A ConfigMap's entries that hold dashboard JSON (Grafana's sidecar) or rule files."""
    out: list[Document] = []
    for key, value in entries.items():
        if not isinstance(value, str) or not value.strip():
            continue
        where = f"{prefix}.{key}"
        text = value.lstrip()
        named = str(key).endswith((".json", ".yaml", ".yml", ".rules"))  # a file: broken means broken
        try:
            if str(key).endswith(".json") or (not named and text.startswith("{")):
                parsed = _parse_json(value, f"JSON in {where}")
            elif named:
                parsed = _parse_yaml(value, where)
            else:
                continue
        except ValueError as exc:
            if named:
                source.problems.append(Finding(READ_ERROR, Severity.ERROR, f"cannot be read: {exc}",
                                               str(source.path), "", rule="unreadable-file"))
            continue
        for doc in _documents_in(parsed, _Source(source.path, None, source.problems, source.suffix)):
            doc.prefix = f"{where}.{doc.prefix}" if doc.prefix else where
            if doc.kind is DocKind.DASHBOARD and not doc.data.get("title"):
                doc.label = f"{key}{source.suffix}"
            out.append(doc)
    return out


def _grafana_operator_dashboard(spec: dict, source: _Source, prefix: str) -> list[Document]:
    """grafana-operator's GrafanaDashboard: the dashboard as `json` (a string) or `gzipJson` (base64 of gzip).
    One that points elsewhere (`url`, `grafanaCom`, `configMapRef`, `jsonnet`) holds nothing to lint here."""
    if isinstance(spec.get("json"), str):
        text, where = spec["json"], f"{prefix}.json"
    elif isinstance(spec.get("gzipJson"), str):
        import base64
        import binascii
        import gzip

        where = f"{prefix}.gzipJson"
        try:
            text = gzip.decompress(base64.b64decode(spec["gzipJson"])).decode("utf-8")
        except (binascii.Error, OSError, EOFError, UnicodeDecodeError) as exc:
            raise ValueError(f"{where} is not base64 of gzipped JSON: {exc}") from None
    else:
        return []  # it points elsewhere (url, grafanaCom, configMapRef...): _what_it_is says so
    docs = _documents_in(_parse_json(text, f"JSON in {where}"), _Source(source.path, None, source.problems,
                                                                          source.suffix))
    for doc in docs:
        doc.prefix = f"{where}.{doc.prefix}" if doc.prefix else where
    return docs


def _parse_yaml(text: str, where: str) -> Any:
    import yaml

    from ..safe_yaml import SafeLoader

    try:
        data = yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{where}: {_yaml_problem(exc)}") from None
    _check_nesting(data, f"YAML in {where}")
    return data


def _what_it_is(data: Any) -> str:
    """What a document that holds nothing lintable is, for the DK004 message."""
    if data is None:
        return "the file is empty"
    if isinstance(data, list):
        return f"a list of {len(data)} items, not an object"
    if not isinstance(data, dict):
        return f"a single {type(data).__name__} value, not an object"
    kind = data.get("kind")
    if isinstance(kind, str) and kind:
        if kind == "ConfigMap":
            return "a ConfigMap whose data holds no dashboard JSON or rule file"
        if kind == "Dashboard":
            return "a Dashboard object without a dashboard spec"
        if kind == "GrafanaDashboard":
            spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
            elsewhere = [key for key in ("url", "grafanaCom", "configMapRef", "gzipConfigMapRef", "jsonnet",
                                         "jsonnetLib") if spec.get(key)]
            return "a GrafanaDashboard whose dashboard is not in the file" + (
                f" (it comes from {', '.join(elsewhere)})" if elsewhere else "")
        return f"a Kubernetes {kind}"
    keys = ", ".join(sorted(str(k) for k in data)[:6]) + (", ..." if len(data) > 6 else "")
    return (f"an object with {keys or 'no keys'}: neither panels, rows nor templating (a dashboard), nor groups "
            "(a rule file), nor slos (an SLO spec)")


def _rule_documents(data: dict, path: Path, prefix: str, locate, label: str = "") -> list[Document]:
    groups = data.get("groups") or []
    grafana = any(isinstance(g, dict) and any(isinstance(r, dict) and "condition" in r for r in g.get("rules") or [])
                  for g in groups)
    if not grafana:
        return [Document(DocKind.PROMETHEUS_RULES, data, str(path), label=label or path.name, prefix=prefix,
                         locate=locate)]
    # A Grafana provisioning file (apiVersion: 1, groups with folder and Grafana rules): lint group by group.
    out = []
    for index, group in enumerate(groups):
        if isinstance(group, dict):
            out.append(Document(DocKind.GRAFANA_RULES, group, str(path), label=str(group.get("name", index)),
                                prefix=f"{prefix + '.' if prefix else ''}groups[{index}]", locate=locate,
                                facts={"interval": group.get("interval")}))
    return out
