"""Installations: registered by their first valid Forge call with the credit grant; their state as the Jira App
reads it (``GET /v1/instances/me``) and the metrics it reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cairn.core import clock
from cairn.core.settings import get_settings
from cairn.tasks.store import installations


@dataclass(frozen=True)
class Installation:
    """Who a verified Forge invocation token speaks for."""

    installation_id: str  # app.installationId: the tenant of all task-engine data
    cloud_id: str  # context.cloudId
    principal: str  # the Atlassian account of the user, or "app" for an app-only invocation
    site_url: str | None = None
    license_active: bool | None = None
    environment: str | None = None


def register(caller: Installation) -> dict[str, Any]:
    """The installation's item, created with ``CAIRN_INITIAL_CREDITS`` on its first call."""
    fields: dict[str, Any] = {"cloudId": caller.cloud_id}
    if caller.site_url:
        fields["siteUrl"] = caller.site_url
    return installations.register(caller.installation_id, fields, credits=get_settings().initial_credits,
                                  now=clock.timestamp(clock.now()))


def state(caller: Installation) -> dict[str, Any]:
    """The Jira App's view of its installation (the spec's envelope, without ``ok``)."""
    item = installations.get(caller.installation_id) or register(caller)
    license_active = True if caller.license_active is None else caller.license_active
    return {
        "cloudId": item.get("cloudId", caller.cloud_id),
        "status": "active" if license_active else "inactive",
        "credits": int(item.get("credits", 0)),
        "apiKeyPrefix": None,  # Forge auth only: no instance API key exists
        "updatedAt": _epoch(item["updatedAt"]),
        "installationId": caller.installation_id,
        "capabilitySet": "capabilityadvanced",
        "licenseActive": license_active,
        "activationSource": "forge-license",
        "devModeActive": caller.environment == "DEVELOPMENT",
        "billingMode": "forge",
        "siteUrl": item.get("siteUrl", caller.site_url),
    }


def report_metrics(caller: Installation, metrics: dict[str, Any]) -> None:
    register(caller)
    installations.update(caller.installation_id, {"metrics": metrics,
                                                  "metricsUpdatedAt": clock.timestamp(clock.now())})


def _epoch(timestamp: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())
