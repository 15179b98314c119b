"""Route group: the ops view (agent-runtime)."""

from cairn.http.app import create_app, lambda_handler
from cairn.platform.api import ops

app = create_app("Cairn ops view", ops.router)
handler = lambda_handler(app, "ops_view")
