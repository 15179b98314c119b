"""Loads each template function's module by file path (every group's module is called ``app``)."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from dataclasses import dataclass, field
from functools import cache, lru_cache
from types import ModuleType
from typing import Any

from cairn_local import template
from cairn_local.resolve import function_arn


@cache
def module(logical_id: str) -> ModuleType:
    function = by_id()[logical_id]
    name = f"cairn_function_{logical_id}"
    spec = importlib.util.spec_from_file_location(name, function.module_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {function.module_path}")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


@lru_cache(maxsize=1)
def by_id() -> dict[str, template.Function]:
    return {function.logical_id: function for function in template.functions()}


def handler(logical_id: str) -> Any:
    return getattr(module(logical_id), by_id()[logical_id].attribute)


# What ``inject_lambda_context`` adds to the shared Logger. In Lambda each function has a process of its
# own; here all share one, so an in-process invocation takes them away again (HTTP logs would otherwise
# name the last function invoked).
_LAMBDA_CONTEXT_KEYS = ["function_name", "function_memory_size", "function_arn", "function_request_id",
                        "cold_start"]


def invoke(logical_id: str, event: dict[str, Any]) -> Any:
    """Runs the function's handler in process, as Lambda would, with a fresh context object."""
    from cairn.core.observability import logger

    try:
        return handler(logical_id)(event, LambdaContext(logical_id))
    finally:
        logger().remove_keys(_LAMBDA_CONTEXT_KEYS)


def asgi_app(logical_id: str) -> Any:
    return module(logical_id).app


@dataclass
class LambdaContext:
    """What Powertools reads from the Lambda context object."""

    function_name: str
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return function_arn(self.function_name)

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 300_000
