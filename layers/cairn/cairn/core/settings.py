"""Typed configuration read once from the environment (``CAIRN_*`` variables).

Resource names and the token issuer's settings have no defaults: a function deployed without them would act on
the wrong resource or refuse every token, so each function reads its settings at cold start
(``cairn.http.app.create_app``, the workers' modules) and fails there, naming what is missing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ENV_PREFIX = "CAIRN_"


class MissingSettings(RuntimeError):
    """The environment lacks required settings (or holds values that cannot be used)."""


class Settings(BaseModel):
    # Read from ``CAIRN_*`` variables by ``from_environment``: plain pydantic, because pydantic-settings' sources
    # cost a tenth of a second of every cold start for an environment-only reader.
    model_config = ConfigDict(extra="ignore", frozen=True)

    table_name: str = Field(min_length=1)
    bucket_name: str = Field(min_length=1)
    purge_state_machine_arn: str = Field(min_length=1)
    source_sync_state_machine_arn: str = Field(min_length=1)
    task_run_state_machine_arn: str = Field(min_length=1)
    # Export and import jobs (docs/platform.md, "Jobs"): required by the jobs route group and the import
    # starter only (``require``, at their cold start).
    export_state_machine_arn: str = ""
    import_state_machine_arn: str = ""

    jwt_algorithm: Literal["HS256", "RS256"]
    jwt_issuer: str = Field(min_length=1)
    jwt_audience: str = Field(min_length=1)
    # HS256 verifies with the shared secret, RS256 with the keys at the JWKS URL: the one in use is required.
    jwt_secret: str = Field(default="", repr=False)
    jwks_url: str = ""

    # Milestone texts larger than this (UTF-8 bytes, all three parts) live in S3, so that
    # a page of milestones stays well inside DynamoDB's 1 MB query page.
    inline_text_limit_bytes: int = 64 * 1024
    idempotency_ttl_seconds: int = 24 * 3600

    # Intelligence: answers from Bedrock (Converse API) when a model is set, else extractive.
    bedrock_model_id: str = ""
    # Integrations for intelligence actions; credentials come from Secrets Manager per tenant.
    slack_api_base_url: str = "https://slack.com/api"
    integration_secret_prefix: str = "cairn"
    # GitHub webhook deliveries (docs/sources.md): off answers 404 at the webhook route.
    github_webhooks_enabled: bool = True
    # Timeout of each Jira / Slack HTTP call made by an intelligence action (seconds).
    integration_timeout_seconds: float = 10.0
    # The local stack only (dev server, tests): connections may also point at http(s)://127.0.0.1 or localhost
    # (cairn.integrations.ssrf). Never set in AWS: there a tenant could reach the function's own host.
    allow_local_urls: bool = False

    # Task runs (docs/task-engine.md): the model runner, Bedrock in AWS (the task-run worker's environment), else
    # the local runner, which needs no model.
    task_model_runner: Literal["local", "bedrock"] = "local"

    # The task engine (docs/task-engine.md). Forge invocation tokens: RS256 against the JWKS URL, ``aud`` = the
    # app id. Task permits are signed with the key in Secrets Manager (AWS) or a local key (dev server, tests).
    # Required by the task-engine route groups only (``require``), checked at their cold start.
    forge_jwks_url: str = ""
    forge_app_id: str = ""
    initial_credits: int = Field(default=100, ge=0)
    permit_signing_key: str = Field(default="", repr=False)
    permit_signing_secret_name: str = ""

    # The workflow-completed callback (docs/platform.md, "Remote completion"): the HMAC secret remote executors
    # sign with, from Secrets Manager (AWS: a generated secret) or the environment (local); none: unsigned.
    workflow_callback_secret: str = Field(default="", repr=False)
    workflow_callback_secret_name: str = ""

    # Cairn's EventBridge bus (docs/platform.md, "Events and webhooks"): required where events are published
    # (the outbox publisher, the ops view's retry), checked there (``require``).
    event_bus_name: str = ""
    # Webhook deliveries (docs/platform.md, "Deliveries"): the state machine that attempts each one (required by
    # the delivery function, checked where used), each POST's timeout, and the backoff's scale: 1 in AWS; only the
    # test and local stacks may shorten the waits (0: retry at once), never a deployed stack (not in the template).
    webhook_delivery_state_machine_arn: str = ""
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=30)
    webhook_retry_scale: float = Field(default=1.0, ge=0, le=1)

    # The deployed commit, answered by GET /.well-known/engine-status (template parameter ``Commit``).
    commit: str = ""

    # Search (docs/search.md): decoded index segments kept per container, and when to merge them.
    search_segment_cache_bytes: int = 256 * 1024 * 1024
    search_max_segments: int = 8

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> Settings:
        return cls.model_validate({name[len(ENV_PREFIX):].lower(): value for name, value in environment.items()
                                   if name.upper().startswith(ENV_PREFIX)})

    @model_validator(mode="after")
    def _verification_key_is_configured(self) -> Self:
        if self.jwt_algorithm == "HS256" and not self.jwt_secret:
            raise ValueError(f"{ENV_PREFIX}JWT_SECRET is required with {ENV_PREFIX}JWT_ALGORITHM=HS256")
        if self.jwt_algorithm == "RS256" and not self.jwks_url:
            raise ValueError(f"{ENV_PREFIX}JWKS_URL is required with {ENV_PREFIX}JWT_ALGORITHM=RS256")
        return self


def require(settings: Settings, *groups: tuple[str, ...]) -> None:
    """Fails (MissingSettings) unless each group has at least one non-empty setting: what a function needs beyond
    every function's settings, checked at its cold start."""
    missing = [" or ".join(f"{ENV_PREFIX}{name.upper()}" for name in group) for group in groups
               if not any(getattr(settings, name) for name in group)]
    if missing:
        raise MissingSettings("Cairn is misconfigured: " + "; ".join(f"{names} is not set" for names in missing))


def _problems(error: ValidationError) -> list[str]:
    """One line per unusable setting, by its environment variable; a value is never repeated (it may be secret)."""
    found = []
    for problem in error.errors():
        if not problem["loc"]:  # the model validator: its message names the variables
            found.append(problem["msg"].removeprefix("Value error, "))
            continue
        variable = f"{ENV_PREFIX}{str(problem['loc'][0]).upper()}"
        found.append(f"{variable} is not set" if problem["type"] == "missing" else f"{variable}: {problem['msg']}")
    return found


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read once; raises MissingSettings naming every missing or unusable variable."""
    try:
        return Settings.from_environment(os.environ)
    except ValidationError as invalid:
        raise MissingSettings("Cairn is misconfigured: " + "; ".join(_problems(invalid))) from None
