"""The MCP server's route (docs/agents.md, "MCP server"): Streamable HTTP, stateless, JSON responses.

The bearer token is verified as on every route (a missing one is 401 with ``WWW-Authenticate``) before the
SDK sees the request. Each request gets its own stateless session manager, entered and left around it: a
Lambda invocation is one request, and no task outlives it. The SDK's Host allowlist is off: API Gateway
fronts the function under hostnames we do not know in advance, and the guard it gives (against DNS rebinding
of a browser's ambient credentials) does not apply to a bearer token that a page cannot attach."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import Message

from cairn.agents.api import caller, tools
from cairn.http.auth import Reader
from cairn.http.body import JSONRoute
from cairn.http.idempotency import HEADER

router = APIRouter(route_class=JSONRoute)

SERVER = tools.build_server()
_OPEN_HOSTS = TransportSecuritySettings(enable_dns_rebinding_protection=False)


async def _serve(scope: dict[str, Any], body: bytes) -> Response:
    # MCPServer has no public accessor for the low-level server a session manager runs (the SDK's own
    # in-process client reads the same attribute); a manager runs only once, so each request makes its own.
    manager = StreamableHTTPSessionManager(app=SERVER._lowlevel_server, json_response=True,
                                           stateless=True, security_settings=_OPEN_HOSTS)
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    async with manager.run():
        await manager.handle_request(scope, receive, send)
    response = Response(b"".join(chunks), status_code=status)
    for name, value in headers:
        if name.lower() != b"content-length":
            response.headers.append(name.decode("latin-1"), value.decode("latin-1"))
    return response


@router.post("/mcp", response_class=Response)
async def mcp(request: Request, principal: Reader) -> Response:
    """One MCP message (JSON-RPC 2.0, Streamable HTTP) and its JSON answer; the tools are in docs/agents.md."""
    body = await request.body()
    token = caller.current.set(caller.Caller(principal, request.headers.get(caller.PROJECT_HEADER) or None,
                                             idempotency_key=request.headers.get(HEADER),
                                             lambda_context=request.scope.get("aws.context")))
    try:
        return await _serve(dict(request.scope), body)
    finally:
        caller.current.reset(token)


@router.get("/mcp", response_class=Response)
def mcp_stream(principal: Reader) -> Response:
    """Always 405 (Allow: POST): a stateless server opens no server-to-client stream, as the transport allows."""
    return Response(status_code=405, headers={"Allow": "POST"})
