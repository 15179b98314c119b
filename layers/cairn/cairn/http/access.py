"""The one access line each request logs ("request handled"): method, path, route template, status, duration,
and what the request learned on its way: the tenant and subject of its token and the code of its error answer.
Never a token, a header or a body."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from cairn.core.observability import logger


@dataclass
class RequestFacts:
    """Filled in while the request is handled. A mutable object in a context variable, not values in context
    variables: sync routes and dependencies run in worker threads with a copy of the context, and what they
    note must still reach the access line."""

    tenant: str | None = None
    subject: str | None = None
    error_code: str | None = None


_facts: ContextVar[RequestFacts | None] = ContextVar("request_facts", default=None)


def begin() -> RequestFacts:
    """A new request: its facts start empty (nothing carries over from the previous request)."""
    facts = RequestFacts()
    _facts.set(facts)
    return facts


def note_principal(tenant: str, subject: str) -> None:
    facts = _facts.get()
    if facts is not None:
        facts.tenant, facts.subject = tenant, subject


def note_error(code: str) -> None:
    facts = _facts.get()
    if facts is not None:
        facts.error_code = code


def route_template(scope: dict[str, Any]) -> str | None:
    """The matched route's path template (``/api/v1/memory/projects/{id}``); None when no route matched."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    return template if isinstance(template, str) else None


def log_request(scope: dict[str, Any], facts: RequestFacts, status: int, duration_ms: float) -> None:
    logger().info(
        "request handled",
        method=scope["method"],
        path=scope["path"],
        route=route_template(scope),
        status=status,
        tenant=facts.tenant,
        subject=facts.subject,
        error_code=facts.error_code,
        duration_ms=round(duration_ms, 2),
    )
