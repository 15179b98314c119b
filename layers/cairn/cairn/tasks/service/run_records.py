"""A task run's workflow execution record (cairn.aws.workflows), settled by the state machine's step that settled
the run, or by a remote executor's completion callback (docs/platform.md, "Workflow executions"): the record says
what the run says, with the run's output and result zip as its ``outputRef`` and ``evidenceRef`` (S3 keys, never
their content)."""

from __future__ import annotations

from cairn.aws import workflows
from cairn.core.errors import Conflict, NotFound
from cairn.tasks.domain.runs import RunStatus
from cairn.tasks.service import run_steps, runs
from cairn.tasks.store import runs as store

FAILURE_CODE = "TaskRunFailed"


def settle_execution(installation: str, run_id: str, execution: str) -> bool:
    """Settles ``execution`` as the run settled; False while the run is not settled (or the record was already)."""
    run = store.get(installation, run_id)
    if run is None:
        return False
    if run["status"] == RunStatus.SUCCEEDED.value:
        return workflows.settle(installation, execution, "succeeded",
                                output_ref=store.artifact_key(installation, run_id, store.OUTPUT_NAME),
                                evidence_ref=store.artifact_key(installation, run_id, store.ZIP_NAME))
    if run["status"] == RunStatus.FAILED.value:
        return workflows.settle(installation, execution, "failed", FAILURE_CODE, str(run.get("error") or ""),
                                evidence_ref=store.artifact_key(installation, run_id, store.LOG_NAME))
    return False


def complete_remote(installation: str, run_id: str, execution: str, *, output: str | None, output_tokens: int,
                    error: str | None) -> str:
    """A remote executor reports the run's completion (``POST /api/v1/webhooks/workflow-completed``): the run
    succeeds with ``output`` (its output, log and zip, as the model step writes them) or fails with ``error`` and
    is refunded; then ``execution``'s record settles as the run did. Answers the run's status. 404 for an unknown
    run; 409 unless it is ``processing_remote`` (a settled run is never changed)."""
    run = store.get(installation, run_id)
    if run is None:
        raise NotFound(f"Run {run_id} not found", field="executionId")
    if run["status"] != RunStatus.PROCESSING_REMOTE.value:
        raise Conflict(f"Run {run_id} is {run['status']}: only a run in processing_remote reports its completion",
                       field="executionId")
    if error is None:
        run_steps.succeed(installation, run_id, output or "", output_tokens,
                          "processing_remote: the remote executor answered")
    else:
        runs.settle_failed(installation, run_id, error)
    settle_execution(installation, run_id, execution)
    settled = store.get(installation, run_id)
    return str((settled or run)["status"])
