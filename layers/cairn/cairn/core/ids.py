"""Opaque identifiers with a readable prefix."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def milestone_id() -> str:
    return new_id("ms")


def log_entry_id() -> str:
    return new_id("log")
