"""Route group: memory insights (cross-project search, session metrics, promote, intelligence)."""

from cairn.api import intelligence, metrics, promote, search
from cairn.http.app import create_app, lambda_handler

app = create_app("Cairn memory insights", search.tenant_router, metrics.router, promote.router,
                 intelligence.router)
handler = lambda_handler(app, "memory-insights")
