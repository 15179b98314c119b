"""Route group: what the IDE and the Jira App record about a task: its context, progress and activity snapshots,
and the team-competition board built from them."""

from cairn.http.app import create_app, lambda_handler
from cairn.tasks.api import competition, task_context

app = create_app("Cairn task activity", task_context.router, competition.router, detail_errors=True,
                 required=(("forge_jwks_url",), ("forge_app_id",),
                           ("permit_signing_key", "permit_signing_secret_name")))
handler = lambda_handler(app, "task-activity")
