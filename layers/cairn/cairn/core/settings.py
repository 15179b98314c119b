"""Typed configuration read once from the environment."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAIRN_", extra="ignore")

    table_name: str = "cairn"
    bucket_name: str = "cairn-blobs"
    purge_state_machine_arn: str = ""

    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: str = Field(default="", repr=False)
    jwt_issuer: str = "cairn-local"
    jwt_audience: str = "cairn"
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
    # Timeout of each Jira / Slack HTTP call made by an intelligence action (seconds).
    integration_timeout_seconds: float = 10.0

    # Search (docs/search.md): decoded index segments kept per container, and when to merge them.
    search_segment_cache_bytes: int = 256 * 1024 * 1024
    search_max_segments: int = 8


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
