"""Route group: task runs (init, start, status, output, logs), the model catalog and the runs' usage."""

from cairn.http.app import create_app, lambda_handler
from cairn.tasks.api import models, runs, usage

app = create_app("Cairn task runs", models.router, runs.router, usage.router, detail_errors=True,
                 required=(("forge_jwks_url",), ("forge_app_id",),
                           ("permit_signing_key", "permit_signing_secret_name")))
handler = lambda_handler(app, "task-runs")
