"""Powertools Logger, Tracer and Metrics, one of each per container."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

SERVICE = "cairn"
# The request's x-correlation-id. A context variable, not a logger key: sync routes run in a thread pool
# that copies the context, so every log line of the request carries it, whichever thread writes it.
correlation_id: ContextVar[str] = ContextVar("correlation_id", default="")


class _CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        value = correlation_id.get()
        if value:
            record.correlation_id = value
        return True


@lru_cache(maxsize=1)
def logger() -> Any:
    from aws_lambda_powertools import Logger

    log = Logger(service=SERVICE)
    log.addFilter(_CorrelationFilter())
    return log


@lru_cache(maxsize=1)
def tracer() -> Any:
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


@lru_cache(maxsize=1)
def metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(service=SERVICE, namespace="Cairn")
