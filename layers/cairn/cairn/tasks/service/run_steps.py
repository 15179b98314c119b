"""The steps of the task-run state machine (statemachines/task_run.asl.json), run by its worker
(functions/task_run/app.py): prepare the inputs, run the model (a ``ModelFailure`` propagates: the state
machine retries it with backoff), settle a failure. Each step is safe to run again (Lambda retries): a settled
run is never changed."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from cairn.core.clock import now, timestamp
from cairn.core.observability import count
from cairn.tasks.adapters.port import InputFile, ModelFailure
from cairn.tasks.adapters.runner import runner
from cairn.tasks.domain.models import catalog
from cairn.tasks.domain.runs import RunStatus
from cairn.tasks.service.run_log import append_log
from cairn.tasks.service.runs import settle_failed
from cairn.tasks.store import runs as store


def prepare(installation: str, run_id: str) -> dict[str, Any]:
    """``in_process``; checks every input is still there (a missing one is a failure no retry mends)."""
    run = store.advance(installation, run_id, RunStatus.IN_PROCESS, timestamp(now()))
    if run is None:
        return {"settled": True}
    sizes = {name: store.object_size(store.input_key(installation, run_id, name)) for name in run["files"]}
    missing = [name for name, size in sizes.items() if size is None]
    if missing:
        settle_failed(installation, run_id, f"Input {missing[0]} is no longer stored")
        return {"settled": True}
    total = sum(size or 0 for size in sizes.values())
    append_log(installation, run_id, f"in_process: {len(sizes)} input files, {total} bytes")
    return {"settled": False}


def run_model(installation: str, run_id: str) -> dict[str, Any]:
    """``processing_remote``, the model call, then the output, the log and the result zip, and ``succeeded``."""
    run = store.advance(installation, run_id, RunStatus.PROCESSING_REMOTE, timestamp(now()), count_attempt=True)
    if run is None:
        return {"settled": True}
    attempt = int(run["attempts"])
    files = [InputFile(name, store.read(store.input_key(installation, run_id, name)) or b"")
             for name in run["files"]]
    model_runner = runner()
    try:
        answer = model_runner.run(catalog().model(run["model"]), run.get("prompt", ""), files)
    except ModelFailure as failure:
        append_log(installation, run_id, f"processing_remote: attempt {attempt} with the {model_runner.name} "
                                         f"runner failed: {failure}")
        count("TaskModelFailures", 1)
        raise
    succeed(installation, run_id, answer.text, answer.output_tokens,
            f"processing_remote: attempt {attempt}, {answer.runner} runner answered")
    return {"settled": True}


def succeed(installation: str, run_id: str, text: str, output_tokens: int, how: str) -> bool:
    """The output, the log (``how`` it was answered) and the result zip, then ``succeeded``; False when the run
    was settled meanwhile (its status is kept)."""
    output = text.encode("utf-8")
    store.write(store.artifact_key(installation, run_id, store.OUTPUT_NAME), output, "text/markdown; charset=utf-8")
    log = append_log(installation, run_id, f"{how} {len(output)} bytes ({output_tokens} output tokens)", "succeeded")
    store.write(store.artifact_key(installation, run_id, store.ZIP_NAME), _zip(output, log), "application/zip")
    settled = store.succeed(installation, run_id, {"updatedAt": timestamp(now()), "outputTokens": output_tokens},
                            remove=("error",))
    if settled:
        count("TaskRunsSucceeded", 1)
    return settled


def _zip(output: bytes, log: bytes) -> bytes:
    """The outputs as one zip: the output and the log (fixed entry times, so equal runs zip equally)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in ((store.OUTPUT_NAME, output), (store.LOG_NAME, log)):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, body)
    return buffer.getvalue()


def fail(installation: str, run_id: str, error: str) -> dict[str, Any]:
    """The state machine's catch: the model kept failing (or a step broke); the run fails and is refunded."""
    settle_failed(installation, run_id, error)
    return {"settled": True}
