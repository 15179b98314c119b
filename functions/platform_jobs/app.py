"""Route group: export and import jobs (docs/platform.md, "Jobs")."""

from cairn.http.app import create_app, lambda_handler
from cairn.platform.api import jobs

app = create_app("Cairn jobs", jobs.router)
handler = lambda_handler(app, "platform_jobs")
