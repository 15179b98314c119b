"""Branches: create, list, get, abandon."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cairn.http.auth import Reader
from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.http.paths import ProjectIdPath
from cairn.memory.api.models import AbandonBranch, CreateBranch
from cairn.memory.api.responses import Branch, BranchList
from cairn.memory.service import branches

router = APIRouter(prefix="/api/v1/memory/projects/{id}/branches", route_class=JSONRoute)


@router.post("", response_model=Branch, response_model_exclude_unset=True)
def create_branch(project_id: ProjectIdPath, body: CreateBranch, once: Idempotent) -> Any:
    return once(body, lambda: branches.create(once.tenant, project_id, body.branchName, body.parentBranch,
                                              body.purpose, body.agentId))


@router.get("", response_model=BranchList, response_model_exclude_unset=True)
def list_branches(project_id: ProjectIdPath, principal: Reader) -> dict[str, Any]:
    return {"branches": branches.list_all(principal.tenant, project_id)}


# ``:path`` lets branch names such as ``feature/auth`` through (send them as feature%2Fauth).
@router.post("/{name:path}/abandon", response_model=Branch, response_model_exclude_unset=True)
def abandon_branch(project_id: ProjectIdPath, name: str, body: AbandonBranch,
                   once: Idempotent) -> Any:
    return once(body, lambda: branches.abandon(once.tenant, project_id, name, body.reason))


@router.get("/{name:path}", response_model=Branch, response_model_exclude_unset=True)
def get_branch(project_id: ProjectIdPath, name: str, principal: Reader) -> dict[str, Any]:
    return branches.get(principal.tenant, project_id, name)
