"""Worker: one page of a deleted project's purge, called in a loop by the project-purge state machine."""

from typing import Any

from cairn.http.observability import logger, tracer
from cairn.store.purge import purge_page

log = logger()


@log.inject_lambda_context(clear_state=True)
@tracer().capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = purge_page(event["tenantId"], event["projectId"])
    log.info("purge page", **result)
    return result
