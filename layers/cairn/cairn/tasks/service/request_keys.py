"""Single-use Jira request keys (docs/task-engine.md, "Request keys"): one current key per installation and
principal; a Jira-side call presenting it consumes it and gets the next one."""

from __future__ import annotations

from dataclasses import dataclass

from cairn.core import clock
from cairn.core.errors import Unauthenticated
from cairn.tasks.domain.credentials import REQUEST_KEY_PREFIX, REQUEST_KEY_SECONDS, digest, new_secret, well_formed
from cairn.tasks.store import credentials


@dataclass(frozen=True)
class IssuedKey:
    key: str
    expires_at: int


def issue(installation: str, principal: str) -> IssuedKey:
    """A new current key; the previous one (used or not) stops working."""
    key = new_secret(REQUEST_KEY_PREFIX)
    expires = int(clock.now().timestamp()) + REQUEST_KEY_SECONDS
    credentials.put_request_key(installation, principal, digest(key), expires)
    return IssuedKey(key, expires)


def consume(installation: str, principal: str, presented: str | None) -> IssuedKey:
    """Consumes ``presented`` if it is the current unexpired key of this installation and principal, and returns
    the next one; 401 otherwise (a replay, a stale key, another installation's or principal's key)."""
    if not presented:
        raise Unauthenticated("X-SeeCodes-Jira-Request-Key is required (POST /v1/jira/request-key issues one)",
                              field="X-SeeCodes-Jira-Request-Key")
    following = new_secret(REQUEST_KEY_PREFIX)
    now = int(clock.now().timestamp())
    if not well_formed(presented, REQUEST_KEY_PREFIX) or not credentials.rotate_request_key(
            installation, principal, digest(presented), now, digest(following), now + REQUEST_KEY_SECONDS):
        raise Unauthenticated("the Jira request key is not the current one: it was used, expired or belongs to "
                              "another installation (POST /v1/jira/request-key issues a new one)",
                              field="X-SeeCodes-Jira-Request-Key")
    return IssuedKey(following, now + REQUEST_KEY_SECONDS)
