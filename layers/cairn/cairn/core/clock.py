"""Timestamps: UTC, second precision, ISO 8601 with a Z, as the spec's examples show."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
