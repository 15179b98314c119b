"""Per-tenant integration credentials from AWS Secrets Manager: the tenant connections (docs/sources.md),
read by intelligence actions and source syncs alike.

The secret of tenant ``t`` for integration ``jira`` is named ``{prefix}/{t}/jira`` (prefix from
``CAIRN_INTEGRATION_SECRET_PREFIX``, default ``cairn``, which the template's IAM policy allows).
The tenant comes from the verified token, so a tenant can only ever read its own secrets. Its
characters outside Secrets Manager's name alphabet (and ``/`` and ``_``) are written as ``_XX``
(UTF-8 bytes in hex), an injective encoding: no tenant's name can reach another tenant's.
Secret values are never logged and never echoed in errors.
"""

from __future__ import annotations

import json
import string
from typing import Any

from cairn.aws import clients
from cairn.core.errors import IntegrationNotConfigured, UpstreamError
from cairn.core.settings import get_settings

_PLAIN = frozenset(string.ascii_letters + string.digits + "+=.@-")
_MISSING = {"ResourceNotFoundException"}


def tenant_component(tenant: str) -> str:
    return "".join(char if char in _PLAIN else "".join(f"_{byte:02X}" for byte in char.encode())
                   for char in tenant)


def secret_name(tenant: str, integration: str) -> str:
    return f"{get_settings().integration_secret_prefix}/{tenant_component(tenant)}/{integration}"


def load(tenant: str, integration: str, required: tuple[str, ...], *, field: str = "action") -> dict[str, Any]:
    """The integration's credentials as a JSON object holding every ``required`` key (non-empty strings):
    the tenant's connection (``PUT /api/v1/memory/connections/{integration}``, docs/sources.md).
    ``IntegrationNotConfigured`` names ``field`` when they are missing or incomplete."""
    from botocore.exceptions import BotoCoreError, ClientError

    name = secret_name(tenant, integration)
    try:
        value = clients.client("secretsmanager").get_secret_value(SecretId=name)
    except ClientError as failed:
        code = failed.response.get("Error", {}).get("Code", "error")
        if code in _MISSING:
            raise IntegrationNotConfigured(
                f"no {integration} connection is configured for this tenant: PUT "
                f"/api/v1/memory/connections/{integration} with its token first", field=field) from failed
        raise UpstreamError(f"reading the {integration} credentials from Secrets Manager failed: {code}") from failed
    except BotoCoreError as failed:
        raise UpstreamError(f"reading the {integration} credentials from Secrets Manager failed: "
                            f"{type(failed).__name__}") from failed
    return _parse(value.get("SecretString"), name, integration, required, field)


def _parse(raw: str | None, name: str, integration: str, required: tuple[str, ...], field: str) -> dict[str, Any]:
    try:
        credentials = json.loads(raw) if raw else None
    except ValueError:
        credentials = None
    if not isinstance(credentials, dict):
        raise IntegrationNotConfigured(f"the secret '{name}' must hold a JSON object for {integration}",
                                       field=field)
    missing = [key for key in required if not isinstance(credentials.get(key), str) or not credentials[key]]
    if missing:
        raise IntegrationNotConfigured(f"the secret '{name}' lacks {', '.join(missing)} for {integration}",
                                       field=field)
    return credentials


def plain(name: str) -> str:
    """The string value of the secret ``name`` (Cairn's own secrets, such as the task-permit signing key)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        value = clients.client("secretsmanager").get_secret_value(SecretId=name)
    except (ClientError, BotoCoreError) as failed:
        raise UpstreamError(f"reading the secret '{name}' from Secrets Manager failed: "
                            f"{type(failed).__name__}") from failed
    return str(value.get("SecretString") or "")


def create(name: str, value: str) -> None:
    """Stores a new secret (a webhook subscription's signing secret: its name is new with the subscription)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        clients.client("secretsmanager").create_secret(Name=name, SecretString=value)
    except (ClientError, BotoCoreError) as failed:
        raise UpstreamError(f"storing the secret '{name}' in Secrets Manager failed: "
                            f"{type(failed).__name__}") from failed


def delete(name: str) -> None:
    """Deletes a secret at once (no recovery window); one already gone is fine."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        clients.client("secretsmanager").delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    except ClientError as failed:
        if failed.response.get("Error", {}).get("Code") not in _MISSING:
            raise UpstreamError(f"deleting the secret '{name}' from Secrets Manager failed: "
                                f"{type(failed).__name__}") from failed
    except BotoCoreError as failed:
        raise UpstreamError(f"deleting the secret '{name}' from Secrets Manager failed: "
                            f"{type(failed).__name__}") from failed
