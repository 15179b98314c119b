"""Webhook subscriptions of a tenant (docs/platform.md, "Webhook subscriptions"): created with an SSRF-checked URL,
known topics and a write-only secret, listed, read and deleted; and each one's delivery log.

The secret lives in Secrets Manager as ``{prefix}/{tenant}/webhook-{subscriptionId}`` (``cairn.aws.secrets``),
never in the table, never answered and never logged. It is stored before the subscription item and deleted
before it, so an item always has its secret while it exists (a crash between leaves, at worst, a secret no item
names, or an item whose deliveries fail and are logged as such).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from cairn.aws import listing, secrets
from cairn.aws.listing import ListQuery
from cairn.aws.table import Filter
from cairn.core.clock import utc_now
from cairn.core.errors import Conflict, NotFound
from cairn.core.ids import new_id
from cairn.integrations import ssrf
from cairn.platform.store import webhooks as store


def secret_name(tenant: str, subscription_id: str) -> str:
    return secrets.secret_name(tenant, f"webhook-{subscription_id}")


# Each event is fanned out to every subscription of its tenant (one Query, one execution each): bounded.
MAX_SUBSCRIPTIONS: Final = 25


def create(tenant: str, url: str, topics: list[str], secret: str) -> dict[str, Any]:
    """Conflict once the tenant holds MAX_SUBSCRIPTIONS (counted in the subscription's own transaction, so
    concurrent creates cannot pass it)."""
    checked = ssrf.check_url(url, field="url")
    subscription_id = new_id("whs")
    secrets.create(secret_name(tenant, subscription_id), secret)
    item = store.put_subscription(tenant, subscription_id, checked, topics, utc_now(), MAX_SUBSCRIPTIONS)
    if item is None:
        secrets.delete(secret_name(tenant, subscription_id))
        raise Conflict(f"a tenant holds at most {MAX_SUBSCRIPTIONS} webhook subscriptions: delete one first")
    return store.subscription_to_wire(item)


def listed(tenant: str) -> list[dict[str, Any]]:
    return [store.subscription_to_wire(item) for item in store.subscriptions(tenant)]


def get(tenant: str, subscription_id: str) -> dict[str, Any]:
    return store.subscription_to_wire(_found(tenant, subscription_id))


def delete(tenant: str, subscription_id: str) -> dict[str, Any]:
    """Deletes the subscription and its secret; its open deliveries are cancelled at their next attempt."""
    found = _found(tenant, subscription_id)
    secrets.delete(secret_name(tenant, subscription_id))
    store.delete_subscription(tenant, subscription_id)
    return {**store.subscription_to_wire(found), "deleted": True}


def deliveries(tenant: str, subscription_id: str, query: ListQuery,
               status: str | None) -> tuple[list[Mapping[str, Any]], int]:
    """A page of the subscription's delivery log, read from its index (``cairn.aws.listing``: newest or oldest
    first reads the page alone)."""
    _found(tenant, subscription_id)
    partition = listing.Partition(store.deliveries_index_pk(tenant, subscription_id), "GSI1", "createdAt")
    return listing.page(partition, query, store.delivery_to_wire, Filter.equal(status=status))


def _found(tenant: str, subscription_id: str) -> dict[str, Any]:
    item = store.subscription(tenant, subscription_id)
    if item is None:
        raise NotFound(f"webhook subscription '{subscription_id}' not found", field="id")
    return item
