"""What openapi.json says about errors and authentication (cairn.http.openapi): every route documents its error
answers with one ErrorBody, FastAPI's default 422 is gone, and the bearer scheme is declared where tokens are
checked."""

from __future__ import annotations

from typing import Any

import pytest

from cairn.http.error_bodies import ErrorBody
from cairn_local import contract

ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
# The task engine's routes (/v1/...) answer errors as FastAPI does, {"detail": ...} (docs/task-engine.md).
DETAIL_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/DetailBody"}}}
# No bearer token: health, the catalog, the launcher page, the launch exchange (the one-time code in its body is the
# credential) and the disabled telemetry route.
PUBLIC = {("GET", "/healthz"), ("GET", "/health"), ("GET", "/api/v1/health"), ("GET", "/.well-known/engine-status"),
          ("GET", "/api/v1/openapi"), ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/v1/models"),
          ("GET", "/v1/launch"),
          ("POST", "/v1/security/launch-exchange"), ("POST", "/v1/jira/telemetry/events")}
# Readiness answers its checks with the 503 too (which of the table and the bucket failed), not the error body.
READINESS_503 = {("GET", "/health", "503"), ("GET", "/api/v1/health", "503")}
# A signature over the body instead of a bearer token.
SIGNED = {("POST", "/api/v1/integrations/github/webhook"), ("POST", "/api/v1/webhooks/workflow-completed")}
WRITES = ("/projects", "/store", "/log", "/merge", "/branches", "/abandon", "/promote", "/metrics", "/contributors",
          "/action")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return contract.openapi_document()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation) for path, by_method in document["paths"].items()
            for method, operation in by_method.items()]


def test_no_route_documents_fastapis_validation_answer(document):
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "ValidationError" not in document["components"]["schemas"]
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            # A success (200, or 202 for a job's request) answers its own body.
            if not status.startswith("2") and (method, path, status) not in READINESS_503:
                expected = DETAIL_BODY if path.startswith("/v1/") else ERROR_BODY
                assert response["content"] == expected, (method, path, status)


def test_every_route_documents_its_common_errors(document):
    for method, path, operation in operations(document):
        documented = set(operation["responses"])
        expected = {"500"} if (method, path) in PUBLIC else {"400", "401", "403", "500"} - _no_input(method, path)
        if (method, path) in SIGNED:
            expected = {"400", "401", "404", "500"}
        assert expected <= documented, (method, path, documented)
        if "{" in path:
            assert "404" in documented, (method, path)
        if method in ("PUT", "DELETE") or (method == "POST" and path.endswith(WRITES)):
            assert {"409", "422", "503"} <= documented, (method, path)  # idempotent writes


def _no_input(method: str, path: str) -> set[str]:
    """Routes that read no parameter and no body cannot answer 400 (the MCP route's body is the MCP SDK's to
    read: it answers a malformed message with a JSON-RPC error, docs/agents.md)."""
    return {"400"} if (method, path) in {("GET", "/api/v1/memory/projects"),
                                          ("GET", "/api/v1/memory/contributors"),
                                          ("GET", "/api/v1/memory/sources"),
                                          ("GET", "/api/v1/memory/connections"),
                                          ("GET", "/mcp"), ("POST", "/mcp"),
                                          ("GET", "/v1/tasks/context"),
                                          ("GET", "/api/v1/agent-runtime/health"),
                                          ("GET", "/api/v1/agent-runtime/queues")} else set()


def test_only_a_reused_idempotency_key_is_a_422(document):
    for method, path, operation in operations(document):
        if "422" in operation["responses"]:
            assert operation["responses"]["422"]["description"].startswith("idempotency_key_reused"), (method, path)


def test_the_bearer_scheme_is_declared_on_every_authenticated_route(document):
    assert document["components"]["securitySchemes"] == {
        "HTTPBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    for method, path, operation in operations(document):
        expected = None if (method, path) in PUBLIC | SIGNED else [{"HTTPBearer": []}]
        assert operation.get("security") == expected, (method, path)


def test_the_error_body_schema_is_the_models(document):
    schemas = document["components"]["schemas"]
    assert schemas["ErrorBody"]["required"] == ["error", "correlationId"]
    assert schemas["ErrorInfo"]["required"] == ["code", "message"]
    # field and details are omitted when empty, never null
    assert schemas["ErrorInfo"]["properties"]["field"] == {"title": "Field", "type": "string"}
    details = [{"field": "f", "message": "m"}]
    body = {"error": {"code": "invalid_input", "message": "m", "field": "f", "details": details}, "correlationId": "c"}
    assert ErrorBody.model_validate(body).model_dump(exclude_none=True) == body
