"""events/webhook_delivery.json (an event on Cairn's bus) through WebhookDeliveryFunction's real handler, and the
state machine's attempt step for a delivery that is not open: nothing is delivered, nothing is started."""

from __future__ import annotations

import json
from typing import Any

from cairn_local import ROOT, handlers


def _sample() -> dict[str, Any]:
    return json.loads((ROOT / "events" / "webhook_delivery.json").read_text())


def test_an_event_of_a_tenant_without_subscriptions_starts_no_delivery(aws: dict[str, str], tenant: str) -> None:
    event = _sample()
    event["detail"]["tenant"] = tenant
    assert handlers.invoke("WebhookDeliveryFunction", event) == {"deliveries": 0}


def test_the_attempt_step_of_an_unknown_delivery_is_done(aws: dict[str, str], tenant: str) -> None:
    delivery = {"tenant": tenant, "subscriptionId": "whs-none", "deliveryId": "dlv-none"}
    assert handlers.invoke("WebhookDeliveryFunction", {"step": "attempt", "delivery": delivery}) == {
        **delivery, "done": True}
