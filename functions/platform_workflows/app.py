"""Route group: workflow executions (docs/platform.md, "Workflow executions")."""

from cairn.http.app import create_app, lambda_handler
from cairn.platform.api import workflows

app = create_app("Cairn workflow executions", workflows.router)
handler = lambda_handler(app, "platform_workflows")
