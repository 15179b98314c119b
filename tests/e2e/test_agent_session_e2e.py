"""End to end: one simulated Claude Code session driving the real `cairn` executable against the dev server
(session-start, prompts, tool uses, pre-compact, stop, session-end; capture sent by the background flusher),
then what Cairn holds: the brief, the log entries, the checkpoint milestone and metrics/summary; and `cairn mcp`
over stdio with the official MCP client."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.client.conftest import payload
from tests.e2e.conftest import DevServer
from tests.http.mcp_client import run_async

pytestmark = pytest.mark.e2e

CAIRN = shutil.which("cairn", path=str(Path(sys.executable).parent)) or "cairn"
PROJECT = "acme-shop"


def hook(event: str, name: str, repo: Path, env: dict[str, str]) -> str:
    done = subprocess.run([CAIRN, "hook", event, "--agent", "claude-code"],  # noqa: S603
                          input=payload("claude-code", name, repo),
                          capture_output=True, text=True, env=env, cwd=repo, timeout=60, check=True)
    return done.stdout


def session_environment(server: DevServer, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "shop"
    repo.mkdir()
    for args in (["init", "-q", "-b", "master"], ["remote", "add", "origin", "git@github.com:acme/shop.git"]):
        subprocess.run(["git", *args], cwd=repo, check=True)  # noqa: S603, S607
    env = {**os.environ, "HOME": str(tmp_path / "home"), "CAIRN_API_URL": server.url, "CAIRN_TOKEN": server.token}
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "CAIRN_PROJECT", "CAIRN_HOOK_NO_BACKGROUND"):
        env.pop(name, None)
    subprocess.run([CAIRN, "init"], cwd=repo, env=env, check=True, capture_output=True)  # noqa: S603
    return repo, env


def test_a_claude_code_session_end_to_end(server: DevServer, tmp_path: Path) -> None:
    repo, env = session_environment(server, tmp_path)
    with server.client() as api:
        stored = api.post(f"/api/v1/memory/projects/{PROJECT}/store", json={
            "branchPurpose": "Ship the shop", "cumulativeProgress": "Cart persisted",
            "thisContribution": "Cart persisted in DynamoDB", "agentId": "earlier-session"})
        assert stored.status_code == 200, stored.text

    started = json.loads(hook("session-start", "SessionStart", repo, env))
    hook("user-prompt", "UserPromptSubmit", repo, env)
    for name in ("PostToolUse-Bash", "PostToolUse-Edit", "PostToolUse-Read"):
        hook("post-tool-use", name, repo, env)
    hook("pre-compact", "PreCompact", repo, env)
    hook("stop", "Stop", repo, env)
    hook("session-end", "SessionEnd", repo, env)

    context = started["hookSpecificOutput"]["additionalContext"]
    assert "branch `main`" in context  # git's master is Cairn's main
    assert "Cart persisted in DynamoDB" in context
    with server.client() as api:
        base = f"/api/v1/memory/projects/{PROJECT}"
        log = api.get(f"{base}/recall", params={"view": "log", "branch": "main", "limit": 100}).json()
        entries = sorted(log["logEntries"], key=lambda entry: entry["sequenceNumber"])
        assert [entry["phase"] for entry in entries] == ["observation", "action", "action", "action"]
        assert not any("hunter2" in entry["content"] or "s3cret" in entry["content"] for entry in entries)
        milestones = api.get(f"{base}/recall", params={"view": "branch", "branch": "main"}).json()
        checkpoint = milestones["milestones"][0]
        assert "Checkpoint before a context compaction" in checkpoint["thisContribution"]
        assert "pytest -q tests/test_checkout.py" in checkpoint["thisContribution"]
        summary = api.get(f"{base}/metrics/summary").json()
        assert summary["totalSessions"] == 1, summary
        assert summary["sessionsWithMemory"] == 1, summary
        brief = api.get(f"{base}/recall", params={"view": "brief", "branch": "main"}).json()
        assert "Checkpoint before a context compaction" in brief["brief"]

    assert _stdio_tools(repo, env) >= 1


def _stdio_tools(repo: Path, env: dict[str, str]) -> int:
    """`cairn mcp` over stdio: the server's tools, and a call answered by the API."""

    async def main() -> Any:
        parameters = StdioServerParameters(command=CAIRN, args=["mcp"], env=env, cwd=str(repo))
        async with Client(stdio_client(parameters)) as client:
            tools = await client.list_tools()
            result = await client.call_tool("cairn_context", {"view": "overview"})
            assert not result.is_error, result
            assert PROJECT in "".join(part.text for part in result.content)
            return len(tools.tools)

    return int(run_async(main))
