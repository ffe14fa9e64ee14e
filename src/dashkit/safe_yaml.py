"""YAML loading with bounded work: aliases (and merge keys) may not expand a small file into a huge tree, and
recursive aliases or nesting too deep to load are refused with a YAMLError instead of hanging or crashing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

MAX_ALIAS_NODES = 100_000  # nodes that aliases may add beyond the nodes written in the stream


class YAMLTooExpensive(yaml.MarkedYAMLError):
    """An alias bomb, a recursive alias, or nesting deeper than the parser can follow."""


class _Bounded:
    """Checks every composed document: the nodes its aliases add to the expanded tree are counted against
    `max_alias_nodes` (over the whole stream), before anything walks the tree."""

    max_alias_nodes = MAX_ALIAS_NODES

    def __init__(self, stream: Any) -> None:
        # An alias (`*a`) needs an anchor (`&a`): a text without both characters has none to count.
        self._may_alias = not isinstance(stream, str) or ("&" in stream and "*" in stream)
        super().__init__(stream)  # type: ignore[call-arg]

    def get_node(self) -> Any:
        return self._checked(super().get_node)  # type: ignore[misc]

    def get_single_node(self) -> Any:
        return self._checked(super().get_single_node)  # type: ignore[misc]

    def _checked(self, compose) -> Any:
        try:
            node = compose()
        except RecursionError:
            raise YAMLTooExpensive(problem="the YAML nests too deeply to load") from None
        if node is not None and self._may_alias:
            self._alias_nodes = getattr(self, "_alias_nodes", 0) + _added_by_aliases(node)
            if self._alias_nodes > self.max_alias_nodes:
                raise YAMLTooExpensive(
                    problem=f"its aliases expand to more than {self.max_alias_nodes:,} nodes (an alias bomb?)",
                    problem_mark=node.start_mark)
        return node


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _added_by_aliases(root: yaml.Node) -> int:
    """Nodes in the fully expanded tree minus the distinct nodes composed: what aliases add. Iterative (no
    recursion limit) and linear in the distinct nodes; a node that contains itself is refused."""
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in _children(node))
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise YAMLTooExpensive(problem="an alias refers to a node that contains it (a recursive alias)",
                                   problem_mark=node.start_mark)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)
    return size[id(root)] - len(size)


class SafeLoader(_Bounded, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """yaml.SafeLoader (libyaml's when available: much faster) with bounded alias expansion."""


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=SafeLoader)


def safe_load_all(text: str) -> Iterator[Any]:
    return yaml.load_all(text, Loader=SafeLoader)
