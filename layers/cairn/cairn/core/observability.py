"""Powertools Logger, Tracer and Metrics, one of each per container."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, cast

from cairn.core import coldstart

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

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

    # Libraries are patched when first used (``traced``): patching every supported one at cold start would import
    # botocore, httpx and urllib3 there, half of a function's cold import.
    return Tracer(service=SERVICE, auto_patch=False)


@functools.cache
def traced(library: str) -> None:
    """Traces the calls of an X-Ray-patchable ``library`` (``botocore``, ``httplib``) from now on; a no-op where
    tracing is disabled, as outside Lambda."""
    tracer().patch((library,))


@lru_cache(maxsize=1)
def metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(service=SERVICE, namespace="Cairn")


def instrumented(dimension: str, value: str) -> Callable[[Handler], Handler]:
    """A Lambda handler with the Lambda context in its logs, traced, and its metrics (one dimension,
    e.g. ``routeGroup`` or ``worker``) flushed at the end of each invocation."""

    def wrap(function: Handler) -> Handler:
        log, trace, measure = logger(), tracer(), metrics()
        coldstart.resume()  # the handler is wrapped at the end of its module's import

        @functools.wraps(function)
        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            measure.clear_metrics()  # an invocation that failed before adding a metric flushed nothing
            measure.add_dimension(dimension, value)
            return function(event, context)

        # Powertools' decorators are untyped; applied in the order @inject_lambda_context, @capture_lambda_handler,
        # @log_metrics would be, they keep the handler's signature.
        decorated = log.inject_lambda_context(trace.capture_lambda_handler(measure.log_metrics(handler)),
                                              clear_state=True)
        return cast(Handler, decorated)

    return wrap


def count(name: str, value: float) -> None:
    """Adds to a Count metric of the current invocation."""
    from aws_lambda_powertools.metrics import MetricUnit

    metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)
