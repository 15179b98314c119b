"""End to end: the official MCP client over HTTP against the dev server, with auth (docs/agents.md, "MCP server")."""

from __future__ import annotations

import json
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from cairn_local.tokens import mint
from tests.e2e.conftest import DevServer
from tests.http.mcp_client import run_async

pytestmark = pytest.mark.e2e


def _call(server: DevServer, token: str, name: str, arguments: dict[str, Any]) -> Any:
    async def main() -> Any:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}", "x-cairn-project": "synapse"},
                                  timeout=30)
        async with http, Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as client:
            return await client.call_tool(name, arguments)

    return run_async(main)


def _text(result: Any) -> str:
    return "".join(part.text for part in result.content)


def test_mcp_over_http_with_auth(server: DevServer) -> None:
    secret = (server.state_dir / "jwt-secret").read_text().strip()
    with server.client() as api:
        created = api.post("/api/v1/memory/projects", json={"projectId": "synapse", "name": "S", "roadmap": "Ship"})
        assert created.status_code == 200

    unauthenticated = httpx.post(f"{server.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                 headers={"Accept": "application/json, text/event-stream"})
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"] == "Bearer"

    milestone = {"branchPurpose": "Core", "cumulativeProgress": "MCP works end to end",
                 "thisContribution": "first commit over MCP", "agentId": "claude-code-e2e"}
    committed = _call(server, server.token, "cairn_commit", milestone)
    assert not committed.is_error, _text(committed)
    assert json.loads(_text(committed))["sequenceNumber"] == 1
    brief = _call(server, server.token, "cairn_context", {})
    assert "MCP works end to end" in _text(brief)

    stranger = mint("another-tenant", "someone", ["agent"], secret=secret)
    refused = _call(server, stranger, "cairn_context", {"view": "overview"})
    assert refused.is_error
    assert "not_found" in _text(refused)

    viewer = mint("dev-tenant", "reader", ["viewer"], secret=secret)
    forbidden = _call(server, viewer, "cairn_commit", {**milestone, "thisContribution": "a viewer's write"})
    assert forbidden.is_error
    assert "forbidden" in _text(forbidden)
    assert not _call(server, viewer, "cairn_context", {}).is_error
    with server.client() as api:
        page = api.get("/api/v1/memory/projects/synapse/recall", params={"view": "branch"}).json()
    assert page["page"]["total"] == 1
