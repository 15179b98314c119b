"""``POST /api/v1/webhooks/workflow-completed`` (docs/platform.md, "Remote completion"): a remote executor reports
that the work of a workflow execution (a task run in ``processing_remote``) is done.

- Authentication is the signature, not a token: when a secret is configured (Secrets Manager in AWS, always; the
  environment locally), ``x-agentfield-signature`` must be the hex HMAC-SHA256 of the raw body under it (401
  otherwise) and ``x-agentfield-delivery`` is required (400). Without a configured secret both are optional.
- A delivery id seen before is acknowledged (200, ``duplicate: true``) and changes nothing: its marker is a
  conditional put. A delivery whose processing fails is forgotten again, so the executor's retry is processed.
- The body names the tenant (``workspaceId``) and the execution; the signature vouches for both.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from cairn.aws import workflows
from cairn.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from cairn.core.settings import get_settings
from cairn.platform.store import callbacks
from cairn.tasks.service import run_records

SIGNATURE_HEADER = "x-agentfield-signature"
DELIVERY_HEADER = "x-agentfield-delivery"
MAX_OUTPUT_CHARS = 1_000_000


class Completion(BaseModel):
    """The callback's body."""

    workspaceId: str = Field(min_length=1, max_length=128)  # noqa: N815 - the wire's name
    executionId: str = Field(min_length=1, max_length=128)  # noqa: N815
    status: Literal["succeeded", "failed"]
    output: str | None = Field(default=None, max_length=MAX_OUTPUT_CHARS)
    outputTokens: int = Field(default=0, ge=0)  # noqa: N815
    failureMessage: str | None = Field(default=None, max_length=1000)  # noqa: N815


def signature_of(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def receive(body: bytes, *, signature: str | None, delivery_id: str | None) -> dict[str, Any]:
    secret = _secret()
    if secret:
        offered = (signature or "").removeprefix("sha256=")
        if not offered:
            raise Unauthenticated(f"{SIGNATURE_HEADER} is required", field=SIGNATURE_HEADER)
        if not hmac.compare_digest(signature_of(secret, body), offered):
            raise Unauthenticated(f"{SIGNATURE_HEADER} does not match the body signed with the callback secret",
                                  field=SIGNATURE_HEADER)
        if not delivery_id:
            raise InvalidInput(f"{DELIVERY_HEADER} is required", field=DELIVERY_HEADER)
    completion = _parse(body)
    tenant, execution_id = completion.workspaceId, completion.executionId
    if delivery_id and not callbacks.first_delivery(tenant, delivery_id, execution_id):
        return {"delivery": delivery_id, "duplicate": True, "executionId": execution_id, "status": None}
    try:
        status = _settle(tenant, execution_id, completion)
    except Exception:  # not processed: the executor's next attempt of this delivery must be
        if delivery_id:
            callbacks.forget_delivery(tenant, delivery_id)
        raise
    return {"delivery": delivery_id, "duplicate": False, "executionId": execution_id, "status": status}


def _settle(tenant: str, execution_id: str, completion: Completion) -> str:
    """Settles the run and then the record; the execution is stopped last (its status-change event then finds
    the record settled), so the machine's own steps cannot overwrite what the executor reported."""
    record = workflows.get(tenant, execution_id)
    if record is None:
        raise NotFound(f"workflow execution '{execution_id}' not found", field="executionId")
    if record["kind"] != "task_run":
        raise Conflict(f"a {record['kind']} execution has no remote executor", field="executionId")
    if record["status"] not in workflows.OPEN:
        raise Conflict(f"workflow execution '{execution_id}' is {record['status']} already", field="executionId")
    failed = completion.status == "failed"
    run_records.complete_remote(
        tenant, record["resource"]["runId"], execution_id, output=completion.output,
        output_tokens=completion.outputTokens,
        error=(completion.failureMessage or "the remote executor reported a failure") if failed else None)
    workflows.stop(record, "completed by the remote executor")
    settled = workflows.get(tenant, execution_id)
    return str((settled or record)["status"])


def _parse(body: bytes) -> Completion:
    try:
        return Completion.model_validate_json(body or b"{}")
    except ValidationError as invalid:
        problem = invalid.errors()[0]
        field = ".".join(str(part) for part in problem["loc"]) or "body"
        raise InvalidInput(f"{field}: {problem['msg']}", field=field) from None


def _secret() -> str:
    settings = get_settings()
    if settings.workflow_callback_secret:
        return settings.workflow_callback_secret
    if settings.workflow_callback_secret_name:
        return _stored_secret(settings.workflow_callback_secret_name)
    return ""


@lru_cache(maxsize=2)
def _stored_secret(name: str) -> str:
    """Read once per container: the secret changes by a deployment (or a rotation, which restarts nothing: a
    rotated secret reaches a warm container when it is recycled)."""
    from cairn.aws import secrets

    return secrets.plain(name)
