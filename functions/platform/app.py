"""Route group: platform (health probes)."""

from cairn.api import health
from cairn.http.app import create_app, lambda_handler

app = create_app("Cairn platform", health.router)
handler = lambda_handler(app, "platform")
