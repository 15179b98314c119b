"""Projects: create, read, list, roadmap, delete."""

from __future__ import annotations

from typing import Any

from cairn.memory.store import projects


def list_all(tenant: str) -> list[dict[str, Any]]:
    return projects.list_all(tenant)


def get(tenant: str, project_id: str) -> dict[str, Any]:
    return projects.get(tenant, project_id)
