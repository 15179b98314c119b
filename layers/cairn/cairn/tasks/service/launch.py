"""Launch codes and permits for one Jira task (docs/task-engine.md, "Launch codes"): the Jira App mints a
single-use code bound to a project and task (and saves the task's context); the IDE exchanges it once for a
permit. The Jira App may also mint a permit directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cairn.core import clock
from cairn.core.errors import Forbidden, Unauthenticated
from cairn.tasks.domain.credentials import LAUNCH_CODE_PREFIX, digest, launch_days, new_secret, well_formed
from cairn.tasks.service import permits
from cairn.tasks.service.installations import Installation
from cairn.tasks.store import credentials, task_documents

_DAY = 24 * 3600


@dataclass(frozen=True)
class LaunchCode:
    code: str
    expires_at: int


@dataclass(frozen=True)
class ExchangedPermit:
    cloud_id: str
    project_id: str
    task_id: str
    permit: str
    expires_at: int


def mint_code(caller: Installation, project_id: str, task_id: str, *, expiration_days: int | None,
              user_account_id: str | None, jira_context: Any, initial_tai: Any) -> LaunchCode:
    days = launch_days(expiration_days)
    context = None
    if jira_context is not None or initial_tai is not None:
        document = {"context": jira_context, "initialTai": initial_tai,
                    "updatedAt": clock.timestamp(clock.now())}
        context = task_documents.item(caller.installation_id, project_id, task_id, task_documents.CONTEXT_SK,
                                      document)
    code = new_secret(LAUNCH_CODE_PREFIX)
    expires = int(clock.now().timestamp()) + days * _DAY
    binding = {"installation": caller.installation_id, "cloudId": caller.cloud_id, "projectId": project_id,
               "taskId": task_id, "principal": caller.principal, "userAccountId": user_account_id}
    credentials.put_launch_code(digest(code), binding, expires, context)
    return LaunchCode(code, expires)


def exchange(code: str, project_id: str, task_id: str) -> ExchangedPermit:
    """The permit for a code used here for the first time; every other exchange of it fails (401 for an unknown,
    used or expired code, 403 for another project or task, which leaves the code unused)."""
    now = int(clock.now().timestamp())
    item, used = credentials.use_launch_code(digest(code), project_id, task_id, now) if well_formed(
        code, LAUNCH_CODE_PREFIX) else (None, False)
    if item is None:
        raise Unauthenticated("unknown launch code", field="code")
    if not used:
        if "usedAt" in item:
            raise Unauthenticated("the launch code was already used", field="code")
        if item["expiresAt"] <= now:
            raise Unauthenticated("the launch code has expired", field="code")
        raise Forbidden("the launch code is bound to another project or task", field="projectId")
    return _permit(item["installation"], item["cloudId"], project_id, task_id)


def direct_permit(caller: Installation, project_id: str, task_id: str) -> ExchangedPermit:
    return _permit(caller.installation_id, caller.cloud_id, project_id, task_id)


def _permit(installation: str, cloud_id: str, project_id: str, task_id: str) -> ExchangedPermit:
    minted = permits.mint(installation, cloud_id, project_id, task_id)
    return ExchangedPermit(cloud_id, project_id, task_id, minted.permit, minted.expires_at)


def task_context(permit: permits.Permit) -> dict[str, Any] | None:
    return task_documents.get(permit.installation, permit.project_id, permit.task_id, task_documents.CONTEXT_SK)
