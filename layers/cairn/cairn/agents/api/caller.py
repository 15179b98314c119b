"""Who calls the MCP tools: set by the ``/mcp`` route for the request it serves, read by the tools (which the
SDK runs in tasks and worker threads that inherit the request's context)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from cairn.http.auth import Principal

PROJECT_HEADER = "x-cairn-project"


@dataclass(frozen=True)
class Caller:
    principal: Principal
    project: str | None  # the x-cairn-project header, set by the installed MCP config
    idempotency_key: str | None = None  # the request's Idempotency-Key header, when the client sends one
    lambda_context: Any = None  # the Lambda invocation's context (an in-progress call expires with it)


current: ContextVar[Caller] = ContextVar("cairn_mcp_caller")
