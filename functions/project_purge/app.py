"""Worker: one page of a deleted project's purge, called in a loop by the project-purge state machine."""

from typing import Any

from cairn.http.observability import count, instrumented, logger
from cairn.store.purge import purge_page


@instrumented("worker", "project-purge")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = purge_page(event["tenantId"], event["projectId"])
    count("PurgedItems", result["deletedItems"])
    count("PurgedBlobs", result["deletedBlobs"])
    logger().info("purge page", **result)
    return result
