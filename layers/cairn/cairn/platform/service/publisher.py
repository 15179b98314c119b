"""The outbox publisher (docs/platform.md, "Publishing"): each outbox item the table's stream shows as
inserted is put on the event bus, then marked published with a conditional update.

Guarantee: at least once on the bus, normally exactly once. An item already marked is never put again (a
retried stream record skips it); a duplicate happens only when the bus accepted the event and the mark then
failed (or the function died in between): the stream retries the record and the event is put again with the
same ``eventId``, on which consumers deduplicate. A failed put is recorded on the item and the record is
reported failed, so the stream retries from it (ReportBatchItemFailures).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from cairn.aws import clients, outbox
from cairn.aws.table import unmarshal
from cairn.core.errors import Conflict, NotFound, UpstreamError
from cairn.core.settings import get_settings, require

SOURCE = "cairn"
# Attempts of one event by the stream: the mapping's MaximumRetryAttempts (template.yaml, EventPublisherFunction)
# + 1. The last failed attempt marks the event ``failed`` (the failures index) instead of reporting its record,
# so the stream goes on with the events after it; ``retry_event`` publishes it again.
PUBLISH_ATTEMPTS: Final = 4


class PublishFailed(Exception):
    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


def bus_name() -> str:
    """The event bus (``CAIRN_EVENT_BUS_NAME``), required where events are published."""
    settings = get_settings()
    require(settings, ("event_bus_name",))
    return settings.event_bus_name


def publish_stream_batch(records: list[dict[str, Any]], bus: str,
                         on_error: Callable[[dict[str, Any], BaseException], None]) -> list[str]:
    """The sequence number of the first record that failed (Lambda retries from it), else nothing."""
    for record in records:
        image = record.get("dynamodb", {}).get("NewImage")
        if record.get("eventName") != "INSERT" or not image:
            continue
        item = unmarshal(image)
        if item.get("entity") != outbox.OUTBOX_EVENT.name:
            continue
        try:
            publish(item, bus)
        except PublishFailed as failed:
            on_error(item, failed)
            if not failed.final:
                return [record["dynamodb"]["SequenceNumber"]]
    return []


def publish(item: dict[str, Any], bus: str) -> bool:
    """Puts the event on the bus unless it was published (or given up on) already; True when this call
    published it. A failed put raises PublishFailed, ``final`` on the event's last attempt."""
    current = outbox.load(item["tenant"], item["eventId"])
    if current is None or current["deliveryState"] != outbox.PENDING:
        return False
    return _put(current, bus, final=int(current.get("publishAttempts", 0)) + 1 >= PUBLISH_ATTEMPTS)


def retry_event(tenant: str, event_id: str) -> dict[str, Any]:
    """Publishes a ``failed`` event again (the ops view's retry); answers it as listed. Another tenant's or an
    unknown event is NotFound; one not failed is a Conflict; a bus that refuses it again is an UpstreamError
    (the event stays failed, its new error kept)."""
    current = outbox.load(tenant, event_id)
    if current is None:
        raise NotFound(f"event '{event_id}' not found", field="id")
    if current["deliveryState"] != outbox.FAILED:
        raise Conflict(f"event '{event_id}' is {current['deliveryState']}, not failed: nothing to retry",
                       field="id")
    try:
        _put(current, bus_name(), final=True)
    except PublishFailed as failed:
        raise UpstreamError(f"the event bus refused event '{event_id}' again: {failed}") from failed
    return outbox.to_wire(outbox.load(tenant, event_id) or current)


def _put(current: dict[str, Any], bus: str, *, final: bool) -> bool:
    tenant, event_id = current["tenant"], current["eventId"]
    entry = {"Source": SOURCE, "DetailType": current["topic"], "EventBusName": bus,
             "Detail": json.dumps(_detail(current), default=str)}
    try:
        response = clients.client("events").put_events(Entries=[entry])
        if response.get("FailedEntryCount"):
            raise PublishFailed(str(response["Entries"][0].get("ErrorMessage") or response["Entries"][0]))
    except PublishFailed as failed:
        outbox.record_failure(tenant, event_id, str(failed), final=final)
        raise PublishFailed(str(failed), final=final) from failed
    except (BotoCoreError, ClientError) as failed:
        outbox.record_failure(tenant, event_id, str(failed), final=final)
        raise PublishFailed(str(failed), final=final) from failed
    return outbox.mark_published(tenant, event_id)


def _detail(item: dict[str, Any]) -> dict[str, Any]:
    """Per-tenant detail: the tenant is in every event, so bus rules can route one tenant's events."""
    return {name: item[name] for name in ("eventId", "topic", "tenant", "occurredAt", "detail")}
