"""Worker: the outbox publisher (docs/platform.md, "Publishing"), from the table's stream (template filter: inserted
outbox events). Reports the first record whose publish failed, so that Lambda retries from it; an event's last
attempt marks it failed instead (the failures index) and the batch goes on."""

from typing import Any

from cairn.core.observability import count, instrumented, logger
from cairn.core.settings import get_settings
from cairn.platform.service.publisher import bus_name, publish_stream_batch

get_settings()  # at cold start: a missing resource name fails here, named (cairn.core.settings)
BUS = bus_name()  # the same for the event bus


def _report(item: dict[str, Any], error: BaseException) -> None:
    logger().warning("event publish failed", tenant=item.get("tenant"), eventId=item.get("eventId"),
                     topic=item.get("topic"), error=str(error))
    count("EventPublishFailures", 1)


@instrumented("worker", "event-publisher")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records") or []
    failed = publish_stream_batch(records, BUS, on_error=_report)
    count("OutboxRecords", len(records))
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}
