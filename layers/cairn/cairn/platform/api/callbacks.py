"""POST /api/v1/webhooks/workflow-completed: a remote executor's completion report, authenticated by its
signature instead of a bearer token (cairn.platform.service.callbacks)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from cairn.http.body import JSONRoute
from cairn.http.error_bodies import ErrorBody
from cairn.platform.service import callbacks

router = APIRouter(prefix="/api/v1/webhooks", route_class=JSONRoute)


class CompletionAnswer(BaseModel):
    delivery: str | None
    duplicate: bool  # the delivery id was processed before: nothing settled again
    executionId: str
    status: str | None  # the execution's status after this delivery (null for a duplicate)


@router.post("/workflow-completed", response_model=CompletionAnswer, openapi_extra={
    "requestBody": {"required": True, "content": {"application/json": {
        "schema": callbacks.Completion.model_json_schema()}}},
}, responses={
    400: {"model": ErrorBody, "description": "invalid_input: a field of the body, or x-agentfield-delivery "
                                             "missing while a secret is configured"},
    401: {"model": ErrorBody, "description": "unauthenticated: x-agentfield-signature is missing or is not the "
                                             "body signed with the callback secret"},
    404: {"model": ErrorBody, "description": "not_found: no such workflow execution in that workspace"},
    409: {"model": ErrorBody, "description": "conflict: the execution is settled, is not a task run, or its run "
                                             "is not processing_remote"},
})
async def workflow_completed(
    request: Request,
    signature: Annotated[str | None, Header(alias="x-agentfield-signature", max_length=200)] = None,
    delivery: Annotated[str | None, Header(alias="x-agentfield-delivery", max_length=128)] = None,
) -> dict[str, object]:
    body = await request.body()
    return await run_in_threadpool(callbacks.receive, body, signature=signature, delivery_id=delivery)
