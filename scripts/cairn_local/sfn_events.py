"""Step Functions' "Execution Status Change" events for the local stack: AWS puts one on the default bus when an
execution ends; moto does not. ``install`` wraps the end of moto's ASL executions so that each terminal status is
put on the local EventBridge (``cairn_local.eventbus.put_events``), where the template's rule hands it to
``WorkflowEventsFunction`` as in AWS: a record whose machine never reached its own settle step (a crashed or
timed-out step, StopExecution) still settles."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

log = logging.getLogger("cairn.local.sfn")
SOURCE = "aws.states"
DETAIL_TYPE = "Step Functions Execution Status Change"
STOP_WAIT_SECONDS = 5.0


def _millis(moment: datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment is not None else None


def status_change_entry(execution: Any) -> dict[str, Any]:
    """The PutEvents entry AWS emits for ``execution`` (a moto parser Execution that has ended)."""
    detail = {
        "executionArn": execution.exec_arn, "stateMachineArn": execution.state_machine.arn,
        "name": execution.name, "status": execution.exec_status.value,
        "startDate": _millis(execution.start_date), "stopDate": _millis(execution.stop_date),
        "input": json.dumps(execution.input_data), "output": None,
        "error": execution.error, "cause": execution.cause,
    }
    if execution.output is not None:
        detail["output"] = json.dumps(execution.output)
    return {"Source": SOURCE, "DetailType": DETAIL_TYPE, "Detail": json.dumps(detail),
            "Resources": [execution.exec_arn]}


def _emitting(original: Callable[[Any], None]) -> Callable[[Any], None]:
    def terminated(self: Any) -> None:
        from cairn_local import eventbus

        original(self)
        try:
            eventbus.put_events([status_change_entry(self.execution)])
        except Exception:  # the execution has ended either way; a lost event is what AWS's would be: logged
            log.exception("status change of %s not emitted", getattr(self.execution, "exec_arn", "?"))

    return terminated


def _stop_is_final(original: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """In AWS a stopped execution stays ABORTED; moto lets a task still in flight when it was stopped fail it
    afterwards (``set_error`` overwrites the stopped state), which would report a cancel as FAILED."""
    def set_error(self: Any, error: Any) -> None:
        from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped

        if isinstance(self._program_state, ProgramStopped):
            return
        original(self, error)

    return set_error


def _stop_once_started(original: Callable[..., None]) -> Callable[..., None]:
    """AWS accepts StopExecution the moment StartExecution answered; moto's worker builds its environment on its
    own thread, and a stop arriving before that fails (``None.set_stop``). Wait for it, briefly."""
    def stop(self: Any, stop_date: Any, error: str | None, cause: str | None) -> None:
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while self.env is None and time.monotonic() < deadline:
            time.sleep(0.01)
        original(self, stop_date=stop_date, error=error, cause=cause)

    return stop


def install() -> None:
    """Wraps moto's end-of-execution hook (once per process: ``emulator.install_patches`` calls it)."""
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    BaseExecutionWorkerCommunication.terminated = _emitting(  # type: ignore[method-assign]
        BaseExecutionWorkerCommunication.terminated)
    Environment.set_error = _stop_is_final(Environment.set_error)  # type: ignore[method-assign]
    ExecutionWorker.stop = _stop_once_started(ExecutionWorker.stop)  # type: ignore[method-assign]
