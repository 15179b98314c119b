"""Tenant connections: the credentials in AWS Secrets Manager, what may be shown in the table.

The secret (``cairn.aws.secrets.secret_name``: ``{prefix}/{tenant}/{provider}``) holds the JSON object
``{"token", "baseUrl", "email"[, "webhookSecret"]}``, the same one intelligence actions read. The
``T#{t}#CONNECTIONS`` / ``{provider}`` item holds what the list shows (provider, baseUrl, updatedAt) and,
for GitHub, the webhook's ``hookId``. The secret is written first and removed first, so the item never
names a connection whose credentials were not stored; secret values are never logged or answered.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from cairn.aws import clients
from cairn.aws.secrets import secret_name
from cairn.aws.table import TransactionCancelled, table
from cairn.core import clock
from cairn.core.errors import NotFound, UpstreamError
from cairn.sources.store import keys
from cairn.sources.store.entities import CONNECTION

_MISSING = "ResourceNotFoundException"


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return CONNECTION.to_wire(item)


def _failed(action: str, provider: str, failed: Exception) -> UpstreamError:
    from botocore.exceptions import ClientError

    code = failed.response.get("Error", {}).get("Code", "error") if isinstance(failed, ClientError) \
        else type(failed).__name__
    return UpstreamError(f"{action} the {provider} connection in Secrets Manager failed: {code}")


def _write_secret(name: str, value: str, provider: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    manager = clients.client("secretsmanager")
    try:
        manager.put_secret_value(SecretId=name, SecretString=value)
    except ClientError as failed:
        if failed.response.get("Error", {}).get("Code") != _MISSING:
            raise _failed("storing", provider, failed) from None
        try:
            manager.create_secret(Name=name, SecretString=value)
        except (BotoCoreError, ClientError) as creating:
            raise _failed("storing", provider, creating) from None
    except BotoCoreError as failed:
        raise _failed("storing", provider, failed) from None


def put(tenant: str, provider: str, credentials: dict[str, str], shown: dict[str, Any]) -> dict[str, Any]:
    """Stores the credentials (replacing any) and the shown item; answers the item."""
    _write_secret(secret_name(tenant, provider), json.dumps(credentials), provider)
    previous = table().get(keys.connections_pk(tenant), provider) or {}
    item = {**{name: value for name, value in previous.items() if name == "hookId"}, **shown,
            "PK": keys.connections_pk(tenant), "SK": provider, "entity": CONNECTION.name, "provider": provider,
            "updatedAt": clock.utc_now()}
    table().put(item)
    return item


def get(tenant: str, provider: str) -> dict[str, Any] | None:
    return table().get(keys.connections_pk(tenant), provider)


def list_all(tenant: str) -> list[dict[str, Any]]:
    return list(table().query_all(keys.connections_pk(tenant)))


def read_secret(tenant: str, provider: str) -> dict[str, Any] | None:
    """The stored credentials, or None when the tenant has no connection for ``provider`` (the webhook's
    check, which must answer 401 rather than name what is missing)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        value = clients.client("secretsmanager").get_secret_value(SecretId=secret_name(tenant, provider))
    except ClientError as failed:
        if failed.response.get("Error", {}).get("Code") == _MISSING:
            return None
        raise _failed("reading", provider, failed) from None
    except BotoCoreError as failed:
        raise _failed("reading", provider, failed) from None
    try:
        parsed = json.loads(value.get("SecretString") or "")
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def delete(tenant: str, provider: str, also: tuple[tuple[str, str], ...] = ()) -> None:
    """Removes the secret (at once, no recovery window: a deleted connection must stop working), then the item
    together with the items ``also`` names (the GitHub hook's lookup item) in one transaction."""
    from botocore.exceptions import BotoCoreError, ClientError

    if get(tenant, provider) is None:
        raise NotFound(f"no {provider} connection is configured", field="provider")
    try:
        clients.client("secretsmanager").delete_secret(SecretId=secret_name(tenant, provider),
                                                       ForceDeleteWithoutRecovery=True)
    except ClientError as failed:
        if failed.response.get("Error", {}).get("Code") != _MISSING:
            raise _failed("deleting", provider, failed) from None
    except BotoCoreError as failed:
        raise _failed("deleting", provider, failed) from None
    db = table()
    # A concurrent delete may have removed the item first: the connection is gone either way.
    with contextlib.suppress(TransactionCancelled):
        db.transact([db.delete_op(keys.connections_pk(tenant), provider, "attribute_exists(PK)"),
                     *(db.delete_op(pk, sk) for pk, sk in also)])
