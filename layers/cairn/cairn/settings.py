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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
