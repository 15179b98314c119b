"""Worker: one page of a deleted project's purge, called in a loop by the project-purge state machine.

The input is ``{"purge": <state>, "execution": <execution name>}`` (executions started before the state machine
passed its name send the state alone); the state names the project generation to purge (``generation``;
executions started before generations existed have none and purge generation 0). The last page settles the
execution's workflow record."""

from typing import Any

from cairn.core.observability import count, instrumented, logger
from cairn.core.settings import get_settings
from cairn.memory.store.purge import purge_page

get_settings()  # at cold start: a missing resource name fails here, named (cairn.core.settings)


@instrumented("worker", "project-purge")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = event.get("purge", event)
    result = purge_page(state["tenantId"], state["projectId"], int(state.get("generation") or 0),
                        execution=event.get("execution"))
    count("PurgedItems", result["deletedItems"])
    count("PurgedBlobs", result["deletedBlobs"])
    logger().info("purge page", **result)
    return result
