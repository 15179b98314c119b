"""boto3 clients, created once per container and only when first used.

botocore honours ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``, so the same code
reaches AWS, the embedded moto, or an external emulator.
"""

from __future__ import annotations

import threading
from typing import Any

from cairn.core.observability import traced

_RETRIES = {"max_attempts": 5, "mode": "standard"}
_lock = threading.Lock()
_clients: dict[str, Any] = {}


def client(service: str) -> Any:
    """One client per service, also when first used by several threads at once: clients of
    different sessions raise different exception classes, which ``except`` clauses would miss."""
    with _lock:
        if service not in _clients:
            import boto3
            from botocore.config import Config

            traced("botocore")
            # SigV4 everywhere, presigned URLs included (botocore would presign S3 URLs with the deprecated SigV2,
            # which regions opened since 2014 refuse).
            config = Config(retries=_RETRIES, signature_version="s3v4" if service == "s3" else None)
            _clients[service] = boto3.session.Session().client(service, config=config)
        return _clients[service]


def dynamodb() -> Any:
    return client("dynamodb")


def s3() -> Any:
    return client("s3")


def stepfunctions() -> Any:
    return client("stepfunctions")


def reset() -> None:
    """Forget cached clients (tests point them at a fresh emulator)."""
    with _lock:
        _clients.clear()
