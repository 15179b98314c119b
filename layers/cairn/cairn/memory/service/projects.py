"""Projects: create, read, list, roadmap, delete."""

from __future__ import annotations

from typing import Any

from cairn.aws.keys import ProjectRef
from cairn.memory.store import projects


def list_all(tenant: str) -> list[dict[str, Any]]:
    return projects.list_all(tenant)


def get(tenant: str, project_id: str) -> dict[str, Any]:
    return projects.get(tenant, project_id)


def list_refs(tenant: str) -> list[ProjectRef]:
    """The listed projects, each at the generation its listing entry names (for searches across them)."""
    return projects.list_refs(tenant)
