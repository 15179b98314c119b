"""Path parameters under the names template.yaml gives them (``{id}``, ``{name}``, ``{segment}``).

The routes use the template's path templates verbatim (tests/unit/test_route_registry.py checks it); the Python
parameter keeps a name that says what it holds, and its alias is the template's name."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

ProjectIdPath = Annotated[str, Path(alias="id")]
ContributorIdPath = Annotated[str, Path(alias="id")]
