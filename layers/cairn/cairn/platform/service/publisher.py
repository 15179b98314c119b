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
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from cairn.aws import clients, outbox
from cairn.aws.table import unmarshal

SOURCE = "cairn"


class PublishFailed(Exception):
    pass


def publish_stream_batch(records: list[dict[str, Any]], bus_name: str,
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
            publish(item, bus_name)
        except PublishFailed as failed:
            on_error(item, failed)
            return [record["dynamodb"]["SequenceNumber"]]
    return []


def publish(item: dict[str, Any], bus_name: str) -> bool:
    """Puts the event on the bus unless it was published already; True when this call published it."""
    tenant, event_id = item["tenant"], item["eventId"]
    current = outbox.load(tenant, event_id)
    if current is None or current["deliveryState"] == outbox.PUBLISHED:
        return False
    entry = {"Source": SOURCE, "DetailType": item["topic"], "EventBusName": bus_name,
             "Detail": json.dumps(_detail(current), default=str)}
    try:
        response = clients.client("events").put_events(Entries=[entry])
        if response.get("FailedEntryCount"):
            raise PublishFailed(str(response["Entries"][0].get("ErrorMessage") or response["Entries"][0]))
    except PublishFailed as failed:
        outbox.record_failure(tenant, event_id, str(failed))
        raise
    except (BotoCoreError, ClientError) as failed:
        outbox.record_failure(tenant, event_id, str(failed))
        raise PublishFailed(str(failed)) from failed
    return outbox.mark_published(tenant, event_id)


def _detail(item: dict[str, Any]) -> dict[str, Any]:
    """Per-tenant detail: the tenant is in every event, so bus rules can route one tenant's events."""
    return {name: item[name] for name in ("eventId", "topic", "tenant", "occurredAt", "detail")}

