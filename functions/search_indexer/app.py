"""Worker: compacts newly written search documents into per-project index segments, from the table's
stream (template filter: records whose new image carries GSI3PK). Reports failed records so that Lambda
retries from the first one; compaction is idempotent (docs/search.md)."""

import time
from typing import Any

from cairn.core.observability import count, instrumented, logger
from cairn.core.settings import get_settings
from cairn.search.service.compaction import compact_stream_batch

get_settings()  # at cold start: a missing resource name fails here, named (cairn.core.settings)

_SAFETY_SECONDS = 15.0  # stop clearing pending markers this long before the Lambda timeout


def _report(tenant: str, project_id: str, error: BaseException) -> None:
    logger().exception("search compaction failed", tenant=tenant, projectId=project_id, error=str(error))


@instrumented("worker", "search-indexer")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records") or []
    deadline = time.monotonic() + max(context.get_remaining_time_in_millis() / 1000 - _SAFETY_SECONDS, 1.0)
    failed = compact_stream_batch(records, deadline=deadline, on_error=_report)
    count("StreamRecords", len(records))
    count("FailedProjects", len(failed))
    logger().info("search compaction", records=len(records), failed=len(failed))
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}
