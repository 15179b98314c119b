"""Session metrics: the arithmetic of the summary (docs/metrics.md), as pure functions.

Averages and ratios are computed exactly (``Fraction``) and rounded once, half away from zero,
when they leave: reductions to 1 decimal, averages and the recovery rate to 2. A figure whose
group is empty, or whose baseline is 0, is ``None`` (JSON null), never a division by zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

PCT_PLACES = 1
AVERAGE_PLACES = 2
RATE_PLACES = 2


@dataclass(frozen=True)
class Session:
    """The figures of one stored session that the summary uses."""

    agent_type: str
    milestones_recalled: int
    compactions: int
    context_tools: int
    duration_secs: int

    @property
    def with_memory(self) -> bool:
        """A session "with memory" is one whose recall at start returned at least one milestone."""
        return self.milestones_recalled > 0

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Session:
        """From a stored session (wire field names). Context tools = read + search calls."""
        return cls(
            agent_type=record.get("agentType", ""),
            milestones_recalled=record["milestonesRecalled"],
            compactions=record.get("compactionCount", 0),
            context_tools=record.get("toolCallsRead", 0) + record.get("toolCallsSearch", 0),
            duration_secs=record["sessionDurationSecs"],
        )


def round_half_up(value: Fraction, places: int) -> float:
    """Rounds half away from zero (12.25 -> 12.3, -12.25 -> -12.3); never returns -0.0."""
    scaled = abs(value) * 10**places
    units = math.floor(scaled + Fraction(1, 2))
    if units == 0:
        return 0.0
    return math.copysign(units / 10**places, value)


def mean(values: Iterable[int]) -> Fraction | None:
    """The exact mean, or None for no values."""
    items = list(values)
    return Fraction(sum(items), len(items)) if items else None


def reduction(with_memory: Fraction | None, without_memory: Fraction | None) -> Fraction | None:
    """How much lower the with-memory average is, as a percentage of the without-memory average.

    Negative when sessions with memory needed more. None when either side has no sessions or the
    baseline (without memory) is 0, where no percentage of it exists.
    """
    if with_memory is None or without_memory is None or without_memory == 0:
        return None
    return (without_memory - with_memory) / without_memory * 100


def recovery_rate(with_memory: Sequence[Session], without_memory: Sequence[Session]) -> Fraction | None:
    """The share of sessions with memory that needed strictly fewer context-tool calls (read +
    search) than the average session without memory: they recovered their context from memory
    instead of re-reading and re-searching the code. None when either group is empty or the
    baseline average is 0 (no session can need fewer than none)."""
    baseline = mean(session.context_tools for session in without_memory)
    if not with_memory or baseline is None or baseline == 0:
        return None
    recovered = sum(1 for session in with_memory if session.context_tools < baseline)
    return Fraction(recovered, len(with_memory))


def _rounded(value: Fraction | None, places: int) -> float | None:
    return None if value is None else round_half_up(value, places)


@dataclass(frozen=True)
class Comparison:
    """Sessions split by memory use, with the averages of both groups (exact)."""

    with_memory: tuple[Session, ...]
    without_memory: tuple[Session, ...]

    @classmethod
    def of(cls, sessions: Iterable[Session]) -> Comparison:
        items = tuple(sessions)
        return cls(tuple(s for s in items if s.with_memory), tuple(s for s in items if not s.with_memory))

    def average(self, figure: str, *, memory: bool) -> Fraction | None:
        group = self.with_memory if memory else self.without_memory
        return mean(getattr(session, figure) for session in group)

    def reduction(self, figure: str) -> Fraction | None:
        return reduction(self.average(figure, memory=True), self.average(figure, memory=False))


def summarize(sessions: Sequence[Session]) -> dict[str, Any]:
    """Every figure of the summary except ``recentSessions`` (docs/metrics.md)."""
    split = Comparison.of(sessions)

    def avg(figure: str, memory: bool) -> float | None:
        return _rounded(split.average(figure, memory=memory), AVERAGE_PLACES)

    return {
        "totalSessions": len(sessions),
        "sessionsWithMemory": len(split.with_memory),
        "sessionsWithoutMemory": len(split.without_memory),
        "avgCompactionsWithMemory": avg("compactions", True),
        "avgCompactionsWithoutMemory": avg("compactions", False),
        "compactionReductionPct": _rounded(split.reduction("compactions"), PCT_PLACES),
        "avgContextToolsWithMemory": avg("context_tools", True),
        "avgContextToolsWithoutMemory": avg("context_tools", False),
        "contextToolReductionPct": _rounded(split.reduction("context_tools"), PCT_PLACES),
        "avgDurationWithMemorySecs": avg("duration_secs", True),
        "avgDurationWithoutMemorySecs": avg("duration_secs", False),
        "contextRecoveryRate": _rounded(recovery_rate(split.with_memory, split.without_memory), RATE_PLACES),
        "sessionsByAgentType": by_agent_type(sessions),
    }


def by_agent_type(sessions: Sequence[Session]) -> list[dict[str, Any]]:
    """The two reductions computed within each agent type's own sessions (its with-memory average
    against its without-memory average); most sessions first, then by agent type."""
    groups: dict[str, list[Session]] = {}
    for session in sessions:
        groups.setdefault(session.agent_type, []).append(session)
    rows = []
    for agent_type, group in sorted(groups.items(), key=lambda entry: (-len(entry[1]), entry[0])):
        split = Comparison.of(group)
        rows.append({
            "agentType": agent_type,
            "sessionCount": len(group),
            "avgCompactionReductionPct": _rounded(split.reduction("compactions"), PCT_PLACES),
            "avgContextToolReductionPct": _rounded(split.reduction("context_tools"), PCT_PLACES),
        })
    return rows


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 date-time (``Z`` or an offset; without one it is taken as UTC), as aware UTC.
    Raises ValueError for anything else, a bare date included."""
    if "T" not in text and " " not in text:
        raise ValueError("expected an ISO 8601 date-time such as 2026-02-10T14:00:00Z")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """UTC with a Z, as the API writes every timestamp; fractions of a second only when present."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def newest(records: Iterable[Mapping[str, Any]], count: int) -> list[Mapping[str, Any]]:
    """The ``count`` records that ended last (by ``endedAt``), ties broken by ``sessionId``."""
    ordered = sorted(records, key=lambda record: record["sessionId"])
    return sorted(ordered, key=lambda record: parse_timestamp(record["endedAt"]), reverse=True)[:count]
