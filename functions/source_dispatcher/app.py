"""Worker: the EventBridge schedule's target (template.yaml ``SourceDispatcherFunction``; the dev server fires it
on its own timer): starts a sync of each enabled source that is due (cairn.sources.service.sync_dispatch)."""

from typing import Any

from cairn.core.observability import count, instrumented, logger
from cairn.core.settings import get_settings
from cairn.sources.service.sync_dispatch import dispatch_due

get_settings()  # at cold start: a missing resource name fails here, named (cairn.core.settings)


@instrumented("worker", "source-dispatcher")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    dispatched = dispatch_due()
    count("SourceSyncsDispatched", len(dispatched.started))
    logger().info("due sources dispatched", started=len(dispatched.started), skipped=len(dispatched.skipped))
    return {"started": dispatched.started, "skipped": dispatched.skipped}
