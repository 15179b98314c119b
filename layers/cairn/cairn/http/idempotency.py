"""Idempotency-Key on mutating routes, with Powertools idempotency on the single table.

The record key is the tenant's idempotency partition plus a hash of (method, path, key), so
keys are scoped per tenant and per route. The request payload is validated: the same key with
a different body is rejected with 422. Failed requests leave no record and may be retried.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, cast

from fastapi import Depends, Request, Response
from pydantic import BaseModel

from cairn.aws import clients
from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.core.errors import Conflict, IdempotencyMismatch, InvalidInput
from cairn.core.settings import get_settings
from cairn.http.auth import Principal, require_writer

HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
_KEY_MAX = 255


# Powertools writes these items (its own attribute names); the declaration states their keys for key-design.md.
IDEMPOTENCY_RECORD = declare(Entity("idempotency-record", pk="T#{t}#IDEMPOTENCY", sk="hash of route + key"))


def idempotency_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#IDEMPOTENCY"


@lru_cache(maxsize=1)
def _persistence_class() -> type:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

    class CompactPersistenceLayer(DynamoDBPersistenceLayer):
        """Saves the replayed response as UTF-8 JSON. Powertools writes it ASCII-escaped, where a
        4-byte character takes 12 bytes: a large milestone's record then passes DynamoDB's 400 KB
        item limit, and the request fails (500) after its write with the key stuck in progress."""

        def _update_record(self, data_record: DataRecord) -> None:
            if data_record.response_data:
                data_record.response_data = json.dumps(json.loads(data_record.response_data),
                                                       ensure_ascii=False, separators=(",", ":"))
            super()._update_record(data_record)

    return CompactPersistenceLayer


def _persistence(tenant: str) -> Any:
    return _persistence_class()(
        table_name=get_settings().table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=idempotency_pk(tenant),
        expiry_attr="expiresAt",
        in_progress_expiry_attr="inProgressExpiresAt",
        boto3_client=clients.dynamodb(),
    )


def check_key(key: str) -> str:
    if not 1 <= len(key) <= _KEY_MAX:
        raise InvalidInput(f"Idempotency-Key must be 1-{_KEY_MAX} characters", field="Idempotency-Key")
    return key


def run_once(tenant: str, route: str, key: str, payload: Any, action: Callable[[], Any], *,
             expires_after_seconds: int | None = None, lambda_context: Any = None,
             on_replay: Callable[[], None] | None = None) -> Any:
    """``action()``'s answer, run at most once per (tenant, ``route``, ``key``) while the record lives (the settings'
    TTL unless ``expires_after_seconds``): a repeat gets the first answer back (``on_replay`` is called), the same
    key with another ``payload`` is ``IdempotencyMismatch``, a repeat while the first still runs is ``Conflict``.
    A failed action leaves no record: it may be retried. The answer must be JSON."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

    def replayed(response: Any, idempotent_data: DataRecord) -> Any:  # Powertools' hook signature
        if on_replay is not None:
            on_replay()
        return response

    config = IdempotencyConfig(
        event_key_jmespath="[route, key]",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=expires_after_seconds or get_settings().idempotency_ttl_seconds,
        use_local_cache=False,
        response_hook=replayed,
    )
    # Under Lambda an in-progress record then expires with the invocation, so a request killed by a timeout does
    # not block its key for a day.
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)

    def execute(request: dict[str, Any]) -> Any:
        return action()

    # Powertools' decorator is untyped: applied as a call, it keeps execute's signature.
    once = cast(Callable[..., Any], idempotent_function(
        execute, data_keyword_argument="request", persistence_store=_persistence(tenant), config=config))
    try:
        return once(request={"route": route, "key": key, "payload": payload})
    except IdempotencyValidationError as mismatch:
        raise IdempotencyMismatch(
            "this Idempotency-Key was already used with a different request body", field="Idempotency-Key"
        ) from mismatch
    except IdempotencyAlreadyInProgressError as in_progress:
        raise Conflict("a request with this Idempotency-Key is still in progress",
                       field="Idempotency-Key") from in_progress


class Once:
    """A FastAPI dependency: ``once(payload, action)`` runs ``action`` at most once per key."""

    def __init__(self, request: Request, response: Response,
                 principal: Annotated[Principal, Depends(require_writer)]) -> None:
        self.request = request
        self.response = response
        self.principal = principal

    @property
    def tenant(self) -> str:
        return self.principal.tenant

    def __call__(self, payload: BaseModel | dict[str, Any] | None, action: Callable[[], Any]) -> Any:
        key = self.request.headers.get(HEADER)
        if key is None:
            return action()
        return self._run_once(check_key(key), payload, action)

    def _run_once(self, key: str, payload: BaseModel | dict[str, Any] | None, action: Callable[[], Any]) -> Any:
        def execute() -> dict[str, Any]:
            # Headers the action sets (x-cairn-deduplicated) are part of its answer: kept for replays.
            before = dict(self.response.headers)
            body = action()
            headers = {name: value for name, value in self.response.headers.items() if before.get(name) != value}
            return {"body": body, "headers": headers}

        def mark_replayed() -> None:
            self.response.headers[REPLAYED_HEADER] = "true"

        answer = run_once(self.tenant, f"{self.request.method} {self.request.url.path}", key,
                          payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload, execute,
                          lambda_context=self.request.scope.get("aws.context"), on_replay=mark_replayed)
        self.response.headers.update(answer["headers"])
        return answer["body"]


Idempotent = Annotated[Once, Depends(Once)]
