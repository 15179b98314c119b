"""Route group: platform (health probes, engine status, the contract)."""

from cairn.http.app import create_app, lambda_handler
from cairn.platform.api import health

app = create_app("Cairn platform", health.router)
handler = lambda_handler(app, "platform")
