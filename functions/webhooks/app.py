"""Route group: webhook subscriptions and their delivery logs (docs/platform.md, "Events and webhooks")."""

from cairn.http.app import create_app, lambda_handler
from cairn.platform.api import webhooks

app = create_app("Cairn webhooks", webhooks.router)
handler = lambda_handler(app, "webhooks")
