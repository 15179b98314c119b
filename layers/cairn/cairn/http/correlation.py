"""x-correlation-id: taken from the request (or generated), echoed on the response, and
attached to every log line written while the request is handled, the request's access line included."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from cairn.core.observability import correlation_id
from cairn.http import access

__all__ = ["HEADER", "CorrelationMiddleware", "correlation_id", "incoming"]

HEADER = "x-correlation-id"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def incoming(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name.decode("latin-1").lower() == HEADER:
            candidate = value.decode("latin-1")
            return candidate if _ACCEPTABLE.match(candidate) else None
    return None


class CorrelationMiddleware:
    """Pure ASGI middleware, so it also wraps error responses and costs no extra task."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        value = incoming(scope) or str(uuid.uuid4())
        # Not reset afterwards: the value lives in this request's task context, and the error middleware
        # outside this one still needs it for a 500's body and log line.
        correlation_id.set(value)
        facts = access.begin()
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_header(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", []).append((HEADER.encode(), value.encode("latin-1")))
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        except Exception:
            # Unhandled: answered (500) by the error middleware outside this one, after this line is written.
            access.note_error("internal_error")
            raise
        finally:
            access.log_request(scope, facts, status["code"], (time.perf_counter() - started) * 1000)
