"""Webhook deliveries (docs/platform.md, "Deliveries"): each event on the bus becomes one delivery per enabled
subscription of its tenant to its topic, and each delivery is attempted by one execution of the
``webhook-delivery`` state machine: attempt, then (on a timeout, a connection error or a non-2xx answer) wait
the backoff (``cairn.platform.domain.backoff``) and attempt again, for 24 hours.

Each attempt POSTs the event's exact bytes, signed (``x-cairn-signature``, ``cairn.platform.domain.signatures``)
under the subscription's secret, with ``x-cairn-delivery`` (the same on every attempt), through the SSRF-guarded
client. A subscription whose deliveries have failed for 24 hours without one success is disabled with a reason;
its open deliveries are then cancelled at their next attempt.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timedelta
from typing import Any, Final

from cairn.aws import clients, secrets
from cairn.core.clock import now, timestamp
from cairn.core.errors import CairnError
from cairn.core.settings import get_settings, require
from cairn.integrations import remote, ssrf
from cairn.platform.domain import backoff
from cairn.platform.domain.signatures import signature_header
from cairn.platform.service.webhooks import secret_name
from cairn.platform.store import webhooks as store

SERVICE: Final = "the webhook receiver"
USER_AGENT: Final = "Cairn-Webhooks/1"


def delivery_id(subscription_id: str, event_id: str) -> str:
    """One id per (subscription, event): an event the bus hands over twice is delivered once."""
    return "dlv-" + hashlib.sha256(f"{subscription_id}\n{event_id}".encode()).hexdigest()[:32]


def fan_out(event: dict[str, Any]) -> int:
    """Records and starts the deliveries of one bus event (its ``detail`` is the outbox event); how many."""
    detail = event["detail"]
    tenant, topic = detail["tenant"], detail["topic"]
    body = json.dumps(detail, separators=(",", ":"), sort_keys=True)
    started = 0
    for subscription in store.subscriptions(tenant):
        if not subscription["enabled"] or topic not in subscription["topics"]:
            continue
        subscription_id = subscription["subscriptionId"]
        delivery = delivery_id(subscription_id, detail["eventId"])
        store.create_delivery(tenant, subscription_id, delivery, detail, body, timestamp(now()))
        _start(tenant, subscription_id, delivery)
        started += 1
    return started


def _start(tenant: str, subscription_id: str, delivery: str, name: str | None = None) -> None:
    """The delivery's execution, named after it (a second start of the same delivery is refused: fine)."""
    settings = get_settings()
    require(settings, ("webhook_delivery_state_machine_arn",))
    sfn = clients.stepfunctions()
    try:
        sfn.start_execution(stateMachineArn=settings.webhook_delivery_state_machine_arn, name=name or delivery,
                            input=json.dumps({"tenant": tenant, "subscriptionId": subscription_id,
                                              "deliveryId": delivery}))
    except sfn.exceptions.ExecutionAlreadyExists:
        return


def resume(tenant: str, subscription_id: str, delivery: str) -> None:
    """Starts an open delivery's attempts again under a new execution name: for the local stack, whose executions
    do not outlive a restart (in AWS they outlive everything and nothing needs resuming). Its next attempt comes
    at once; an attempt of a settled delivery does nothing, so a resumed one is never delivered twice."""
    _start(tenant, subscription_id, delivery, name=f"{delivery}-resumed-{int(time.time())}")


def attempt(tenant: str, subscription_id: str, delivery: str) -> dict[str, Any]:
    """One attempt of an open delivery: ``{"done": True}``, or ``{"done": False, "waitSeconds": n}`` before the
    next (the backoff, scaled by ``CAIRN_WEBHOOK_RETRY_SCALE``)."""
    current = store.delivery(tenant, subscription_id, delivery)
    if current is None or current["status"] not in store.OPEN:
        return {"done": True}
    subscription = store.subscription(tenant, subscription_id)
    if subscription is None or not subscription["enabled"]:
        reason = "the subscription was deleted" if subscription is None else \
            f"the subscription is disabled: {subscription.get('disabledReason')}"
        store.cancel(tenant, subscription_id, delivery, reason)
        return {"done": True}
    moment = now()
    entry = {"attempt": int(current["attempts"]) + 1, "at": timestamp(moment),
             **_post(tenant, subscription, delivery, current["body"].encode(), moment)}
    if entry["error"] is None:
        store.record_delivered(tenant, subscription_id, delivery, entry)
        store.mark_recovered(tenant, subscription_id)
        return {"done": True}
    delay = backoff.next_delay(entry["attempt"], (moment - _parsed(current["createdAt"])).total_seconds())
    next_at = None if delay is None else timestamp(moment + timedelta(seconds=delay))
    store.record_failed(tenant, subscription_id, delivery, entry, next_at)
    _disable_after_a_day_of_failures(tenant, subscription_id, moment, entry["error"])
    if delay is None:
        return {"done": True}
    return {"done": False, "waitSeconds": backoff.scaled(delay, get_settings().webhook_retry_scale)}


def _post(tenant: str, subscription: dict[str, Any], delivery: str, body: bytes,
          moment: datetime) -> dict[str, Any]:
    """The attempt's outcome: ``responseCode`` (None when nothing answered), ``error`` (None: delivered)."""
    started = time.monotonic()
    try:
        url = ssrf.check_url(subscription["url"], field="url")  # again: the rules may be stricter than at creation
        secret = secrets.plain(secret_name(tenant, subscription["subscriptionId"]))
        headers = {"x-cairn-signature": signature_header(secret, body, int(moment.timestamp())),
                   "x-cairn-delivery": delivery, "User-Agent": USER_AGENT}
        reply = remote.post(url, body, headers, timeout=get_settings().webhook_timeout_seconds, service=SERVICE)
    except CairnError as failed:
        return {"responseCode": None, "error": failed.message, "durationMs": _since(started)}
    error = None if 200 <= reply.status < 300 else f"{SERVICE} answered HTTP {reply.status}"
    return {"responseCode": reply.status, "error": error, "durationMs": _since(started)}


def _disable_after_a_day_of_failures(tenant: str, subscription_id: str, moment: datetime, error: str) -> None:
    since = store.mark_failing(tenant, subscription_id, timestamp(moment))
    if since is not None and (moment - _parsed(since)).total_seconds() >= backoff.WINDOW_SECONDS:
        store.disable(tenant, subscription_id, f"every delivery failed for 24 hours (since {since}; last: {error})",
                      timestamp(moment))


def _parsed(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
