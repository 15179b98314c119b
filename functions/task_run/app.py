"""Worker: the steps of the task-run state machine (statemachines/task_run.asl.json), chosen by ``step``."""

from typing import Any

from cairn.aws import workflows
from cairn.core.observability import instrumented
from cairn.core.settings import get_settings
from cairn.tasks.service import run_records, run_steps

get_settings()  # at cold start: a missing resource name fails here, named (cairn.core.settings)


@instrumented("worker", "task-run")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    installation, run_id = event["installation"], event["runId"]
    result = _step(event["step"], installation, run_id, event)
    # The step that settled the run settles its execution's record too (executions started before the state
    # machine passed its name carry none: their status-change event settles them).
    if result["settled"] and event.get("execution"):
        run_records.settle_execution(installation, run_id, event["execution"])
    return result


def _step(step: str, installation: str, run_id: str, event: dict[str, Any]) -> dict[str, Any]:
    if step == "prepare":
        return run_steps.prepare(installation, run_id)
    if step == "run":
        return run_steps.run_model(installation, run_id)
    if step == "fail":
        return run_steps.fail(installation, run_id, failure_message(event.get("failure") or {}))
    raise ValueError(f"unknown task-run step {step!r}")


def failure_message(failure: dict[str, Any]) -> str:
    """The caught error as the run's ``error``: the Lambda error's message when the cause carries one."""
    return workflows.caught_message(failure, "The run failed")
