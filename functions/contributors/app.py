"""Route group: contributors."""

from cairn.api import contributors
from cairn.http.app import create_app, lambda_handler

app = create_app("Cairn contributors", contributors.router)
handler = lambda_handler(app, "contributors")
