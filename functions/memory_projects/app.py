"""Route group: memory projects (projects and roadmap)."""

from cairn.http.app import create_app, lambda_handler
from cairn.memory.api import projects

app = create_app("Cairn memory projects", projects.router)
handler = lambda_handler(app, "memory-projects")
