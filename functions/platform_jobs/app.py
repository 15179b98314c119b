"""Route group: export and import jobs (docs/platform.md, "Jobs")."""

from cairn.http.app import create_app, lambda_handler
from cairn.platform.api import jobs, transfers

# The group starts the export and import state machines: both names are required at cold start.
app = create_app("Cairn jobs", jobs.router, transfers.router,
                 required=(("export_state_machine_arn",), ("import_state_machine_arn",)))
handler = lambda_handler(app, "platform_jobs")
