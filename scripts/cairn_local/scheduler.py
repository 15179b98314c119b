"""The template's EventBridge schedules on the dev server's own timer: each ``Schedule`` event of a function
invokes that function's real handler in process every ``rate(...)``, with the event EventBridge would send."""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from cairn_local import handlers, template
from cairn_local.resolve import REGION

_log = logging.getLogger("cairn_local.scheduler")


def scheduled_event(schedule: template.Schedule) -> dict[str, Any]:
    """A "Scheduled Event" as EventBridge delivers it (the event's ``Input``, when set, replaces it)."""
    from cairn.core.clock import utc_now

    if schedule.input:
        return dict(schedule.input)
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "time": utc_now(), "region": REGION, "resources": [], "detail": {}}


def fire(schedule: template.Schedule) -> Any:
    return handlers.invoke(schedule.logical_id, scheduled_event(schedule))


class Scheduler:
    """One daemon thread per schedule; ``stop`` ends them at their next wake-up."""

    def __init__(self, schedules: list[template.Schedule] | None = None) -> None:
        self.schedules = template.schedules() if schedules is None else schedules
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(schedule,), daemon=True,
                                          name=f"schedule-{schedule.logical_id}") for schedule in self.schedules]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def _run(self, schedule: template.Schedule) -> None:
        while not self._stopping.wait(schedule.seconds):
            try:
                fire(schedule)
            except Exception:  # a failed run is logged, as Lambda would; the next tick runs again
                _log.exception("scheduled %s.%s failed", schedule.logical_id, schedule.name)
