"""Turn what the user points lint at into Documents: a dashkit project's built resources, or dashboard JSON and
rule YAML files and folders (plain rule files, Grafana provisioning files, PrometheusRule resources, ConfigMaps
holding dashboards, multi-document YAML)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .model import DocKind, Document, Finding, Severity
from .positions import json_lines, locator, yaml_lines

READ_ERROR = "DK001"
SCHEMA_V2 = "DK003"


class SchemaV2(ValueError):
    """A schema v2 dashboard (Grafana 12+ elements/layout): read, but not checked by the classic-JSON rules."""
MAX_NESTING = 100  # real dashboards and rule files nest about 12 levels; walkers recurse, so deeper is refused


def from_project(resources: Iterable[Any]) -> list[Document]:
    docs = []
    for resource in resources:
        if resource.kind == "dashboard":
            docs.append(Document(DocKind.DASHBOARD, resource.body, resource.source, label=resource.label))
        elif resource.kind == "alert_rule_group":
            docs.append(Document(DocKind.GRAFANA_RULES, resource.body, resource.source, label=resource.label,
                                 facts={"interval": resource.body.get("interval")}))
        elif resource.kind == "slo":
            docs.append(Document(DocKind.SLO, resource.body, resource.source, label=resource.label,
                                 facts={"slos": [resource.extra["slo"]]}))
    return docs


def from_paths(paths: Iterable[Path], exclude: Iterable[str] = ()) -> tuple[list[Document], list[Finding]]:
    """Documents in the files (folders are searched for *.json, *.yaml, *.yml), and findings for unreadable ones."""
    docs: list[Document] = []
    problems: list[Finding] = []
    patterns = list(exclude)
    for path in _files(paths):
        if any(path.match(p) for p in patterns):
            continue
        try:
            if path.suffix == ".json":
                docs.extend(_json_documents(path))
            else:
                docs.extend(_yaml_documents(path))
        except SchemaV2 as exc:
            problems.append(Finding(SCHEMA_V2, Severity.INFO, str(exc), str(path), "", rule="schema-v2-not-linted"))
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(Finding(READ_ERROR, Severity.ERROR, f"cannot be read: {exc}", str(path), "",
                                    rule="unreadable-file"))
    return docs, problems


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.suffix in (".json", ".yaml", ".yml") and child.is_file() and not any(
                        p.startswith(".") for p in child.relative_to(path).parts):
                    yield child
        elif path.is_file():
            yield path
        else:
            from ..errors import ConfigError

            raise ConfigError(f"{path}: no such file or folder")


def _json_documents(path: Path) -> list[Document]:
    text = path.read_text(encoding="utf-8")
    data = _parse_json(text)
    locate = locator(lambda: json_lines(text))
    if is_schema_v2(data):
        raise SchemaV2("a schema v2 dashboard (elements and layout, Grafana 12+): dashkit reads and syncs it, but its "
                       "lint rules check the classic JSON model, so nothing in it was checked")
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):  # an API export {dashboard, meta}
        return [_dashboard(data["dashboard"], path, "dashboard", locate)]
    if isinstance(data, dict) and ("panels" in data or "rows" in data or "templating" in data):
        return [_dashboard(data, path, "", locate)]
    if isinstance(data, dict) and isinstance(data.get("groups"), list):
        return _rule_documents(data, path, "", locate)
    return []


def is_schema_v2(data: Any) -> bool:
    """A v2 dashboard spec, or an app-platform object holding one (`dashboard.grafana.app/v2*`)."""
    if not isinstance(data, dict):
        return False
    if str(data.get("apiVersion", "")).startswith("dashboard.grafana.app/v2"):
        return True
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else data
    return isinstance(spec.get("elements"), dict) and isinstance(spec.get("layout"), dict)


def _parse_json(text: str) -> Any:
    """The JSON value; ValueError when it is invalid or nests deeper than MAX_NESTING."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise ValueError(f"the JSON nests deeper than {MAX_NESTING} levels") from None
    _check_nesting(data, "JSON")
    return data


def _check_nesting(data: Any, what: str) -> None:
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ValueError(f"the {what} nests deeper than {MAX_NESTING} levels")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _dashboard(data: dict, path: Path, prefix: str, locate) -> Document:
    return Document(DocKind.DASHBOARD, data, str(path), label=str(data.get("title") or path.name), prefix=prefix,
                    locate=locate)


def _yaml_documents(path: Path) -> list[Document]:
    import yaml

    from ..safe_yaml import SafeLoader, YAMLTooExpensive

    text = path.read_text(encoding="utf-8")
    try:
        datas = list(yaml.load_all(text, Loader=SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        what = "YAML too costly to read" if isinstance(exc, YAMLTooExpensive) else "invalid YAML"
        raise ValueError(f"{what}{where}: {getattr(exc, 'problem', None) or exc}") from None
    for data in datas:
        _check_nesting(data, "YAML")
    nodes: list = []

    def node_lines(index: int) -> dict[str, int]:  # composed only when a finding needs a line number
        if not nodes:
            nodes.extend(yaml.compose_all(text, Loader=SafeLoader))
        return yaml_lines(nodes[index])

    docs: list[Document] = []
    for index, data in enumerate(datas):
        locate = locator(lambda index=index: node_lines(index))
        docs.extend(_yaml_document(data, path, index, len(datas), locate))
    return docs


def _yaml_document(data: Any, path: Path, index: int, count: int, locate) -> list[Document]:
    if not isinstance(data, dict):
        return []
    suffix = f" (document {index + 1})" if count > 1 else ""
    kind = data.get("kind")
    if kind == "PrometheusRule" and isinstance(data.get("spec"), dict):
        name = (data.get("metadata") or {}).get("name", path.stem)
        return _rule_documents(data["spec"], path, "spec", locate, f"{name}{suffix}")
    if kind == "ConfigMap" and isinstance(data.get("data"), dict):
        out = []
        for key, value in data["data"].items():
            if key.endswith(".json") and isinstance(value, str):
                try:
                    dashboard = json.loads(value)
                except json.JSONDecodeError:
                    continue
                except RecursionError:
                    raise ValueError(f"data.{key}: the JSON nests deeper than {MAX_NESTING} levels") from None
                _check_nesting(dashboard, f"JSON in data.{key}")
                if isinstance(dashboard, dict):
                    out.append(Document(DocKind.DASHBOARD, dashboard, str(path),
                                        label=f"{dashboard.get('title') or key}{suffix}", prefix=f"data.{key}"))
        return out
    if kind == "List" and isinstance(data.get("items"), list):
        return [d for item in data["items"] for d in _yaml_document(item, path, index, count, locate)]
    if isinstance(data.get("groups"), list):
        return _rule_documents(data, path, "", locate, suffix.strip())
    if isinstance(data.get("slos"), list) and "version" in data:
        return [Document(DocKind.SLO, data, str(path), label=f"{data.get('service', path.stem)}{suffix}",
                         locate=locate)]
    return []


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
