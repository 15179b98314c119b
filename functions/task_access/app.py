"""Route group: the Jira App's access (request keys, installation state and metrics, disabled telemetry) and launch
security (launch links and codes, permits, the launcher page)."""

from cairn.http.app import create_app, lambda_handler
from cairn.tasks.api import jira, launcher, security

app = create_app("Cairn task access", jira.router, security.router, launcher.router, detail_errors=True,
                 required=(("forge_jwks_url",), ("forge_app_id",),
                           ("permit_signing_key", "permit_signing_secret_name")))
handler = lambda_handler(app, "task-access")
