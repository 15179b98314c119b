"""Activity snapshots from the IDE and the team-competition board built from them (docs/task-engine.md,
"Activity and the team-competition board")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cairn.core import clock, ids
from cairn.core.errors import InvalidInput
from cairn.tasks.domain import activity as rules
from cairn.tasks.service.permits import Permit
from cairn.tasks.store import activity as store

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class Snapshot:
    window_started_at: datetime
    window_ended_at: datetime
    fields: dict[str, Any]  # the remaining signals as sent (validated by the route)
    signals: rules.Signals


def record(permit: Permit, snapshot: Snapshot) -> dict[str, Any]:
    """Stores the window against the permit's project and task; answers its timestamp and effortUnits."""
    if snapshot.window_ended_at < snapshot.window_started_at:
        raise InvalidInput("windowEndedAt is before windowStartedAt", field="windowEndedAt")
    window_ms = (snapshot.window_ended_at - snapshot.window_started_at).total_seconds() * 1000
    if snapshot.signals.human_active_ms > window_ms:
        raise InvalidInput("humanActiveMs is longer than the window", field="humanActiveMs")
    effort = rules.effort_units(snapshot.signals)
    timestamp = rules.instant(snapshot.window_ended_at)
    item = {**snapshot.fields, "projectId": permit.project_id, "taskId": permit.task_id,
            "windowStartedAt": rules.instant(snapshot.window_started_at), "windowEndedAt": timestamp,
            "effortUnits": effort, "recordedAt": clock.timestamp(clock.now())}
    store.put(permit.installation, item, ids.new_id("act"))
    return {"ok": True, "stored": True, "timestamp": timestamp, "effortUnits": effort}


def board(installation: str, project_id: str | None, start: datetime | None, end: datetime | None) -> dict[str, Any]:
    end = end or clock.now()
    start = start or end.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if start > end:
        raise InvalidInput("startDate is after endDate", field="startDate")
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        raise InvalidInput(f"the date range spans at most {MAX_RANGE_DAYS} days", field="startDate")
    items = store.between(installation, project_id, rules.instant(start), rules.instant(end))
    month_start = end.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(microseconds=1)
    first, last = rules.instant(month_start), rules.instant(month_end)
    in_month = ([item for item in items if first <= item["windowEndedAt"] <= last]
                if start <= month_start and end >= month_end  # the range holds the month: no second Query
                else store.between(installation, project_id, first, last))
    month_totals = [summary["effortUnits"] for summary in _summaries(in_month)]
    return {
        "ok": True,
        "items": [_wire(item) for item in items],
        "taskSummaries": _summaries(items),
        "monthBaseline": {"month": month_start.strftime("%Y-%m"), "taskCount": len(month_totals),
                          "medianEffortUnits": rules.median_effort(month_totals)},
        "formula": {"version": rules.FORMULA_VERSION, "weights": rules.WEIGHTS},
        "sourceSummary": {"snapshotItems": len(items), "taskRunFallbackItems": 0, "vscodeFallbackItems": 0,
                          "fallbackTaskCount": 0, "truncated": len(items) >= store.MAX_ITEMS},
    }


_WIRE = ("projectId", "taskId", "windowStartedAt", "windowEndedAt", "taskStartedAt", "taskAgeMinutes",
         "humanActiveMs", "locAdded", "locRemoved", "locTotal", "changedFiles", "changedFilesCount",
         "architectureChange", "logicChange", "specificationUiChange", "effortUnits")


def _wire(item: dict[str, Any]) -> dict[str, Any]:
    return {"timestamp": item["windowEndedAt"], "source": "snapshot",
            **{name: item[name] for name in _WIRE if name in item}}


def _summaries(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tasks: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        tasks[(item["projectId"], item["taskId"])].append(item)
    summaries = []
    for (project, task), snapshots in tasks.items():
        ends = sorted(snapshot["windowEndedAt"] for snapshot in snapshots)
        summaries.append({
            "projectId": project, "taskId": task, "snapshotCount": len(snapshots),
            "effortUnits": sum(int(snapshot["effortUnits"]) for snapshot in snapshots),
            "humanActiveMs": sum(int(snapshot.get("humanActiveMs", 0)) for snapshot in snapshots),
            "firstActivityAt": ends[0], "lastActivityAt": ends[-1],
        })
    return sorted(summaries, key=lambda summary: (-summary["effortUnits"], summary["projectId"], summary["taskId"]))
