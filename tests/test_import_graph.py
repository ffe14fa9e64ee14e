"""No module of dashkit imports one that imports it back, directly or through others (imports inside functions and
under `if TYPE_CHECKING:` count too), and no package does either: layers stay layers."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def _modules() -> dict[str, tuple[Path, bool]]:
    """module name -> (file, is a package's __init__)."""
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if package else parts)] = (path, package)
    return out


MODULES = _modules()


def _imported(module: str, package: bool, node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if node.level:
        base = module.split(".") if package else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    return {f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target for a in node.names}


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, (path, package) in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                         for name in _imported(module, package, node) if name in MODULES and name != module}
    return graph


def _layer(module: str) -> str:
    """dashkit.kinds.dashboard -> dashkit.kinds; a top-level module is its own layer."""
    return ".".join(module.split(".")[:2])


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return exc.args[1]
    return None


@pytest.mark.skipif(not SRC.is_dir(), reason="runs on the source tree")
def test_no_module_imports_one_that_imports_it_back():
    assert _cycle(_graph()) is None, " -> ".join(_cycle(_graph()))


def test_no_package_imports_one_that_imports_it_back():
    layers: dict[str, set[str]] = {}
    for module, imported in _graph().items():
        layers.setdefault(_layer(module), set()).update(_layer(m) for m in imported if _layer(m) != _layer(module))
    cycle = _cycle(layers)
    assert cycle is None, " -> ".join(cycle)


def test_the_checker_sees_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
