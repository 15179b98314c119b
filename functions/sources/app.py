"""Route group: external sources (create, list, update, delete, sync, status, records) and tenant connections."""

from cairn.http.app import create_app, lambda_handler
from cairn.sources.api import connections, sources

app = create_app("Cairn external sources", sources.router, connections.router)
handler = lambda_handler(app, "sources")
