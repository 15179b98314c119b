"""Worker: webhook deliveries (docs/platform.md, "Deliveries"). Two callers: the EventBridge rule on Cairn's bus
(an event: record and start one delivery per subscription) and the webhook-delivery state machine
(``{"step": "attempt", "delivery": {...}}``: one attempt, answering whether and when to attempt again)."""

from typing import Any

from cairn.core.observability import count, instrumented, logger
from cairn.core.settings import get_settings
from cairn.platform.service.deliveries import attempt, fan_out

get_settings()  # at cold start: a missing resource name fails here, named (cairn.core.settings)


@instrumented("worker", "webhook-delivery")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("step") == "attempt":
        delivery = event["delivery"]
        outcome = attempt(delivery["tenant"], delivery["subscriptionId"], delivery["deliveryId"])
        count("WebhookAttempts", 1)
        return {"tenant": delivery["tenant"], "subscriptionId": delivery["subscriptionId"],
                "deliveryId": delivery["deliveryId"], **outcome}
    started = fan_out(event)
    count("WebhookDeliveriesStarted", started)
    logger().info("webhook fan-out", topic=event.get("detail-type"), deliveries=started)
    return {"deliveries": started}
