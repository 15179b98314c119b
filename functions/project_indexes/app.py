"""Route group: project indexes."""

from cairn.http.app import create_app, lambda_handler
from cairn.tasks.api import indexes

app = create_app("Cairn project indexes", indexes.router, detail_errors=True,
                 required=(("permit_signing_key", "permit_signing_secret_name"),))
handler = lambda_handler(app, "project-indexes")
