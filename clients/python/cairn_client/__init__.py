"""Cairn for coding agents: the SDK (``cairn_client.sdk``), the ``cairn`` CLI, the agent hooks, the installers
and a stdio MCP proxy (docs/agents.md). Nothing is imported here: the capture hooks must start in milliseconds,
so only what a command uses is loaded."""
