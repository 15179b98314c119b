"""Route group: the MCP server (Streamable HTTP at /mcp)."""

from cairn.agents.api import mcp
from cairn.http.app import create_app, lambda_handler

app = create_app("Cairn MCP", mcp.router)
handler = lambda_handler(app, "mcp")
