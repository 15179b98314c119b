"""Tenant connections (docs/sources.md, "Connections"): the credentials sources and intelligence actions use.

Every base URL passes the SSRF guard when stored and again when used (``cairn.integrations.ssrf``).
"""

from __future__ import annotations

from typing import Any

from cairn.aws import secrets
from cairn.core.errors import InvalidInput
from cairn.integrations import ssrf
from cairn.sources.domain.sources import PROVIDERS
from cairn.sources.service import sync_webhook, sync_webhook_store
from cairn.sources.store import connections

# Where a provider's API is when the connection names no baseUrl; Atlassian sites have no default.
DEFAULT_BASE_URLS = {"slack": "https://slack.com/api", "github": "https://api.github.com"}
NEEDS_EMAIL = frozenset({"jira", "confluence"})


def check_provider(provider: str) -> str:
    if provider not in PROVIDERS:
        raise InvalidInput(f"provider must be one of {', '.join(PROVIDERS)}", field="provider")
    return provider


def to_wire(tenant: str, item: dict[str, Any], api_base_url: str) -> dict[str, Any]:
    """The connection as answered: a GitHub one also shows ``webhookUrl``, the URL to paste into GitHub."""
    wire = connections.to_wire(item)
    if item["provider"] == "github":
        wire["webhookUrl"] = sync_webhook.webhook_url(tenant, api_base_url)
    return wire


def put(tenant: str, provider: str, *, token: str, base_url: str | None, email: str | None,
        webhook_secret: str | None, api_base_url: str) -> dict[str, Any]:
    check_provider(provider)
    url = base_url or DEFAULT_BASE_URLS.get(provider)
    if url is None:
        raise InvalidInput(f"baseUrl is required for {provider} (your site, such as https://yourorg.atlassian.net)",
                           field="baseUrl")
    url = ssrf.check_url(url, field="baseUrl")
    if provider in NEEDS_EMAIL and not email:
        raise InvalidInput(f"email is required for {provider} (Atlassian basic auth: the account's email and API "
                           "token)", field="email")
    if webhook_secret is not None and provider != "github":
        raise InvalidInput("webhookSecret is only for github connections", field="webhookSecret")
    if webhook_secret is None and provider == "github":  # a new token keeps the webhook working
        webhook_secret = (connections.read_secret(tenant, provider) or {}).get("webhookSecret")
    credentials = {"token": token, "baseUrl": url, **({"email": email} if email else {}),
                   **({"webhookSecret": webhook_secret} if webhook_secret else {})}
    return to_wire(tenant, connections.put(tenant, provider, credentials, {"baseUrl": url}), api_base_url)


def list_all(tenant: str, api_base_url: str) -> list[dict[str, Any]]:
    return [to_wire(tenant, item, api_base_url) for item in connections.list_all(tenant)]


def get_item(tenant: str, provider: str) -> dict[str, Any] | None:
    """The connection's shown item (with ``hookId`` for GitHub), None when not configured."""
    return connections.get(tenant, check_provider(provider))


def delete(tenant: str, provider: str) -> None:
    """Deletes the connection; a GitHub one's webhook URL stops working with it (its hook item goes too)."""
    item = connections.get(tenant, check_provider(provider))
    hook = item.get("hookId") if item else None
    connections.delete(tenant, provider, ((sync_webhook_store.hook_pk(str(hook)), sync_webhook_store.HOOK_SK),)
                       if hook else ())


def get_connection_secret(tenant: str, provider: str) -> dict[str, Any]:
    """The credentials ``{"token", "baseUrl", "email"?, "webhookSecret"?}``; ``IntegrationNotConfigured``
    (409) naming the provider when the tenant has no connection for it."""
    required = ("token", "baseUrl", *(("email",) if provider in NEEDS_EMAIL else ()))
    return secrets.load(tenant, check_provider(provider), required, field="provider")
