"""Activity snapshots and the effort formula of the team-competition board (docs/task-engine.md, "Effort").

    effortUnits = round_half_up(1.8 * activeMinutes + 0.18 * locChanged + 3 * changedFiles
                                + 24 * architectureChange + 14 * logicChange + 10 * specificationUiChange)

with activeMinutes = humanActiveMs / 60000, locChanged = locAdded + locRemoved (locTotal when neither is sent),
changedFiles = changedFilesCount (the length of changedFiles when it is not sent), and each change flag 1 or 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

FORMULA_VERSION = "v1"
WEIGHTS = {"activeMinute": 1.8, "locChanged": 0.18, "changedFile": 3, "architectureBonus": 24, "logicBonus": 14,
           "specificationUiBonus": 10}


@dataclass(frozen=True)
class Signals:
    human_active_ms: int
    loc_changed: int
    changed_files: int
    architecture_change: bool
    logic_change: bool
    specification_ui_change: bool


def effort_units(signals: Signals) -> int:
    terms = {"activeMinute": Decimal(signals.human_active_ms) / Decimal(60000),
             "locChanged": Decimal(signals.loc_changed), "changedFile": Decimal(signals.changed_files),
             "architectureBonus": Decimal(int(signals.architecture_change)),
             "logicBonus": Decimal(int(signals.logic_change)),
             "specificationUiBonus": Decimal(int(signals.specification_ui_change))}
    score = sum((Decimal(str(WEIGHTS[name])) * value for name, value in terms.items()), Decimal(0))
    return int(score.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def loc_changed(added: int | None, removed: int | None, total: int | None) -> int:
    if added is None and removed is None:
        return total or 0
    return (added or 0) + (removed or 0)


def median_effort(totals: list[int]) -> int:
    """The median of per-task totals, rounded half up (0 without tasks)."""
    if not totals:
        return 0
    return int(Decimal(str(median(totals))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def instant(moment: datetime) -> str:
    """The stored and answered form of a snapshot time: UTC with microseconds (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
