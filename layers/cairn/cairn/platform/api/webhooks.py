"""Webhook subscriptions (docs/platform.md, "Webhook subscriptions"): POST/GET/DELETE
/api/v1/webhook-subscriptions[/{id}] and each one's delivery log, GET .../{id}/deliveries (list conventions)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field, field_validator

from cairn.http.auth import Principal, require_platform_reader, require_webhook_admin
from cairn.http.body import JSONRoute
from cairn.http.error_bodies import ErrorBody
from cairn.http.fields import RequestModel
from cairn.platform.api.conventions import IdempotencyRequired, ListEnvelope, ListQuery, envelope, list_query
from cairn.platform.api.events import Topic
from cairn.platform.service import webhooks

router = APIRouter(route_class=JSONRoute, prefix="/api/v1/webhook-subscriptions")
Admin = Annotated[Principal, Depends(require_webhook_admin)]
Reader = Annotated[Principal, Depends(require_platform_reader)]
SubscriptionId = Annotated[str, Path(min_length=1, max_length=128)]
SUBSCRIPTION_SORT = ("createdAt", "url", "enabled")
DELIVERY_SORT = ("createdAt", "status", "attempts", "lastAttemptAt", "nextAttemptAt", "responseCode")
DeliveryStatus = Literal["pending", "failing", "delivered", "exhausted", "cancelled"]


class SubscriptionRequest(RequestModel):
    url: str = Field(min_length=1, max_length=2048, description="https URL of a public host (SSRF rules)")
    topics: list[Topic] = Field(min_length=1, max_length=20, description="Topics delivered (the outbox's)")
    secret: str = Field(min_length=16, max_length=256, repr=False,
                        description="Signing secret (write-only: never answered)")

    @field_validator("topics")
    @classmethod
    def _distinct(cls, topics: list[str]) -> list[str]:
        if len(set(topics)) != len(topics):
            raise ValueError("topics must not repeat a topic")
        return topics


class Subscription(BaseModel):
    id: str
    subscriptionId: str  # the wire's name
    url: str
    topics: list[str]
    enabled: bool
    createdAt: str
    failingSince: str | None  # every delivery has failed since then (null: the last one succeeded)
    disabledAt: str | None
    disabledReason: str | None


class DeletedSubscription(Subscription):
    deleted: bool


class Attempt(BaseModel):
    attempt: int
    at: str
    responseCode: int | None  # null: nothing answered (timeout, connection refused)
    error: str | None
    durationMs: int


class Delivery(BaseModel):
    id: str
    deliveryId: str
    subscriptionId: str
    eventId: str
    topic: str
    status: DeliveryStatus
    attempts: int
    responseCode: int | None  # the last attempt's
    lastError: str | None
    createdAt: str
    lastAttemptAt: str | None
    nextAttemptAt: str | None
    deliveredAt: str | None
    failedAt: str | None
    attemptLog: list[Attempt]


_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "not_found: no such subscription in the caller's tenant"}}


@router.post("", responses={400: {"model": ErrorBody, "description": "invalid_input naming url, topics, "
                                                                         "secret or Idempotency-Key"}})
def create_subscription(principal: Admin, body: SubscriptionRequest, once: IdempotencyRequired) -> Subscription:
    """Subscribes ``url`` to ``topics``; every delivery is signed with ``secret`` (docs/platform.md)."""
    return Subscription.model_validate(
        once(body, lambda: webhooks.create(principal.tenant, body.url, list(body.topics), body.secret)))


@router.get("")
def list_subscriptions(
    principal: Reader,
    query: Annotated[ListQuery, Depends(list_query(SUBSCRIPTION_SORT, "createdAt"))],
) -> ListEnvelope[Subscription]:
    page, total = query.page_of(webhooks.listed(principal.tenant))
    return envelope([Subscription.model_validate(item) for item in page], total, query, {})


@router.get("/{id}", responses=_NOT_FOUND)
def get_subscription(principal: Reader, id: SubscriptionId) -> Subscription:
    return Subscription.model_validate(webhooks.get(principal.tenant, id))


@router.delete("/{id}", responses=_NOT_FOUND)
def delete_subscription(principal: Admin, id: SubscriptionId, once: IdempotencyRequired) -> DeletedSubscription:
    """Deletes the subscription and its secret; deliveries still being retried are cancelled."""
    return DeletedSubscription.model_validate(once(None, lambda: webhooks.delete(principal.tenant, id)))


@router.get("/{id}/deliveries", responses=_NOT_FOUND)
def list_deliveries(
    principal: Reader,
    id: SubscriptionId,
    query: Annotated[ListQuery, Depends(list_query(DELIVERY_SORT, "createdAt"))],
    status: Annotated[DeliveryStatus | None, Query()] = None,
) -> ListEnvelope[Delivery]:
    page, total = webhooks.deliveries(principal.tenant, id, query, status)
    return envelope([Delivery.model_validate(item) for item in page], total, query, {"status": status})
