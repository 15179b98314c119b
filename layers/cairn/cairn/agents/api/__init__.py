"""The agents routes: recall (with the brief view) and the MCP server."""
