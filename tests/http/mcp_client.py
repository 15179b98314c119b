"""The official MCP client talking Streamable HTTP to an ASGI app in process (the local gateway)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


def session(app: Any, headers: dict[str, str], act: Callable[[Client], Awaitable[Any]],
            base_url: str = "http://cairn.example") -> Any:
    """Runs ``act`` with a client connected to ``app``'s /mcp, sending ``headers`` with every request."""

    async def main() -> Any:
        http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=base_url, headers=headers)
        async with http, Client(streamable_http_client(f"{base_url}/mcp", http_client=http)) as client:
            return await act(client)

    return run_async(main)


def run_async(main: Callable[[], Awaitable[Any]]) -> Any:
    """Runs ``main`` to completion on an event loop of its own thread. Run on the test's thread, the loop's
    teardown would leave that thread without a current event loop, and Mangum (the Lambda handlers that later
    tests invoke) asks for one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(anyio.run, main).result()


def text(result: Any) -> str:
    return "".join(part.text for part in result.content)


def data(result: Any) -> Any:
    assert not result.is_error, text(result)
    return json.loads(text(result))
