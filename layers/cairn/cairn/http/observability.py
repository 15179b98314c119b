"""Powertools Logger, Tracer and Metrics, one of each per container."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

SERVICE = "cairn"


@lru_cache(maxsize=1)
def logger() -> Any:
    from aws_lambda_powertools import Logger

    return Logger(service=SERVICE)


@lru_cache(maxsize=1)
def tracer() -> Any:
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


@lru_cache(maxsize=1)
def metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(service=SERVICE, namespace="Cairn")
