"""``TaskPermit``: the dependency of every task, run and project-index route. It accepts only a Cairn task permit
(``Authorization: Bearer <permit>``) and answers the verified binding; the route then checks its path, query or
run against it with ``permit.require(project_id=..., task_id=...)``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cairn.core.errors import Unauthenticated
from cairn.http.auth import register_credential_check
from cairn.tasks.service import permits
from cairn.tasks.service.permits import Permit

__all__ = ["Permit", "TaskPermit", "bearer"]


def bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("missing bearer token (Authorization: Bearer <task permit>)")
    return token.strip()


def _permit(request: Request) -> Permit:
    return permits.verify(bearer(request))


register_credential_check(_permit)  # checked before the body is parsed; documented as bearer auth (401/403)


TaskPermit = Annotated[Permit, Depends(_permit)]
