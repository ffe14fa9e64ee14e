"""Line numbers of JSON paths in JSON and YAML files, for annotations that point at the right line."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")


def json_lines(text: str) -> dict[str, int]:
    """{json path: 1-based line where its value starts} for every value in a JSON document."""
    lines: dict[str, int] = {}
    decoder = json.JSONDecoder()
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(pos: int) -> int:
        lo, hi = 0, len(newlines)
        while lo < hi:
            mid = (lo + hi) // 2
            if newlines[mid] < pos:
                lo = mid + 1
            else:
                hi = mid
        return lo + 1

    def value(pos: int, path: str) -> int:
        pos = _WS.match(text, pos).end()
        lines[path] = line_of(pos)
        char = text[pos]
        if char == "{":
            pos = _WS.match(text, pos + 1).end()
            if text[pos] == "}":
                return pos + 1
            while True:
                key, pos = decoder.raw_decode(text, pos)
                pos = _WS.match(text, pos).end() + 1  # the colon
                pos = value(pos, f"{path}.{key}" if path else str(key))
                pos = _WS.match(text, pos).end()
                if text[pos] == "}":
                    return pos + 1
                pos = _WS.match(text, pos + 1).end()
        if char == "[":
            pos = _WS.match(text, pos + 1).end()
            if text[pos] == "]":
                return pos + 1
            index = 0
            while True:
                pos = value(pos, f"{path}[{index}]")
                pos = _WS.match(text, pos).end()
                if text[pos] == "]":
                    return pos + 1
                pos += 1
                index += 1
        _, end = decoder.raw_decode(text, pos)
        return end

    try:
        value(0, "")
    except (ValueError, IndexError):
        return lines
    return lines


def yaml_lines(node: Any, path: str = "", out: dict[str, int] | None = None) -> dict[str, int]:
    """The same for a composed PyYAML node tree (yaml.compose)."""
    import yaml

    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, child in node.value:
            name = str(key.value)
            yaml_lines(child, f"{path}.{name}" if path else name, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            yaml_lines(child, f"{path}[{index}]", out)
    return out


def locator(compute: Callable[[], dict[str, int]]) -> Callable[[str], int | None]:
    """path -> line, computing the table on first use (only files with findings pay for it)."""
    table: dict[str, int] | None = None

    def locate(path: str) -> int | None:
        nonlocal table
        if table is None:
            table = compute()
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe)
            if parent == probe:  # a top-level key the document does not have: the document's own line
                break
            probe = parent
        return table.get("")

    return locate
