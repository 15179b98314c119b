"""Route group: contributors."""

from cairn.http.app import create_app, lambda_handler
from cairn.insights.api import contributors

app = create_app("Cairn contributors", contributors.router)
handler = lambda_handler(app, "contributors")
