"""A small checker for Go text/template syntax, as used in alert annotations and notification templates."""

from __future__ import annotations

import re

_ACTION_RE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_OPENERS = ("if", "range", "with", "define", "block")


def template_errors(text: str) -> list[str]:
    """Problems a Go template parser would reject: unclosed or stray delimiters, unbalanced if/range/with/define
    blocks, `else` or `end` without a block, unterminated strings or comments. Empty when it looks valid."""
    errors: list[str] = []
    stack: list[str] = []
    position = 0
    for match in _ACTION_RE.finditer(text):
        stray = text[position:match.start()]
        if "}}" in stray:
            errors.append("'}}' without a matching '{{'")
        position = match.end()
        body = match.group(1)
        if body.startswith("/*"):
            if not body.endswith("*/"):
                errors.append("comment '{{/*' is not closed with '*/}}'")
            continue
        if body.count('"') % 2 or body.count("`") % 2:
            errors.append(f"unterminated string in '{{{{{body}}}}}'")
        words = body.split()
        keyword = words[0] if words else ""
        if not body:
            errors.append("empty action '{{}}'")
        elif keyword in _OPENERS:
            if keyword in ("define", "block") and len(words) < 2:
                errors.append(f"'{keyword}' needs a template name")
            stack.append(keyword)
        elif keyword == "else":
            if not stack or stack[-1] in ("define",):
                errors.append("'else' outside an if/range/with block")
        elif keyword == "end":
            if not stack:
                errors.append("'end' without an open if/range/with/define block")
            else:
                stack.pop()
    rest = text[position:]
    if "{{" in rest:
        errors.append("'{{' is never closed with '}}'")
    elif "}}" in rest:
        errors.append("'}}' without a matching '{{'")
    if stack:
        errors.append(f"'{stack[-1]}' block is never closed with '{{{{ end }}}}'")
    return errors
