"""Task runs (docs/task-engine.md, "Runs"): init (a run bound to the permit's project/task, presigned upload
URLs), start (uploads checked, credits estimated and debited, one execution of the task-run state machine), the
status document, output and log; and the steps the state machine's worker runs (``cairn.tasks.service.run_steps``).
"""

from __future__ import annotations

from typing import Any

from cairn.aws import clients, workflows
from cairn.core.clock import now, timestamp
from cairn.core.errors import Conflict, InsufficientCredits, InvalidInput, NotFound
from cairn.core.ids import new_id
from cairn.core.observability import count, logger
from cairn.core.settings import get_settings
from cairn.tasks.domain import runs as rules
from cairn.tasks.domain.models import catalog
from cairn.tasks.domain.runs import RESUMABLE, RunStatus
from cairn.tasks.service.run_log import append_log
from cairn.tasks.store import runs as store


def init(installation: str, project_id: str, task_id: str, model_id: str | None,
         files: list[str] | None) -> dict[str, Any]:
    model = catalog().model(model_id)
    names = rules.file_names(files)
    run_id = new_id("run")
    moment = timestamp(now())
    store.create(installation, {"runId": run_id, "installation": installation, "projectId": project_id,
                                "taskId": task_id, "model": model.id,
                                "files": names, "status": RunStatus.CREATED.value, "createdAt": moment,
                                "updatedAt": moment})
    uploads = {name: store.upload_url(store.input_key(installation, run_id, name), rules.UPLOAD_URL_SECONDS)
               for name in names}
    count("TaskRunsCreated", 1)
    return {"ok": True, "runId": run_id, "bucket": get_settings().bucket_name,
            "prefix": store.input_key(installation, run_id, ""), "uploads": uploads}


def load(installation: str, run_id: str) -> dict[str, Any]:
    """The installation's run ``run_id``; another installation's run is as absent as one never created."""
    run = store.get(installation, run_id)
    if run is None:
        raise NotFound(f"Run {run_id} not found")
    return run


def start(installation: str, run: dict[str, Any], model_id: str | None, user_prompt: str | None) -> dict[str, Any]:
    run_id = run["runId"]
    if run["status"] != RunStatus.CREATED.value:
        return _started(run)
    model = catalog().model(model_id or run["model"])
    prompt = rules.prompt(user_prompt)
    input_bytes = len(prompt.encode("utf-8")) + _uploaded_bytes(installation, run)
    tokens = catalog().estimate_tokens(input_bytes)
    if tokens > model.max_context:
        raise InvalidInput(f"The run's input is about {tokens} tokens; model {model.id!r} takes at most "
                           f"{model.max_context}", field="model")
    cost = model.credits(tokens)
    moment = timestamp(now())
    fields = {"model": model.id, "prompt": prompt, "estimatedInputTokens": tokens, "credits": cost,
              "startedAt": moment, "updatedAt": moment}
    try:
        store.start(installation, run_id, fields, credits=cost, usage_sort_key=f"{moment}#{run_id}")
    except store.StartRefused as refused:
        if refused.already_started:
            return _started(load(installation, run_id))  # a concurrent start won: it started the one execution
        raise InsufficientCredits(f"The run costs {cost} credits; the installation has fewer") from None
    # Logged before the execution starts: from then on its steps append to the log.
    append_log(installation, run_id, f"queued: model {model.id}, about {tokens} input tokens, {cost} credits debited")
    _start_execution(installation, run_id, cost)
    count("TaskRunsStarted", 1)
    return {"ok": True, "runId": run_id, "status": RunStatus.QUEUED.value, "estimatedInputTokens": tokens,
            "estimatedCredits": cost}


def _started(run: dict[str, Any]) -> dict[str, Any]:
    """The answer to a start of a run already started: its status now, and what the first start estimated."""
    return {"ok": True, "runId": run["runId"], "status": run["status"],
            "estimatedInputTokens": run.get("estimatedInputTokens"), "estimatedCredits": run.get("credits")}


def _uploaded_bytes(installation: str, run: dict[str, Any]) -> int:
    """The uploads' total size; 400 naming the first file missing or over the size limit."""
    total = 0
    for name in run["files"]:
        size = store.object_size(store.input_key(installation, run["runId"], name))
        if size is None:
            raise InvalidInput(f"Missing upload: {name} was not uploaded to its presigned URL", field="files")
        if size > rules.MAX_FILE_BYTES:
            raise InvalidInput(f"Upload {name} has {size} bytes; at most {rules.MAX_FILE_BYTES}", field="files")
        total += size
    return total


