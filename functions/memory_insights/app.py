"""Route group: memory insights (cross-project search, session metrics, promote, intelligence)."""

from cairn.http.app import create_app, lambda_handler
from cairn.insights.api import intelligence, metrics, promote
from cairn.search.api import search

app = create_app("Cairn memory insights", search.tenant_router, metrics.router, promote.router,
                 intelligence.router)
handler = lambda_handler(app, "memory-insights")
