"""Python source text for JSON values and a few expressions (calls, constants, tuples): literals that evaluate back
to the same value, wrapped at 120 columns as ruff counts them, and module docstrings wrapped the same way."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 120
INDENT = 4


# ---- expressions the printer knows besides JSON values -------------------------------------------------------
@dataclass(frozen=True)
class Code:
    """Python source printed as is: a constant's name, or `*NAME` inside a list."""

    text: str


@dataclass(frozen=True)
class Call:
    """`func(args..., key=value..., **{"odd-key": value})`; a kwarg named "**" is a dict of non-identifier keys."""

    func: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class TupleExpr:
    items: tuple[Any, ...]


# ---- statements, literals and docstrings ---------------------------------------------------------------------
def render_statement(name: str, value: Any) -> str:
    """`name = value` as lines of at most 120 columns, newline-terminated."""
    lines: list[str] = []
    _render(value, 0, f"{name} = ", "", lines)
    return "\n".join(lines) + "\n"


def render_literal(value: Any, indent: int = 0) -> str:
    """A Python expression for a JSON value (and the printer's Code/Call/TupleExpr nodes), wrapped at 120 columns."""
    lines: list[str] = []
    _render(value, indent, "", "", lines)
    return "\n".join(lines)


def docstring(paragraphs: Sequence[Sequence[str]]) -> str:
    """A module docstring: each text on lines of at most 120 columns, a blank line after each paragraph."""
    lines: list[str] = []
    for paragraph in paragraphs:
        for text in paragraph:
            lines.extend(_doc_lines(text, WIDTH - 4))
        lines.append("")
    lines[0] = '"""' + lines[0]
    lines[-1] = '"""'
    return "\n".join(lines) + "\n"


def _doc_lines(text: str, width: int) -> list[str]:
    # quotes are escaped only where three in a row would end the docstring
    chars = [(c, '\\"' if c == '"' and i and text[i - 1] == '"' else _escape(c, "")) for i, c in enumerate(text)]
    return [piece.strip() for piece in _pieces(chars, width, hard_newlines=False)]


# ---- the printer ---------------------------------------------------------------------------------------------
def _render(node: Any, indent: int, prefix: str, suffix: str, out: list[str]) -> None:
    """Append the lines of `prefix + node + suffix` at `indent`: on one line when it fits, else split."""
    pad = " " * indent
    flat = _flat(node, WIDTH - indent - _width(prefix) - _width(suffix))
    if flat is not None:
        out.append(pad + prefix + flat + suffix)
        return
    if isinstance(node, str):
        quote = _quote_char(node)
        inner = " " * (indent + INDENT)
        pieces = _pieces([(c, _escape(c, quote)) for c in node], WIDTH - indent - INDENT - 2,
                         hard_newlines="\n" in node.rstrip("\n"))
        out.append(f"{pad}{prefix}(")
        out.extend(f"{inner}{quote}{piece}{quote}" for piece in pieces)
        out.append(f"{pad}){suffix}")
        return
    opening, items, closing = _parts(node)
    if opening is None:  # a scalar wider than the line: nothing to split
        out.append(pad + prefix + _scalar(node) + suffix)
        return
    out.append(pad + prefix + opening)
    for item_prefix, value in items:
        if isinstance(item_prefix, str):
            _render(value, indent + INDENT, item_prefix, ",", out)
        else:  # a dict key, which may itself need splitting
            key_lines: list[str] = []
            _render(item_prefix[0], indent + INDENT, "", "", key_lines)
            out.extend(key_lines[:-1])
            _render(value, indent + INDENT, key_lines[-1].lstrip() + ": ", ",", out)
    out.append(pad + closing + suffix)


def _parts(node: Any) -> tuple[str | None, list[tuple[Any, Any]], str]:
    """(opening, [(prefix, value)], closing) of a container; a dict item's prefix is a 1-tuple of its key."""
    if isinstance(node, list):
        return "[", [("", v) for v in node], "]"
    if isinstance(node, dict):
        return "{", [((k,), v) for k, v in node.items()], "}"
    if isinstance(node, TupleExpr):
        return "(", [("", v) for v in node.items], ")"
    if isinstance(node, Call):
        items: list[tuple[Any, Any]] = [("", v) for v in node.args]
        items += [("**" if k == "**" else f"{k}=", v) for k, v in node.kwargs]
        return f"{node.func}(", items, ")"
    return None, [], ""


