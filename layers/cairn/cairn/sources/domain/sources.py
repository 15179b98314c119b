"""What an external source is (memory-api.md "External Sources", docs/sources.md): its type, its per-type
configuration and its sync schedule. Pure: the routes and the sync both validate with it."""

from __future__ import annotations

import re
from typing import Any

from cairn.core.errors import InvalidInput

PROVIDERS = ("slack", "jira", "confluence", "github")
DEFAULT_INTERVAL_MINUTES = 60
MIN_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 7 * 24 * 60
SOURCE_ID_MAX = 128

# Sync states answered by the status route (docs/sources.md, "Status").
IDLE, RUNNING, FAILED = "idle", "running", "failed"

_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_SLACK_CHANNEL = re.compile(r"^[A-Z0-9]{2,64}$")


def _text(config: dict[str, Any], name: str) -> str | None:
    value = config.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"config.{name} must be a non-empty string", field=f"config.{name}")
    return value.strip()


def _one_of(config: dict[str, Any], source_type: str, names: tuple[str, str]) -> None:
    if all(_text(config, name) is None for name in names):
        raise InvalidInput(f"config.{names[0]} or config.{names[1]} is required for a {source_type} source",
                           field=f"config.{names[0]}")


def interval_minutes(config: dict[str, Any]) -> int:
    """``config.syncIntervalMinutes`` (default 60, minimum 5, at most a week)."""
    value = config.get("syncIntervalMinutes", DEFAULT_INTERVAL_MINUTES)
    if isinstance(value, bool) or not isinstance(value, int) or not (
            MIN_INTERVAL_MINUTES <= value <= MAX_INTERVAL_MINUTES):
        raise InvalidInput(f"config.syncIntervalMinutes must be an integer from {MIN_INTERVAL_MINUTES} to "
                           f"{MAX_INTERVAL_MINUTES}", field="config.syncIntervalMinutes")
    return value


def validate_config(source_type: str, config: dict[str, Any]) -> dict[str, Any]:
    """``config`` if it suits ``source_type``, else ``InvalidInput`` naming the field. Fields the type does not
    use are kept (the spec's ``channelName`` is a label for people)."""
    if source_type not in PROVIDERS:
        raise InvalidInput(f"sourceType must be one of {', '.join(PROVIDERS)}", field="sourceType")
    if source_type == "slack":
        channel = _text(config, "channelId")
        if channel is None or not _SLACK_CHANNEL.match(channel):
            raise InvalidInput("config.channelId is required for a slack source: the channel's ID, such as "
                               "C0123456789", field="config.channelId")
    elif source_type == "github":
        repository = _text(config, "repository")
        if repository is None or not _REPOSITORY.match(repository):
            raise InvalidInput("config.repository is required for a github source, as owner/name",
                               field="config.repository")
    elif source_type == "jira":
        _one_of(config, source_type, ("jql", "projectKey"))
    else:
        _one_of(config, source_type, ("spaceKey", "cql"))
    interval_minutes(config)
    return config
