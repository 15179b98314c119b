"""Route group: task runs (init, start, status, output, logs) and the model catalog."""

from cairn.http.app import create_app, lambda_handler
from cairn.tasks.api import models, runs

app = create_app("Cairn task runs", models.router, runs.router, detail_errors=True)
handler = lambda_handler(app, "task-runs")
