"""The token estimate every budget of the agents context uses (docs/agents.md, "Token estimate").

Tokenizers differ by model, and none is available offline, so sizes are estimated from UTF-8 bytes: one
token per 3 bytes, rounded up. English prose runs about 4 bytes per token and code or identifiers about 3, so
the rule overestimates ordinary text by up to a third (the safety margin); CJK text (3 bytes a character,
about one token each) is estimated at about one token per character."""

from __future__ import annotations

import math

BYTES_PER_TOKEN = 3


def estimate(text: str) -> int:
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN)


def cut(text: str, tokens: int, note: str = "…") -> str:
    """The longest prefix of ``text`` (cut on a character boundary) that, followed by ``note``, is estimated at
    most ``tokens``; ``text`` itself when it fits."""
    if estimate(text) <= tokens:
        return text
    room = tokens * BYTES_PER_TOKEN - len(note.encode("utf-8"))
    if room <= 0:
        return ""
    return text.encode("utf-8")[:room].decode("utf-8", errors="ignore") + note
