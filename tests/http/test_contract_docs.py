"""The contract is served as deployed: the platform function answers /openapi.json (the committed document, shipped in
the layer) and Swagger UI at /docs, through the gateway like any other route."""

from __future__ import annotations

from typing import Any

from cairn_local import contract


def test_openapi_json_is_the_merged_document(http: Any) -> None:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["info"]["title"] == "Cairn"
    assert "/api/v1/memory/projects/{id}/store" in document["paths"]
    assert response.text == contract.OPENAPI.read_text()


def test_docs_is_swagger_ui_on_that_document(http: Any) -> None:
    response = http.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "swagger-ui" in response.text
    assert "/openapi.json" in response.text


def test_only_get_is_served_and_other_paths_still_route(http: Any) -> None:
    assert http.post("/openapi.json").status_code == 404
    assert http.get("/docs/").json()["error"]["code"] == "not_found"


def test_the_platform_function_answers_the_contract_as_api_gateway_routes_it() -> None:
    from cairn_local.gateway import Gateway

    gateway = Gateway()
    assert gateway.route("GET", "/openapi.json") == gateway.route("GET", "/docs") == "PlatformFunction"
