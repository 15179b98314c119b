"""An installation's credits (docs/task-engine.md, "Credits"): granted once at registration
(``CAIRN_INITIAL_CREDITS``), debited by a run's start, refunded when a run fails. Each change is one conditional
update, so concurrent debits never overdraw."""

from __future__ import annotations

from cairn.core.errors import InsufficientCredits
from cairn.tasks.store import installations

__all__ = ["InsufficientCredits", "available", "debit", "refund"]


def debit(installation: str, credits: int) -> None:
    """Takes ``credits`` atomically, or raises InsufficientCredits with nothing taken."""
    if credits < 0:
        raise ValueError("a debit is a non-negative number of credits")
    if not installations.debit(installation, credits):
        raise InsufficientCredits(f"this installation has {available(installation)} credits; "
                                  f"{credits} are needed")


def refund(installation: str, credits: int) -> None:
    if credits > 0:
        installations.credit(installation, credits)


def available(installation: str) -> int:
    item = installations.get(installation)
    return int(item["credits"]) if item else 0
