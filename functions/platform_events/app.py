"""Route group: the event outbox (docs/platform.md, "Events and webhooks")."""

from cairn.http.app import create_app, lambda_handler
from cairn.platform.api import events

app = create_app("Cairn events", events.router)
handler = lambda_handler(app, "platform_events")
