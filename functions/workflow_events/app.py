"""Worker: settles a workflow execution from Step Functions' "Execution Status Change" event (EventBridge rule
in template.yaml over Cairn's three state machines)."""

from typing import Any

from cairn.core.observability import count, instrumented, logger
from cairn.core.settings import get_settings
from cairn.platform.service.execution_events import settle_from_event

get_settings()  # at cold start: a missing resource name fails here, named (cairn.core.settings)


@instrumented("worker", "workflow-events")
def handler(event: dict[str, Any], context: Any) -> dict[str, bool]:
    settled = settle_from_event(event)
    count("WorkflowExecutionsSettledByEvent", int(settled))
    logger().info("execution status change", status=(event.get("detail") or {}).get("status"), settled=settled)
    return {"settled": settled}
