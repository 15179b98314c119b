"""Log highlights: the newest log entries of a branch, kept beside its milestone head so that one Query reads a
branch's newest milestones and newest log entries together (docs/agents.md, "Two reads")."""

from __future__ import annotations

import re

HIGHLIGHTS = 8  # entries kept: slot ``sequence % HIGHLIGHTS`` holds the newest entry of its residue
# Characters of an entry's content a highlight keeps (on one line). More than any reader shows (the brief shows
# 200), so that a reader still sees that a longer entry was cut.
HIGHLIGHT_CHARS = 210


def slot(sequence: int) -> int:
    return sequence % HIGHLIGHTS


def highlight_text(content: str) -> str:
    """``content`` on one line (runs of whitespace become one space), at most ``HIGHLIGHT_CHARS`` characters."""
    return re.sub(r"\s+", " ", content).strip()[:HIGHLIGHT_CHARS]


def complete(highlights: int, *, since_creation: bool) -> bool:
    """Whether the highlights found are the branch's newest entries: always for a branch whose log appends
    wrote highlights since it was created; for an older branch only once every slot was written since (its
    ``HIGHLIGHTS`` newest entries are then all in them, the appends being numbered without gaps)."""
    return since_creation or highlights == HIGHLIGHTS
