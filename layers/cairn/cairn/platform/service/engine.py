"""What this deployment is: its version, commit, region and the optional features it has switched on, and the
published contract it serves.

The contract (``cairn/platform/openapi.json``) is written next to this package by ``make openapi`` from the route
groups (scripts/cairn_local/contract.py, checked for drift by ``make lint``), so it ships in the layer: a Lambda
never builds every route group's app to answer it. The version is the contract's ``info.version`` (pyproject's),
the commit the deployment's ``CAIRN_COMMIT`` (template parameter ``Commit``)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from cairn.core.settings import Settings, get_settings

UNKNOWN = "unknown"


@lru_cache(maxsize=1)
def contract_bytes() -> bytes:
    return resources.files("cairn.platform").joinpath("openapi.json").read_bytes()


@lru_cache(maxsize=1)
def _version() -> str:
    document: dict[str, Any] = json.loads(contract_bytes())
    return str(document["info"]["version"])


@dataclass(frozen=True)
class EngineStatus:
    version: str
    commit: str
    region: str
    features: list[str]


def enabled_features(settings: Settings) -> list[str]:
    """The optional features switched on by this deployment's settings, by name, sorted."""
    switches = {
        "bedrockAnswers": bool(settings.bedrock_model_id),
        "bedrockTaskRunner": settings.task_model_runner == "bedrock",
        "githubWebhooks": settings.github_webhooks_enabled,
        "localUrls": settings.allow_local_urls,
    }
    return sorted(name for name, enabled in switches.items() if enabled)


def status() -> EngineStatus:
    settings = get_settings()
    # Lambda sets AWS_REGION; the local stack sets AWS_DEFAULT_REGION.
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or UNKNOWN
    return EngineStatus(version=_version(), commit=settings.commit or UNKNOWN, region=region,
                        features=enabled_features(settings))
