"""/api/v1/memory/projects: create, list, get, delete, roadmap."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from cairn.http.auth import Admin, Reader
from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.http.paths import ProjectIdPath
from cairn.memory.api.models import CreateProject, UpdateRoadmap
from cairn.memory.service import projects
from cairn.memory.service.models import Project, ProjectList

router = APIRouter(prefix="/api/v1/memory/projects", route_class=JSONRoute)


@router.post("", response_model=Project, response_model_exclude_unset=True)
def create_project(body: CreateProject, once: Idempotent) -> Any:
    return once(body, lambda: projects.create(once.tenant, body.projectId, body.name, body.roadmap))


@router.get("", response_model=ProjectList, response_model_exclude_unset=True)
def list_projects(principal: Reader) -> dict[str, Any]:
    return {"projects": projects.list_all(principal.tenant)}


@router.get("/{id}", response_model=Project, response_model_exclude_unset=True)
def get_project(project_id: ProjectIdPath, principal: Reader) -> dict[str, Any]:
    return projects.to_wire(projects.get(principal.tenant, project_id))


@router.delete("/{id}")
def delete_project(project_id: ProjectIdPath, once: Idempotent, _: Admin) -> Response:
    once(None, lambda: projects.delete(once.tenant, project_id))
    return Response(status_code=200)


@router.put("/{id}/roadmap", response_model=Project, response_model_exclude_unset=True)
def update_roadmap(project_id: ProjectIdPath, body: UpdateRoadmap, once: Idempotent) -> Any:
    return once(body, lambda: projects.update_roadmap(once.tenant, project_id, body.roadmap))
