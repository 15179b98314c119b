"""Route group: deliveries from other services, signed instead of carrying a bearer token (GitHub webhooks)."""

from cairn.http.app import create_app, lambda_handler
from cairn.sources.api import sync_webhook

app = create_app("Cairn integrations", sync_webhook.router)
handler = lambda_handler(app, "integrations")
