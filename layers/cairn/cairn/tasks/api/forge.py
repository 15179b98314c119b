"""The Jira App's credentials on Jira-side routes: a Forge invocation token (``ForgeCaller``) and, on every route
but ``POST /v1/jira/request-key``, the current single-use request key (``JiraCaller``), which the route consumes
with ``rotate`` once its input is valid (an invalid request keeps the key)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response

from cairn.http.auth import register_credential_check
from cairn.integrations import forge
from cairn.tasks.api.permits import bearer
from cairn.tasks.service import request_keys
from cairn.tasks.service.installations import Installation

REQUEST_KEY_HEADER = "X-SeeCodes-Jira-Request-Key"
NEXT_KEY_HEADER = "X-SeeCodes-Next-Request-Key"


def forge_caller(request: Request) -> Installation:
    claims = forge.verify(bearer(request))
    return Installation(claims.installation_id, claims.cloud_id, claims.principal, claims.site_url,
                        claims.license_active, claims.environment)


@dataclass(frozen=True)
class JiraRequest:
    installation: Installation
    presented_key: str | None


def _jira_request(request: Request) -> JiraRequest:
    return JiraRequest(forge_caller(request), request.headers.get(REQUEST_KEY_HEADER))


def rotate(jira: JiraRequest, response: Response) -> Installation:
    """Consumes the presented request key (401 unless it is the current one of this installation and principal)
    and puts the next one in ``X-SeeCodes-Next-Request-Key``."""
    following = request_keys.consume(jira.installation.installation_id, jira.installation.principal,
                                      jira.presented_key)
    response.headers[NEXT_KEY_HEADER] = following.key
    return jira.installation


# Checked before the body is parsed, and documented as bearer auth (cairn.http.auth).
register_credential_check(forge_caller)
register_credential_check(_jira_request)

ForgeCaller = Annotated[Installation, Depends(forge_caller)]
JiraCaller = Annotated[JiraRequest, Depends(_jira_request)]