def _flat(node: Any, room: int) -> str | None:
    """`node` on one line if it is at most `room` columns wide, else None (stopping as soon as it is too wide)."""
    if room < 0:
        return None
    if isinstance(node, str):
        if len(node) + 2 > room:
            return None
        text = _quote(node)
    elif isinstance(node, (list, dict, TupleExpr, Call)):
        opening, items, closing = _parts(node)
        assert opening is not None
        texts = []
        used = _width(opening) + len(closing) + (1 if isinstance(node, TupleExpr) and len(node.items) == 1 else 0)
        for item_prefix, value in items:
            head = item_prefix if isinstance(item_prefix, str) else _flat(item_prefix[0], room)
            if head is None:
                return None
            head += "" if isinstance(item_prefix, str) else ": "
            part = _flat(value, room - used - _width(head) - 2 * bool(texts))
            if part is None:
                return None
            texts.append(head + part)
            used += _width(texts[-1]) + 2 * (len(texts) > 1)
        trailing = "," if isinstance(node, TupleExpr) and len(node.items) == 1 else ""
        text = opening + ", ".join(texts) + trailing + closing
    else:
        text = _scalar(node)
    return text if _width(text) <= room else None


def _scalar(value: Any) -> str:
    if isinstance(value, Code):
        return value.text
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        if value != value:
            return 'float("nan")'
        if value in (float("inf"), float("-inf")):
            return ("-" if value < 0 else "") + 'float("inf")'
        return repr(value)
    raise TypeError(f"cannot write a {type(value).__name__} as a Python literal")


def _quote(text: str) -> str:
    quote = _quote_char(text)
    return quote + "".join(_escape(c, quote) for c in text) + quote


def _quote_char(text: str) -> str:
    """Double quotes, unless the text has double quotes and no single ones (PromQL label matchers)."""
    return "'" if '"' in text and "'" not in text else '"'


_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str, quote: str) -> str:
    """One character as it appears between `quote`s in a Python literal; '' for a docstring's text."""
    if char == quote:
        return "\\" + char
    if not quote and char in "\n\r\t":
        return " "
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char.isprintable():
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _pieces(chars: list[tuple[str, str]], width: int, *, hard_newlines: bool) -> list[str]:
    """Split (character, escaped form) pairs into pieces of at most `width` columns, never inside an escape:
    after each newline when `hard_newlines`, else at the best break point (see `_break_quality`)."""
    pieces: list[str] = []
    current: list[tuple[str, str]] = []
    used = 0
    for char, unit in chars:
        size = _width(unit)
        while current and used + size > width:
            cut = _break_at(current, char, width)
            pieces.append("".join(u for _, u in current[:cut]))
            current = current[cut:]
            used = sum(_width(u) for _, u in current)
        current.append((char, unit))
        used += size
        if char == "\n" and hard_newlines:
            pieces.append("".join(u for _, u in current))
            current, used = [], 0
    if current or not pieces:
        pieces.append("".join(u for _, u in current))
    return pieces


def _break_at(current: list[tuple[str, str]], following: str, width: int) -> int:
    """How many characters of a full piece to keep: the rightmost best break that keeps a fifth of the width."""
    best, best_quality, used = len(current), -1, 0
    for i, (char, unit) in enumerate(current, start=1):
        used += _width(unit)
        if used < width // 5:
            continue
        after = current[i][0] if i < len(current) else following
        quality = _break_quality(char, after)
        if quality >= best_quality:
            best, best_quality = i, quality
    return best


def _break_quality(before: str, after: str) -> int:
    """3 after a space, 2 after a separator or before a bracket, 1 not inside a word, 0 inside a word."""
    if before == " " and after != " ":
        return 3
    if before in ",;)]}&|/?" or after in "([{":
        return 2
    return 0 if (before.isalnum() or before == "_") and (after.isalnum() or after == "_") else 1


def _width(text: str) -> int:
    """Columns as ruff counts them for E501: East Asian wide and fullwidth characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
