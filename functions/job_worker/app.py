"""Worker: the steps of the export and import state machines (statemachines/export.asl.json,
import.asl.json), chosen by ``step``."""

from typing import Any

from cairn.core.observability import instrumented
from cairn.core.settings import get_settings
from cairn.platform.service import job_worker

get_settings()  # at cold start: a missing resource name fails here, named (cairn.core.settings)

_STEPS = {"run": job_worker.run, "settle": job_worker.settle, "index": job_worker.index, "fail": job_worker.fail}


@instrumented("worker", "job")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _STEPS[event["step"]]({name: value for name, value in event.items() if name != "step"})
