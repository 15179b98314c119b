"""Starting a source's sync: one Step Functions execution of statemachines/source_sync.asl.json per run, and
at most one running per source (docs/sources.md, "Sync").

- A disabled source is a 409; a source whose provider has no connection is a 409 naming the provider, and
  the source is marked failed with that as ``lastError`` (the dispatcher's attempts say it on the status too,
  and its next attempt waits for the interval).
- A sync asked for while one runs starts nothing and answers the running one's status (``state: running``):
  asking twice means the same as asking once, so it is not an error.
- The run is marked on the source by a conditional update (``sources.begin_run``) before the execution
  starts; if the start fails, the run is recorded as failed with why.
"""

from __future__ import annotations

import uuid
from typing import Any

from cairn.aws import workflows
from cairn.core.errors import Conflict, NotFound
from cairn.core.ids import new_id
from cairn.core.settings import get_settings
from cairn.sources.store import connections, sources


def start_sync(tenant: str, source_id: str) -> dict[str, Any]:
    """Starts a run (or finds the running one); answers the source item as it is now."""
    return start(tenant, source_id)[0]


def start(tenant: str, source_id: str, *, name: str | None = None,
          retry_of: dict[str, Any] | None = None) -> tuple[dict[str, Any], bool]:
    """The source item as it is now, and whether this call started a run (False: one was running). ``name`` and
    ``retry_of``: the execution's name and the workflow execution it retries (``POST .../{id}/retry``)."""
    source = sources.get(tenant, source_id)
    provider = str(source["sourceType"])
    if not source.get("enabled", True):
        raise Conflict(f"source '{source_id}' is disabled: enable it before syncing", field="enabled")
    run_id = new_id("run")
    try:
        started = sources.begin_run(tenant, source_id, run_id)
    except sources.RunRefused as refused:
        if refused.running:
            return refused.item, False
        raise
    if connections.get(tenant, provider) is None:
        missing = (f"no {provider} connection for this tenant: PUT /api/v1/memory/connections/{provider} with a "
                   "token and baseUrl first")
        sources.fail_run(tenant, source_id, run_id, missing)
        raise Conflict(missing, field="sourceType")
    try:
        workflows.start(tenant, "source_sync", {"sourceId": source_id, "runId": run_id},
                        get_settings().source_sync_state_machine_arn, name or f"sync-{uuid.uuid4().hex}",
                        {"tenantId": tenant, "sourceId": source_id, "runId": run_id}, retry_of)
    except Exception as failed:  # recorded on the source, then raised: the request fails with it
        sources.fail_run(tenant, source_id, run_id, f"the sync could not start: {type(failed).__name__}")
        raise
    return started, True


def cancel(tenant: str, source_id: str, run_id: str) -> bool:
    """Releases a run whose execution an operator stopped: the source goes back to idle with the cursor it had
    committed (the cancelled run committed nothing). False when the run no longer owns the source (it ended, or
    the source was deleted or reset)."""
    try:
        sources.cancel_run(tenant, source_id, run_id)
    except NotFound:  # SourceGone too: the run no longer owns the source
        return False
    return True
