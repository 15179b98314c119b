"""Opaque identifiers with a readable prefix.

The random part comes from one process-wide source, so tests install a predictable one (``use_ids``)
instead of patching each module that makes ids.
"""

from __future__ import annotations

import secrets
from typing import Protocol

TOKEN_HEX_DIGITS = 12


class IdSource(Protocol):
    def token(self) -> str:
        """A fresh token of ``TOKEN_HEX_DIGITS`` lowercase hex digits."""
        ...


class RandomIds:
    def token(self) -> str:
        return secrets.token_hex(TOKEN_HEX_DIGITS // 2)


_source: IdSource = RandomIds()


def use_ids(source: IdSource) -> IdSource:
    """Makes ``source`` the process's id source; returns the one it replaces (to put it back)."""
    global _source
    previous, _source = _source, source
    return previous


def new_id(prefix: str) -> str:
    return f"{prefix}-{_source.token()}"


def milestone_id() -> str:
    return new_id("ms")


def log_entry_id() -> str:
    return new_id("log")
