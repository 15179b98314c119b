"""Route group: workflow executions and the remote executors' completion callback (docs/platform.md, "Workflow
executions")."""

from cairn.http.app import create_app, lambda_handler
from cairn.platform.api import callbacks, workflows

app = create_app("Cairn workflow executions", workflows.router, callbacks.router)
handler = lambda_handler(app, "platform_workflows")
