"""The steps of the export and import state machines (statemachines/export.asl.json, import.asl.json), one per
invocation: ``run`` (the next part of the work; the first one also moves the job to running), ``settle`` (the
job succeeded, with its event, in one transaction), ``index`` (an import's copies compacted into search indexes
of their own, after the settle) and ``fail`` (the Catch of every step). The state is plain
JSON the machine carries: ``tenantId``, ``jobId``, ``kind``, ``execution`` and the kind's ``progress``."""

from __future__ import annotations

import time
from typing import Any, cast

from cairn.aws import workflows
from cairn.aws.table import ConditionFailed
from cairn.platform.service import exports, imports, jobs
from cairn.platform.store import artifacts
from cairn.platform.store import jobs as job_items
from cairn.search.service import compaction

# The index step's budget for clearing documents' pending markers (the worker's timeout is 300 s).
INDEX_SECONDS = 240

# The errors a job fails with by name (the caught Lambda error's type); their message is the job's. Any other
# error fails the job as ``job_failed``, its message not repeated (it may name internals).
_CODES = {
    "BadLine": "import_bad_line",
    "ProjectMissing": "import_project_missing",
    "TargetTaken": "import_target_exists",
    "NotLive": "export_project_not_found",
}


def run(state: dict[str, Any]) -> dict[str, Any]:
    tenant, job_id, kind = state["tenantId"], state["jobId"], state["kind"]
    progress = state.get("progress")
    if not progress:  # the first step: the workflow's input carries an empty progress
        job = jobs.stored(tenant, job_id)
        try:
            job_items.start(tenant, job_id)
        except ConditionFailed:  # settled already (an execution started twice): nothing left to do
            return {**state, "done": True}
        progress = exports.begin(tenant, job) if kind == job_items.EXPORT else imports.begin(tenant, job)
    if kind == job_items.EXPORT:
        progress = exports.step(cast(exports.Progress, progress))
    else:
        progress = imports.step(cast(imports.Progress, progress))
    return {**state, "progress": progress, "done": progress["done"]}


def settle(state: dict[str, Any]) -> dict[str, Any]:
    tenant, job_id, kind = state["tenantId"], state["jobId"], state["kind"]
    job = jobs.stored(tenant, job_id)
    if kind == job_items.EXPORT:
        settled = jobs.succeed(tenant, job_id, kind, str(state["progress"]["key"]))
    else:
        settled = jobs.succeed(tenant, job_id, kind, None, imports.live_operations({**job, "tenant": tenant}))
    _settle_execution(tenant, state, "succeeded")
    return {**state, "settled": settled}


def index(state: dict[str, Any]) -> dict[str, Any]:
    """Compacts each copy's pending search documents (written while the copy was hidden, when the indexer leaves
    a project alone) into a segment of its own, within ``INDEX_SECONDS``; what is left stays pending, searchable,
    and is compacted with the project's next search document."""
    job = jobs.stored(state["tenantId"], state["jobId"])
    deadline = time.monotonic() + INDEX_SECONDS
    indexed = sum(compaction.compact(state["tenantId"], target, deadline=deadline).indexed
                  for target in (job.get("projectIdMap") or {}).values())
    return {**state, "indexed": indexed}


def fail(state: dict[str, Any]) -> dict[str, Any]:
    tenant, job_id, kind = state["tenantId"], state["jobId"], state["kind"]
    failure = state.get("failure") or {}
    error = str(failure.get("Error") or "JobFailed")
    code = _CODES.get(error, "job_failed")
    message = _message(failure) if error in _CODES else f"the {kind} failed ({error})"
    settled = jobs.fail(tenant, job_id, code, message)
    if kind == job_items.EXPORT:
        _abort_upload(state.get("progress"))
    _settle_execution(tenant, state, "failed", code, message)
    return {**state, "settled": settled}


def _message(failure: dict[str, Any]) -> str:
    return workflows.caught_message(failure, "the job failed")


def _abort_upload(progress: dict[str, Any] | None) -> None:
    """A failed export's unfinished multipart upload is aborted (S3 would keep its parts, and bill them)."""
    if progress and progress.get("uploadId") and not progress.get("done"):
        artifacts.abort(progress["key"], progress["uploadId"])


def _settle_execution(tenant: str, state: dict[str, Any], status: str, code: str | None = None,
                      message: str | None = None) -> None:
    if state.get("execution"):
        workflows.settle(tenant, state["execution"], status, code, message)
