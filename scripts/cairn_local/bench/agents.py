"""What the agents context costs a model's context window: the MCP tool list's size in tokens (the documented
estimate, cairn.agents.domain.tokens), next to the default brief's (measured by bench.operations)."""

from __future__ import annotations

import json
from typing import Any

TOOL_LIST_TARGET_TOKENS = 2_000  # issue 11
BRIEF_TARGET_MS = 50.0  # issue 11: the brief's p50 in process at 10,000 milestones


def tool_list_tokens() -> int:
    """The estimated tokens of the tools/list result as a client receives it (names, descriptions, schemas)."""
    import anyio

    from cairn.agents.api.tools import build_server
    from cairn.agents.domain.tokens import estimate

    tools = anyio.run(build_server().list_tools)
    return estimate(json.dumps([tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]))


def run_agents_bench(sizes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"tool_list_tokens": tool_list_tokens(),
            "default_brief_tokens": {str(size["milestones"]): size["brief_tokens"] for size in sizes}}
