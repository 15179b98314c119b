"""Branches (GCC BRANCH): create, read, list, abandon."""

from __future__ import annotations

from cairn.memory.domain.branches import DEFAULT_BRANCH

__all__ = ["DEFAULT_BRANCH"]
