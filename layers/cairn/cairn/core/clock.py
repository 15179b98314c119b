"""Timestamps: UTC, second precision, ISO 8601 with a Z, as the spec's examples show.

Every reading of the time goes through one process-wide clock, so tests replace it in one place
(``use_clock``) instead of patching each module that asks for the time. Process-wide, not per thread:
the dev server and moto's state machines answer on other threads than the one that installed it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


_clock: Clock = SystemClock()


def use_clock(clock: Clock) -> Clock:
    """Makes ``clock`` the process's clock; returns the one it replaces (to put it back)."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def now() -> datetime:
    return _clock.now()


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> str:
    return timestamp(now())
