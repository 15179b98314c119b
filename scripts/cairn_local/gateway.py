"""An ASGI stand-in for API Gateway (HTTP API): each request goes to the route group that
template.yaml routes it to, matched on the raw path as API Gateway does (the contract, ``GET /openapi.json`` and
Swagger UI at ``GET /docs``, is the platform function's, as in AWS)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from cairn_local import handlers, template


class Gateway:
    def __init__(self) -> None:
        routes = [(route, function.logical_id) for function in template.functions() for route in function.routes]
        # API Gateway picks the most specific route: a literal segment beats a path parameter at the same place
        # (GET /v1/tasks/context before GET /v1/tasks/{runId}), whatever the template's order.
        self.routes = sorted(routes, key=lambda entry: _specificity(entry[0].path))

    def route(self, method: str, raw_path: str) -> str | None:
        for route, logical_id in self.routes:
            if route.method in (method, "ANY") and route.pattern.match(raw_path):
                return logical_id
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _accept_lifespan(receive, send)
            return
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1").split("?", 1)[0]
        logical_id = self.route(scope["method"], raw_path)
        if logical_id is None:
            await _not_found(scope, send)
            return
        await handlers.asgi_app(logical_id)(scope, receive, send)


def _specificity(path: str) -> list[int]:
    """Sorts routes as API Gateway chooses among them: segment by segment, literals first, then ``{name}``,
    then a greedy ``{name+}``."""
    return [2 if segment.endswith("+}") else 1 if segment.startswith("{") else 0 for segment in path.split("/")]


async def _accept_lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _not_found(scope: dict[str, Any], send: Any) -> None:
    from cairn.http.correlation import incoming

    correlation = incoming(scope) or str(uuid.uuid4())
    body = json.dumps({"error": {"code": "not_found", "message": f"no route for {scope['method']} {scope['path']}"},
                       "correlationId": correlation})
    await send({"type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"application/json"), (b"x-correlation-id", correlation.encode())]})
    await send({"type": "http.response.body", "body": body.encode()})
