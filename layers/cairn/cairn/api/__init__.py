"""FastAPI routers, one module per resource; each route group's Lambda includes only its own."""
