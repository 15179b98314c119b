"""Coding agents: the token-budgeted brief and the MCP server's tools (docs/agents.md)."""
