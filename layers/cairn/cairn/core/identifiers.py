"""The one rule for identifiers a client chooses and later sends in a URL path (docs/memory-model.md,
"Identifiers"): project ids, contributor ids, branch names and metadata segment names.

A client must be able to send the identifier back as a path segment and reach the same resource, whatever
URL normalisation its HTTP library does. So an identifier is never ``.`` or ``..`` (clients and proxies
resolve them as dot-segments), holds no whitespace and no control character (U+0000-U+001F, U+007F-U+009F),
and none of ``? # % \\`` (they end or escape a path). ``/`` separates the parts of a branch name
(``feature/auth``, sent as ``feature%2Fauth``); no part may then be empty, ``.`` or ``..``. Every other
identifier has no ``/`` at all. Lengths are the spec's (``cairn.core.limits``).
"""

from __future__ import annotations

import unicodedata

_RESERVED = "?#%\\"
_DOT_SEGMENTS = frozenset({".", ".."})


def _character_problem(character: str) -> str | None:
    if unicodedata.category(character) == "Cc":
        return f"must not contain control characters (found U+{ord(character):04X})"
    if character.isspace():
        return f"must not contain whitespace (found U+{ord(character):04X})"
    if character in _RESERVED:
        return f"must not contain any of ? # % \\ (found {character!r})"
    return None


def problem(value: str, *, parts: bool = False) -> str | None:
    """Why ``value`` cannot be an identifier, or None. With ``parts`` (branch names), ``/`` separates parts."""
    for character in value:
        if character == "/" and parts:
            continue
        if character == "/":
            return "must not contain '/'"
        if (found := _character_problem(character)) is not None:
            return found
    if value in _DOT_SEGMENTS:
        return "must not be '.' or '..'"
    if parts and any(part in _DOT_SEGMENTS or not part for part in value.split("/")):
        return "must not start or end with '/', contain '//', or have a '.' or '..' part between slashes"
    return None
