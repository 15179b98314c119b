"""Task permits (docs/task-engine.md, "Task permits"): HS256 JWTs Cairn signs with its own key, bound to one
installation, project and task, valid 24 h. Their own issuer, audience and pinned algorithm: a Forge token (RS256,
Atlassian's issuer) or a memory-API token never verifies as a permit. Permits are not stored."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cairn.core import clock
from cairn.core.errors import Forbidden, Unauthenticated, UpstreamError
from cairn.core.settings import get_settings
from cairn.tasks.domain.credentials import PERMIT_SECONDS

ISSUER = "cairn/task-permit"
AUDIENCE = "cairn-task-engine"
_ALGORITHM = "HS256"
_REQUIRED = ["exp", "iat", "iss", "aud", "inst", "cloudId", "projectId", "taskId", "jti"]


@dataclass(frozen=True)
class Permit:
    installation: str
    cloud_id: str
    project_id: str
    task_id: str

    def require(self, *, project_id: str | None = None, task_id: str | None = None) -> None:
        """Refuses a request (403) whose project or task differs from the permit's binding."""
        if project_id is not None and project_id != self.project_id:
            raise Forbidden("the task permit is bound to another project", field="projectId")
        if task_id is not None and task_id != self.task_id:
            raise Forbidden("the task permit is bound to another task", field="taskId")


@dataclass(frozen=True)
class MintedPermit:
    permit: str
    expires_at: int


def mint(installation: str, cloud_id: str, project_id: str, task_id: str) -> MintedPermit:
    import jwt

    issued = int(clock.now().timestamp())
    expires = issued + PERMIT_SECONDS
    claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": issued, "exp": expires, "jti": secrets.token_hex(16),
              "inst": installation, "cloudId": cloud_id, "projectId": project_id, "taskId": task_id}
    return MintedPermit(jwt.encode(claims, _signing_key(), algorithm=_ALGORITHM), expires)


def verify(token: str) -> Permit:
    import jwt

    try:
        claims = jwt.decode(token, _signing_key(), algorithms=[_ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                            options={"require": _REQUIRED, "verify_exp": False})
    except jwt.PyJWTError:
        raise Unauthenticated("the task permit is invalid") from None
    expires = claims["exp"]
    if not isinstance(expires, (int, float)) or isinstance(expires, bool) or not math.isfinite(expires):
        raise Unauthenticated("the task permit is invalid")
    if expires <= clock.now().timestamp():  # the process's clock (tests move it), not PyJWT's
        raise Unauthenticated("the task permit has expired")
    values = [claims[name] for name in ("inst", "cloudId", "projectId", "taskId")]
    if not all(isinstance(value, str) and value for value in values):
        raise Unauthenticated("the task permit is invalid")
    return Permit(*values)


def _signing_key() -> str:
    settings = get_settings()
    if settings.permit_signing_key:
        return settings.permit_signing_key
    if settings.permit_signing_secret_name:
        return _key_from_secrets_manager(settings.permit_signing_secret_name)
    raise UpstreamError("no task-permit signing key is configured (CAIRN_PERMIT_SIGNING_KEY or "
                        "CAIRN_PERMIT_SIGNING_SECRET_NAME)")


@lru_cache(maxsize=2)
def _key_from_secrets_manager(name: str) -> str:
    """Read once per container: the key only changes by a deployment."""
    from cairn.aws import secrets as stored

    key = stored.plain(name)
    if len(key) < 32:
        raise UpstreamError("the task-permit signing secret must hold at least 32 characters")
    return key
