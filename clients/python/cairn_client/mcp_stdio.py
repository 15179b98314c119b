"""``cairn mcp``: the API's MCP tools served over stdio, for agents that prefer a local server. Each request is
forwarded to ``POST /mcp`` with the official client (Streamable HTTP), carrying the bearer token and the
project header, so the tools, their descriptions and their errors are exactly the server's."""

from __future__ import annotations

from typing import Any

import anyio


def serve(api_url: str, token: str, project: str | None) -> None:
    anyio.run(_serve, api_url, token, project)


async def _serve(api_url: str, token: str, project: str | None) -> None:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.server.lowlevel import Server
    from mcp.server.stdio import stdio_server

    headers = {"Authorization": f"Bearer {token}"}
    if project:
        headers["x-cairn-project"] = project
    http = httpx2.AsyncClient(headers=headers, timeout=30)
    async with http, Client(streamable_http_client(f"{api_url.rstrip('/')}/mcp", http_client=http)) as upstream:

        async def list_tools(_context: Any, params: Any) -> Any:
            return await upstream.list_tools(cursor=getattr(params, "cursor", None))

        async def call_tool(_context: Any, params: Any) -> Any:
            return await upstream.call_tool(params.name, params.arguments)

        server = Server("cairn", on_list_tools=list_tools, on_call_tool=call_tool)
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())
