"""The published contract, generated from the code at build time (never in a Lambda's cold path):

- ``openapi.json``: every route group's ``app.openapi()`` merged into one document, also written into the layer
  (``layers/cairn/cairn/platform/openapi.json``) for ``GET /api/v1/openapi`` to serve from a Lambda;
- ``docs/routes.md``: each template.yaml route with its function and its handler (``module:function``).

``python -m cairn_local.contract`` (``make openapi``) writes both; ``--check`` (``make lint``) fails when the
committed files differ from what the code produces, or when template.yaml's routes and the apps' routes disagree.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.routing import iter_route_contexts

from cairn_local import ROOT, handlers, template
from cairn_local.emulator import use_emulator_environment

OPENAPI = ROOT / "openapi.json"
LAYER_OPENAPI = ROOT / "layers" / "cairn" / "cairn" / "platform" / "openapi.json"
ROUTES = ROOT / "docs" / "routes.md"
TITLE = "Cairn"
CONTRACT_SECRET = "contract-generation-" + "x" * 32  # the apps need one to be built; no token is ever verified
_METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")
_PARAMETER = re.compile(r"\{([^}:+]+)\+?(?::[^}]*)?\}")


@dataclass(frozen=True)
class Entry:
    """One row of docs/routes.md."""

    method: str
    path: str
    function: str
    handler: str


def api_functions() -> list[template.Function]:
    """The template's functions that have HttpApi events, in template order."""
    return [function for function in template.functions() if function.routes]


def app_routes(app: Any) -> list[Any]:
    """Every route of a FastAPI app, the included routers' routes with their prefixes applied."""
    return list(iter_route_contexts(app.routes))


def _path_format(route: Any) -> str:
    # Starlette's path_format drops converters: "/{name:path}" is "/{name}", as in the template and OpenAPI.
    return str(getattr(route, "path_format", getattr(route, "path", "?")))


def _methods(route: Any) -> set[str]:
    return set(getattr(route, "methods", None) or {"*"})


def _path_parameters(dependant: Any) -> set[str]:
    """Every path parameter the route reads, by its wire name (alias), its dependencies' included."""
    names = {field.alias for field in getattr(dependant, "path_params", [])}
    for dependency in getattr(dependant, "dependencies", []):
        names |= _path_parameters(dependency)
    return names


def _handler_name(route: Any) -> str:
    endpoint = getattr(route, "endpoint", None)
    if endpoint is None:
        return "?"
    return f"{endpoint.__module__}:{endpoint.__qualname__}"


def problems(functions: Iterable[template.Function], app_of: Callable[[str], Any]) -> list[str]:
    """Where template.yaml and the apps disagree: each HttpApi event must match exactly one route of its
    function's app (same method, same path, same path parameter names), and each app route must have its event."""
    found = []
    for function in functions:
        routes = app_routes(app_of(function.logical_id))
        events = {(event.method, event.path) for event in function.routes}
        for event in function.routes:
            matches = [route for route in routes
                       if event.method in _methods(route) and _path_format(route) == event.path]
            if len(matches) != 1:
                found.append(f"{function.logical_id}: {event.method} {event.path} matches {len(matches)} routes "
                             f"of its app (expected exactly 1)")
                continue
            wanted = set(_PARAMETER.findall(event.path))
            read = _path_parameters(getattr(matches[0], "dependant", None))
            if read != wanted:
                found.append(f"{function.logical_id}: {event.method} {event.path} is handled by "
                             f"{_handler_name(matches[0])}, which reads path parameters {sorted(read)}, "
                             f"not the template's {sorted(wanted)}")
        for route in routes:
            for method in sorted(_methods(route)):
                if (method, _path_format(route)) not in events:
                    found.append(f"{function.logical_id}: app route {method} {_path_format(route)} "
                                 f"({_handler_name(route)}) has no HttpApi event in template.yaml")
    return found


def _order(entry: Entry) -> tuple[str, int, str]:
    rank = _METHOD_ORDER.index(entry.method) if entry.method in _METHOD_ORDER else len(_METHOD_ORDER)
    return entry.path, rank, entry.method


