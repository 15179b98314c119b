"""boto3 clients, created once per container and only when first used.

botocore honours ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``, so the same code
reaches AWS, the embedded moto, or an external emulator.
"""

from __future__ import annotations

from functools import cache
from typing import Any

_RETRIES = {"max_attempts": 5, "mode": "standard"}


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(service, config=Config(retries=_RETRIES))


def dynamodb() -> Any:
    return client("dynamodb")


def s3() -> Any:
    return client("s3")


def stepfunctions() -> Any:
    return client("stepfunctions")


def reset() -> None:
    """Forget cached clients (tests point them at a fresh emulator)."""
    client.cache_clear()
