"""The GitHub webhook's items (docs/key-design.md, "External sources"): the hook id that names a tenant's
GitHub connection in the webhook URL, and the deliveries already handled.

- hook: ``GITHUBHOOK#{hookId}`` / ``HOOK`` -> ``tenantId``. The only way from a URL without a bearer token to
  a tenant: the id is 128 random bits, and a request must still be signed with that tenant's webhook secret.
- delivery: ``T#{t}#GITHUBDELIVERY`` / ``{deliveryId}``, put once (``attribute_not_exists``), expiring after
  ``DELIVERY_TTL`` (GitHub redelivers only on request, within days).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, TransactionCancelled, table
from cairn.core import clock
from cairn.sources.store import keys

HOOK = declare(Entity("github-hook", "GITHUBHOOK#{hookId}", "HOOK"))
DELIVERY = declare(Entity("github-delivery", "T#{t}#GITHUBDELIVERY", "{deliveryId}"))
HOOK_SK = "HOOK"
DELIVERY_TTL = timedelta(days=7)


def hook_pk(hook_id: str) -> str:
    return f"GITHUBHOOK#{escape(hook_id)}"


def hook_id_of(tenant: str) -> str | None:
    """The hook id of the tenant's GitHub connection, made on first use; None without a GitHub connection."""
    db = table()
    connection = db.get(keys.connections_pk(tenant), "github")
    if connection is None:
        return None
    if connection.get("hookId"):
        return str(connection["hookId"])
    hook_id = secrets.token_hex(16)
    try:
        db.transact([
            db.put_op({"PK": hook_pk(hook_id), "SK": HOOK_SK, "entity": HOOK.name, "hookId": hook_id,
                       "tenantId": tenant, "createdAt": clock.utc_now()}, "attribute_not_exists(PK)"),
            db.update_op(keys.connections_pk(tenant), "github", "SET hookId = :hook", values={":hook": hook_id},
                         condition="attribute_exists(PK) AND attribute_not_exists(hookId)"),
        ])
    except TransactionCancelled:
        again = db.get(keys.connections_pk(tenant), "github")  # made by a concurrent call, or deleted meanwhile
        return str(again["hookId"]) if again and again.get("hookId") else None
    return hook_id


def tenant_of(hook_id: str) -> str | None:
    item = table().get(hook_pk(hook_id), HOOK_SK)
    return str(item["tenantId"]) if item else None


def first_delivery(tenant: str, delivery_id: str) -> bool:
    """Records the delivery; False when it was handled already."""
    now = clock.now()
    item: dict[str, Any] = {"PK": f"T#{escape(tenant)}#GITHUBDELIVERY", "SK": escape(delivery_id),
                            "entity": DELIVERY.name, "receivedAt": clock.timestamp(now),
                            "expiresAt": int((now + DELIVERY_TTL).timestamp())}
    try:
        table().put(item, condition="attribute_not_exists(PK)")
    except ConditionFailed:
        return False
    return True