def registry(functions: Iterable[template.Function] | None = None,
             app_of: Callable[[str], Any] = handlers.asgi_app) -> list[Entry]:
    """Every template route with its function and handler, sorted by path then method."""
    functions = api_functions() if functions is None else list(functions)
    found = problems(functions, app_of)
    if found:
        raise ValueError("template.yaml and the route groups disagree:\n  " + "\n  ".join(found))
    entries = []
    for function in functions:
        routes = app_routes(app_of(function.logical_id))
        for event in function.routes:
            route = next(route for route in routes
                         if event.method in _methods(route) and _path_format(route) == event.path)
            entries.append(Entry(event.method, event.path, function.logical_id, _handler_name(route)))
    return sorted(entries, key=_order)


def routes_markdown(entries: Iterable[Entry]) -> str:
    lines = [
        "# Routes",
        "",
        "Generated by `make openapi` (scripts/cairn_local/contract.py) from template.yaml and the route groups'",
        "FastAPI apps; do not edit by hand. `make lint` fails when this file differs from what the code produces.",
        "",
        "| method | path | function | handler |",
        "|---|---|---|---|",
    ]
    lines += [f"| {entry.method} | `{entry.path}` | {entry.function} | `{entry.handler}` |" for entry in entries]
    return "\n".join(lines) + "\n"


def version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def openapi_document(functions: Iterable[template.Function] | None = None,
                     app_of: Callable[[str], Any] = handlers.asgi_app) -> dict[str, Any]:
    """Every route group's OpenAPI document merged into one; a path operation, or a component (schema, security
    scheme) that two groups define differently, is an error."""
    functions = api_functions() if functions is None else list(functions)
    paths: dict[str, dict[str, Any]] = {}
    components: dict[str, dict[str, Any]] = {}
    openapi_version = None
    for function in functions:
        document = app_of(function.logical_id).openapi()
        openapi_version = openapi_version or document["openapi"]
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                if method in paths.setdefault(path, {}):
                    raise ValueError(f"{method.upper()} {path} is defined by two route groups")
                paths[path][method] = operation
        for section, named in document.get("components", {}).items():
            for name, component in named.items():
                if components.setdefault(section, {}).setdefault(name, component) != component:
                    raise ValueError(f"{section} {name} differs between route groups")
    merged: dict[str, Any] = {"openapi": openapi_version or "3.1.0", "info": {"title": TITLE, "version": version()},
                              "paths": paths}
    if components:
        merged["components"] = components
    return merged


def openapi_text(document: dict[str, Any]) -> str:
    """Deterministic: sorted keys, two-space indent, a trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generated() -> dict[Path, str]:
    """What the committed files should hold."""
    document = openapi_text(openapi_document())
    return {OPENAPI: document, LAYER_OPENAPI: document, ROUTES: routes_markdown(registry())}


def drift(expected: dict[Path, str]) -> list[str]:
    """One message per file whose content differs from ``expected``, with the start of a unified diff."""
    messages = []
    for path, text in expected.items():
        current = path.read_text() if path.exists() else ""
        if current == text:
            continue
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(), f"{name} (committed)",
                                         f"{name} (generated from the code)", lineterm=""))
        shown = "\n".join(diff[:40]) + (f"\n... {len(diff) - 40} more diff lines" if len(diff) > 40 else "")
        messages.append(f"{name} is out of date with the code: run `make openapi` and commit it.\n{shown}")
    return messages


def write(expected: dict[Path, str]) -> None:
    for path, text in expected.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the committed files differ; write nothing")
    arguments = parser.parse_args(argv)
    # The apps read their settings when they are built; nothing here calls AWS or verifies a token.
    use_emulator_environment(CONTRACT_SECRET)
    try:
        expected = generated()
    except ValueError as error:
        print(f"contract: {error}", file=sys.stderr)
        return 1
    if not arguments.check:
        write(expected)
        for path in expected:
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    messages = drift(expected)
    for message in messages:
        print(message, file=sys.stderr)
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main())
