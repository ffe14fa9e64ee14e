"""How messages say a count: `plural(1, "file")` is "1 file", `plural(2, "policy")` is "2 policies"."""

from __future__ import annotations

_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and the noun in the number it needs; `nouns` for a plural English does not form by rule."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {nouns or plural_of(noun)}"


def plural_of(noun: str) -> str:
    """The regular English plural of the last word of `noun` (kind names like `notification_policy` too)."""
    if noun.endswith("y") and noun[-2:-1] not in ("", "a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(_SIBILANT_ENDINGS):
        return noun + "es"
    return noun + "s"
