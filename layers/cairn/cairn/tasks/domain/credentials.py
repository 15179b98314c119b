"""Credentials of the task engine (docs/task-engine.md, "Request keys"): request keys and launch codes are random
secrets with a readable prefix, stored only as their SHA-256 (a 256-bit random secret needs no salt or slow hash)
and matched by digest, so timing can only reveal digests, which reveal nothing of a secret; permits are signed
JWTs, never stored."""

from __future__ import annotations

import hashlib
import re
import secrets

from cairn.core.errors import InvalidInput

REQUEST_KEY_PREFIX = "sc_jira_req_"
LAUNCH_CODE_PREFIX = "sc_launch_"
REQUEST_KEY_SECONDS = 15 * 60
PERMIT_SECONDS = 24 * 3600
MIN_LAUNCH_DAYS, MAX_LAUNCH_DAYS = 1, 14
DEFAULT_LAUNCH_DAYS = MAX_LAUNCH_DAYS
# Jira project ids and keys, issue keys ("AUTH", "10001", "AUTH-128"): one URL-safe segment.
TASK_IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def well_formed(secret: str, prefix: str) -> bool:
    """A presented secret worth looking up: the right prefix and only URL-safe characters (bounded length)."""
    return secret.startswith(prefix) and bool(_SECRET.match(secret))


def launch_days(value: int | None) -> int:
    days = DEFAULT_LAUNCH_DAYS if value is None else value
    if not MIN_LAUNCH_DAYS <= days <= MAX_LAUNCH_DAYS:
        raise InvalidInput(f"expirationDays must be between {MIN_LAUNCH_DAYS} and {MAX_LAUNCH_DAYS}",
                           field="expirationDays")
    return days
