"""Bearer JWT authentication and tenancy (docs/auth.md).

Algorithms are pinned by configuration (HS256 with a local secret, or RS256 against a JWKS
URL); ``exp``, ``iss``, ``aud``, ``sub`` and ``tenant_id`` are required. The tenant comes from
the token only; ``x-workspace-id``, when sent, must name the same tenant.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request

from cairn.core.errors import Forbidden, Unauthenticated
from cairn.core.settings import get_settings
from cairn.http import access

READ_ROLES = frozenset({"viewer", "member", "agent", "admin"})
WRITE_ROLES = frozenset({"member", "agent", "admin"})
ADMIN_ROLES = frozenset({"admin"})
# Platform routes (docs/auth.md, docs/platform.md): the conventions' roles mapped onto Cairn's.
PLATFORM_READ_ROLES = READ_ROLES | frozenset({"ops_engineer", "automation_operator", "data_admin"})
OPERATOR_ROLES = frozenset({"admin", "ops_engineer", "automation_operator"})
DATA_ADMIN_ROLES = frozenset({"admin", "data_admin"})
_REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub", "tenant_id"]
_TIME_CLAIMS = ("exp", "nbf", "iat")
_LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant: str
    roles: frozenset[str]


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> Any:
    from jwt import PyJWKClient

    return PyJWKClient(url, cache_keys=True, lifespan=3600)


def _verification_key(token: str) -> Any:
    settings = get_settings()
    if settings.jwt_algorithm == "HS256":
        return settings.jwt_secret  # never empty: the settings refuse HS256 without a secret
    return _jwks_client(settings.jwks_url).get_signing_key_from_jwt(token).key


def _is_numeric_date(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _require_numeric_dates(claims: dict[str, Any]) -> None:
    """RFC 7519: ``exp``, ``nbf`` and ``iat`` are NumericDates, JSON numbers. PyJWT converts them with int(),
    so it accepts the string "9999999999"; such a token is refused."""
    for claim in _TIME_CLAIMS:
        if claim in claims and not _is_numeric_date(claims[claim]):
            raise Unauthenticated(f"bearer token claim '{claim}' must be a NumericDate (a JSON number of seconds)")


def verify(token: str) -> Principal:
    import jwt

    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            _verification_key(token),
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            leeway=_LEEWAY_SECONDS,
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as expired:
        raise Unauthenticated("bearer token has expired") from expired
    except jwt.PyJWTError as invalid:
        raise Unauthenticated(f"bearer token is invalid: {invalid}") from invalid
    _require_numeric_dates(claims)
    roles = claims.get("roles", [])
    tenant = claims["tenant_id"]
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise Unauthenticated("bearer token claim 'roles' must be a list of strings")
    if not isinstance(tenant, str) or not tenant or not isinstance(claims["sub"], str):
        raise Unauthenticated("bearer token claims 'tenant_id' and 'sub' must be non-empty strings")
    return Principal(subject=claims["sub"], tenant=tenant, roles=frozenset(roles))


def authenticate(request: Request) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("missing bearer token (Authorization: Bearer <jwt>)")
    principal = verify(token.strip())
    access.note_principal(principal.tenant, principal.subject)
    workspace = request.headers.get("x-workspace-id")
    if workspace is not None and workspace != principal.tenant:
        raise Forbidden("x-workspace-id does not match the token's tenant", field="x-workspace-id")
    return principal


def _requiring(allowed: frozenset[str], action: str) -> Any:
    def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not principal.roles & allowed:
            raise Forbidden(f"{action} needs one of the roles: {', '.join(sorted(allowed))}")
        return principal

    return dependency


require_reader = _requiring(READ_ROLES, "reading")
require_writer = _requiring(WRITE_ROLES, "writing")
require_admin = _requiring(ADMIN_ROLES, "deleting")
require_platform_reader = _requiring(PLATFORM_READ_ROLES, "reading platform state")
require_operator = _requiring(OPERATOR_ROLES, "retrying or cancelling a workflow execution")
require_data_admin = _requiring(DATA_ADMIN_ROLES, "exporting or importing")
require_webhook_admin = _requiring(ADMIN_ROLES, "managing webhook subscriptions")

_ACCESS_CHECKS = (require_reader, require_writer, require_admin,
                  require_platform_reader, require_operator, require_data_admin, require_webhook_admin)
# Credential dependencies of other kinds (a context's own bearer credential, such as the task engine's permits):
# each checks the request by itself. Registered by the context that defines it, which the http room cannot import.
_CREDENTIAL_CHECKS: dict[Any, Callable[[Request], Any]] = {}


def register_credential_check(dependency: Callable[[Request], Any]) -> None:
    """Makes ``dependency`` (a FastAPI dependency taking the request) an access check: it runs before the body is
    parsed (``check_route_access``) and the route's OpenAPI entry documents 401/403 and the bearer scheme."""
    _CREDENTIAL_CHECKS[dependency] = dependency


def check_route_access(request: Request) -> None:
    """Runs the matched route's access checks (token, x-workspace-id, role) on their own.

    FastAPI parses a JSON body before it resolves dependencies, so without this a malformed body would
    be described to a caller who may not call the route at all (400 before 401/403)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    checks = access_checks(dependant) if dependant is not None else []
    for credential_check in [check for check in checks if check in _CREDENTIAL_CHECKS]:
        _CREDENTIAL_CHECKS[credential_check](request)
    role_checks = [check for check in checks if check not in _CREDENTIAL_CHECKS]
    if role_checks:
        principal = authenticate(request)
        for check in role_checks:
            check(principal)


def access_checks(dependant: Any) -> list[Any]:
    """The access checks (token, role) among a route's dependencies, nested ones included."""
    found = [d.call for d in dependant.dependencies if d.call in _ACCESS_CHECKS or d.call in _CREDENTIAL_CHECKS]
    for sub in dependant.dependencies:
        found.extend(access_checks(sub))
    return found


Reader = Annotated[Principal, Depends(require_reader)]
Writer = Annotated[Principal, Depends(require_writer)]
Admin = Annotated[Principal, Depends(require_admin)]
