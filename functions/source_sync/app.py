"""Worker: one step of a source's sync run, called by the source-sync state machine
(statemachines/source_sync.asl.json) with ``{"step": "load" | "page" | "commit" | "fail", "run": <state>}``;
answers the run's next state (cairn.sources.service.sync_steps). ``commit`` and ``fail`` also name the execution
(``execution``), whose workflow record they settle."""

from typing import Any

from cairn.core.observability import count, instrumented, logger
from cairn.core.settings import get_settings
from cairn.sources.service import sync_steps
from cairn.sources.service.sync_ledger import LEDGER

get_settings()  # at cold start: a missing resource name fails here, named (cairn.core.settings)

_STEPS = {"load": sync_steps.load, "page": sync_steps.page, "commit": sync_steps.commit}


@instrumented("worker", "source-sync")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step, state = event["step"], event["run"]
    if step == "fail":
        failed = sync_steps.fail(state, LEDGER, event.get("execution"))
        count("SourceSyncsFailed", 1)
        return failed
    run = sync_steps.Run.of(state)
    items_before = run.items
    run = _STEPS[step](run, LEDGER)
    if step == "page":
        count("SourceItemsSynced", run.items - items_before)
    if step == "commit" and event.get("execution"):
        sync_steps.settle_execution(run, event["execution"])
    logger().info("source sync step", step=step, tenantId=run.tenantId, sourceId=run.sourceId, pages=run.pages,
                  items=run.items, waitSeconds=run.waitSeconds, done=run.done, stopped=run.stopped)
    return run.state()
