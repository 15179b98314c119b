"""template.yaml's HttpApi events and the route groups' FastAPI routes are one registry: each event is exactly one
route of the function the template names, under the same path parameter names, and each route has its event.
docs/routes.md and openapi.json are generated from them (make openapi) and must match the code."""

from __future__ import annotations

import json
import tomllib
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Path

from cairn_local import ROOT, contract, handlers, template
from cairn_local.template import Route, _route_pattern


def _event(method: str, path: str) -> Route:
    return Route(method, path, _route_pattern(path))


def test_every_event_is_one_route_of_its_function_and_every_route_has_its_event() -> None:
    assert contract.problems(contract.api_functions(), handlers.asgi_app) == []


def test_the_registry_lists_each_template_event_once() -> None:
    entries = contract.registry()
    events = [(route.method, route.path, function.logical_id)
              for function in contract.api_functions() for route in function.routes]
    assert sorted((entry.method, entry.path, entry.function) for entry in entries) == sorted(events)
    assert len(set(events)) == len(events)
    assert all(":" in entry.handler and ".api." in entry.handler for entry in entries)


def test_the_code_uses_the_template_path_parameter_names() -> None:
    paths = {entry.path for entry in contract.registry()}
    assert "/api/v1/memory/projects/{id}/store" in paths
    assert "/api/v1/memory/contributors/{id}/activity" in paths
    assert "/api/v1/memory/projects/{id}/branches/{name}/abandon" in paths
    assert "/api/v1/memory/projects/{id}/metadata/{segment}" in paths
    assert not any("project_id" in path or "contributor_id" in path for path in paths)


def _fake_app() -> FastAPI:
    app = FastAPI(openapi_url=None)

    @app.get("/things/{id}")
    def get_thing(thing_id: str) -> dict[str, Any]:  # not the alias: FastAPI would read it from the query
        return {"id": thing_id}

    @app.get("/things/{id}/parts")
    def get_parts(thing_id: Annotated[str, Path(alias="id")]) -> dict[str, Any]:
        return {"id": thing_id}

    @app.delete("/things/{id}")
    def delete_thing(thing_id: Annotated[str, Path(alias="id")]) -> dict[str, Any]:
        return {"id": thing_id}

    return app


def test_a_deliberate_violation_of_each_rule_is_reported() -> None:
    function = template.Function("ThingsFunction", ROOT, "app.handler", (
        _event("GET", "/things/{id}"),  # handled, but the handler reads no path parameter "id"
        _event("GET", "/things/{thingId}/parts"),  # the app's route says {id}: no match
    ))
    found = contract.problems([function], lambda _: _fake_app())
    assert any("GET /things/{id} is handled by" in problem and "reads path parameters []" in problem
               and "['id']" in problem for problem in found), found
    assert any("GET /things/{thingId}/parts matches 0 routes" in problem for problem in found), found
    assert any("app route DELETE /things/{id}" in problem and "no HttpApi event" in problem for problem in found)
    assert any("app route GET /things/{id}/parts" in problem for problem in found), found
    assert len(found) == 4


def test_a_disagreement_stops_the_generator() -> None:
    function = template.Function("ThingsFunction", ROOT, "app.handler", (_event("GET", "/things/{id}/parts"),))
    with pytest.raises(ValueError, match=r"template\.yaml and the route groups disagree"):
        contract.registry([function], lambda _: _fake_app())


def test_docs_routes_md_is_what_the_code_produces() -> None:
    assert contract.drift({contract.ROUTES: contract.routes_markdown(contract.registry())}) == []


def test_openapi_json_is_what_the_code_produces() -> None:
    assert contract.drift({contract.OPENAPI: contract.openapi_text(contract.openapi_document())}) == []


def test_the_check_passes_on_the_committed_files() -> None:
    assert contract.main(["--check"]) == 0


def test_drift_names_the_file_and_the_fix(tmp_path: Any) -> None:
    stale = tmp_path / "openapi.json"
    stale.write_text('{\n  "openapi": "3.0.0"\n}\n')
    [message] = contract.drift({stale: '{\n  "openapi": "3.1.0"\n}\n'})
    assert "openapi.json is out of date with the code: run `make openapi` and commit it." in message
    assert '-  "openapi": "3.0.0"' in message
    assert '+  "openapi": "3.1.0"' in message
    assert contract.drift({stale: stale.read_text()}) == []


def test_the_document_merges_every_group_deterministically() -> None:
    document = contract.openapi_document()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert document["info"] == {"title": "Cairn", "version": version}
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert operations == {(entry.method, entry.path) for entry in contract.registry()}
    parameters = document["paths"]["/api/v1/memory/projects/{id}/branches/{name}"]["get"]["parameters"]
    assert [(parameter["in"], parameter["name"]) for parameter in parameters] == [("path", "id"), ("path", "name")]
    text = contract.openapi_text(document)
    assert text.endswith("}\n")
    assert text == contract.openapi_text(json.loads(text))


def test_the_lambdas_serve_no_openapi_document() -> None:
    for function in contract.api_functions():
        app = handlers.asgi_app(function.logical_id)
        assert (app.openapi_url, app.docs_url, app.redoc_url) == (None, None, None)
