"""Milestones (GCC COMMIT): content hashing for deduplication and sequence ordering."""

from __future__ import annotations

import hashlib

# A 53-bit integer survives a round trip through JavaScript's Number, which many agent
# clients use; the full digest is what guards deduplication.
_SAFE_INTEGER_BITS = 53
_PART_SEPARATOR = "\x1f"


def content_digest(branch_purpose: str, cumulative_progress: str, this_contribution: str) -> str:
    """SHA-256 over the three GCC parts, unit-separated so that moving text between parts changes it."""
    joined = _PART_SEPARATOR.join((branch_purpose, cumulative_progress, this_contribution))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def content_hash(digest: str) -> int:
    """The public ``contentHash``: the digest's first 64 bits, kept to the low 53."""
    return int(digest[:16], 16) & ((1 << _SAFE_INTEGER_BITS) - 1)
