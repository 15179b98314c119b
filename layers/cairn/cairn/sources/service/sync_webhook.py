"""GitHub webhook deliveries (``POST /api/v1/integrations/github/webhook?hook={hookId}``, docs/sources.md,
"GitHub webhook"): a delivery signed with the tenant's webhook secret starts a sync of that tenant's enabled
GitHub sources of the delivery's repository.

- 404 when webhooks are disabled by configuration (``CAIRN_GITHUB_WEBHOOKS_ENABLED=false``), and for a hook id
  that names no GitHub connection (nothing tells a caller whether a hook exists).
- 401 when ``x-hub-signature-256`` is not ``sha256=`` HMAC-SHA256 of the raw body with the connection's
  ``webhookSecret`` (compared in constant time), or the connection has no webhook secret.
- A repeated ``x-github-delivery`` is acknowledged and ignored.
The tenant comes from the hook id alone, and the signature proves the sender knows that tenant's secret: no
delivery can start another tenant's sync.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from cairn.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from cairn.core.settings import get_settings
from cairn.sources.service.sync import start
from cairn.sources.service.sync_webhook_store import first_delivery, hook_id_of, tenant_of
from cairn.sources.store import connections, sources

WEBHOOK_PATH = "/api/v1/integrations/github/webhook"


def webhook_url(tenant: str, api_base_url: str) -> str | None:
    """The URL to paste into GitHub for the tenant's GitHub connection (None without one)."""
    hook_id = hook_id_of(tenant)
    return f"{api_base_url.rstrip('/')}{WEBHOOK_PATH}?hook={hook_id}" if hook_id else None


def signature_of(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def receive(hook_id: str, body: bytes, *, signature: str | None, delivery_id: str | None,
            event: str | None) -> dict[str, Any]:
    if not get_settings().github_webhooks_enabled:
        raise NotFound("GitHub webhooks are disabled in this deployment", field="hook")
    tenant = tenant_of(hook_id) if hook_id else None
    credentials = connections.read_secret(tenant, "github") if tenant else None
    if tenant is None or credentials is None:
        raise NotFound("no GitHub connection has this hook id", field="hook")
    secret = str(credentials.get("webhookSecret") or "")
    if not secret:
        raise Unauthenticated("the GitHub connection has no webhookSecret: set one with PUT "
                              "/api/v1/memory/connections/github", field="x-hub-signature-256")
    if not hmac.compare_digest(signature_of(secret, body), signature or ""):
        raise Unauthenticated("x-hub-signature-256 does not match the body signed with the webhook secret",
                              field="x-hub-signature-256")
    if delivery_id and not first_delivery(tenant, delivery_id):
        return {"delivery": delivery_id, "duplicate": True, "started": []}
    if event == "ping":
        return {"delivery": delivery_id, "duplicate": False, "started": []}
    repository = _repository(body)
    started = []
    for source in sources.list_all(tenant):
        if source.get("sourceType") != "github" or not source.get("enabled") or \
                str((source.get("config") or {}).get("repository", "")).lower() != repository.lower():
            continue
        try:
            _, began = start(tenant, source["sourceId"])
        except (Conflict, NotFound):
            continue  # disabled or deleted meanwhile
        if began:
            started.append(source["sourceId"])
    return {"delivery": delivery_id, "duplicate": False, "started": started}


def _repository(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except ValueError as bad:
        raise InvalidInput("the delivery's body must be JSON (content type application/json)", field="body") \
            from bad
    name = ((payload or {}).get("repository") or {}).get("full_name") if isinstance(payload, dict) else None
    if not isinstance(name, str) or not name:
        raise InvalidInput("the delivery names no repository.full_name", field="repository")
    return name