def _start_execution(installation: str, run_id: str, cost: int, name: str | None = None,
                     retry_of: dict[str, Any] | None = None) -> None:
    """One execution per run, named after it; if it cannot start, the run fails and its credits come back."""
    sfn = clients.stepfunctions()
    try:
        workflows.start(installation, "task_run", {"runId": run_id}, get_settings().task_run_state_machine_arn,
                        name or run_id, {"installation": installation, "runId": run_id}, retry_of)
    except sfn.exceptions.ExecutionAlreadyExists:
        return
    except Exception as error:
        logger().exception("task run execution did not start", runId=run_id)
        settle_failed(installation, run_id, f"The run could not be queued: {type(error).__name__}")
        raise


def resume(installation: str, run_id: str) -> bool:
    """Starts the run's state machine again from its first step, for a run whose execution was lost while it was
    not settled (the dev server's executions end with its process; in AWS they outlive any one Lambda). Its steps
    never change a settled run, so a resumed run settles once. False when the run has nothing to resume."""
    run = store.get(installation, run_id)
    if run is None or run["status"] not in RESUMABLE:
        return False
    append_log(installation, run_id, f"resumed: its execution was lost while {run['status']}")
    _start_execution(installation, run_id, int(run.get("credits") or 0),
                     name=f"{run_id}-resumed-{int(now().timestamp())}")
    return True


def retry(installation: str, run_id: str, name: str, retry_of: dict[str, Any]) -> None:
    """Starts a failed run again as execution ``name``, retrying the workflow execution ``retry_of``: the run goes
    back to ``queued`` and is debited again the credits its failure refunded, in one transaction, so a run costs
    at most once whatever its retries (a run that failed without a refund is not debited again). 409 unless the
    run is ``failed``; 402 when the installation's credits no longer cover it (nothing changes)."""
    run = load(installation, run_id)
    if run["status"] != RunStatus.FAILED.value:
        raise Conflict(f"Run {run_id} is {run['status']}: only a failed run is retried", field="id")
    debit = int(run.get("credits") or 0) if run.get("refunded") else 0
    try:
        restarted = store.restart(installation, run_id, timestamp(now()), debit=debit)
    except store.StartRefused:
        raise InsufficientCredits(f"The run costs {debit} credits; the installation has fewer") from None
    if not restarted:
        raise Conflict(f"Run {run_id} was started again meanwhile", field="id")
    append_log(installation, run_id, f"retried: queued again as {name}, {debit} credits debited")
    _start_execution(installation, run_id, debit, name=name, retry_of=retry_of)


def cancel(installation: str, run_id: str, error: str) -> None:
    """An operator stopped the run's execution: the run fails with ``error`` and its credits come back (once)."""
    settle_failed(installation, run_id, error)


def settle_failed(installation: str, run_id: str, error: str) -> None:
    """``failed`` with ``error`` and the run's credits refunded, in one transaction (store.fail). Its log lines are
    written first, so whoever sees the run failed reads why in its log. Safe to run again (the state machine
    retries this step): a settled run is not changed and nothing is refunded twice; only a retry after a crash
    between the log and the transaction repeats the log lines."""
    run = store.get(installation, run_id)
    if run is None or run["status"] in (RunStatus.SUCCEEDED.value, RunStatus.FAILED.value):
        return
    cost = int(run.get("credits") or 0)
    append_log(installation, run_id, f"failed: {error}", *([f"refunded {cost} credits"] if cost else []))
    if store.fail(installation, run_id, {"error": error, "updatedAt": timestamp(now())}, refund=cost):
        count("TaskRunsFailed", 1)


def status(installation: str, run: dict[str, Any]) -> dict[str, Any]:
    document = store.RUN.to_wire(run)
    if run["status"] == RunStatus.SUCCEEDED.value:
        document["resultZipUrl"] = store.download_url(store.artifact_key(installation, run["runId"], store.ZIP_NAME),
                                                      rules.RESULT_URL_SECONDS)
    return {"ok": True, "status": document}


def output(installation: str, run: dict[str, Any]) -> str:
    text = store.read(store.artifact_key(installation, run["runId"], store.OUTPUT_NAME))
    if text is None:
        raise NotFound(f"Run {run['runId']} has no output (status {run['status']})")
    return text.decode("utf-8")


def logs(installation: str, run: dict[str, Any]) -> str:
    text = store.read(store.artifact_key(installation, run["runId"], store.LOG_NAME))
    return text.decode("utf-8") if text is not None else ""
