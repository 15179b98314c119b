"""Route group: memory context (store, recall, log, branches, merge, metadata, per-project search)."""

from cairn.agents.api import recall
from cairn.http.app import create_app, lambda_handler
from cairn.memory.api import branches, log, metadata, milestones
from cairn.search.api import search

app = create_app("Cairn memory context", milestones.router, recall.router, log.router, branches.router,
                 metadata.router, search.project_router)
handler = lambda_handler(app, "memory-context")
