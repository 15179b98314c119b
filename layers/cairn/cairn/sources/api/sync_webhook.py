"""POST /api/v1/integrations/github/webhook?hook={hookId}: GitHub deliveries, authenticated by their signature
instead of a bearer token (cairn.sources.service.sync_webhook)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from cairn.http.body import JSONRoute
from cairn.http.error_bodies import ErrorBody
from cairn.sources.service import sync_webhook

router = APIRouter(prefix="/api/v1/integrations/github", route_class=JSONRoute)


class WebhookAnswer(BaseModel):
    delivery: str | None
    duplicate: bool  # the delivery id was handled before: nothing started
    started: list[str]  # the sources whose sync this delivery started


@router.post("/webhook", response_model=WebhookAnswer, responses={
    401: {"model": ErrorBody, "description": "unauthenticated: x-hub-signature-256 is missing or is not the body "
                                             "signed with the connection's webhookSecret"},
    404: {"model": ErrorBody, "description": "not_found: no GitHub connection has this hook id, or webhooks are "
                                             "turned off in this deployment"},
})
async def github_webhook(
    request: Request,
    hook: Annotated[str, Query(max_length=64, description="the hook id of the tenant's GitHub connection")] = "",
    signature: Annotated[str | None, Header(alias="x-hub-signature-256")] = None,
    delivery: Annotated[str | None, Header(alias="x-github-delivery", max_length=128)] = None,
    event: Annotated[str | None, Header(alias="x-github-event", max_length=64)] = None,
) -> dict[str, object]:
    body = await request.body()
    return await run_in_threadpool(sync_webhook.receive, hook, body, signature=signature, delivery_id=delivery,
                                   event=event)
