"""Errors the domain and the store raise; the HTTP room maps each to a status code."""

from __future__ import annotations


class CairnError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(CairnError):
    status = 400
    code = "invalid_input"


class Unauthenticated(CairnError):
    status = 401
    code = "unauthenticated"


class Forbidden(CairnError):
    status = 403
    code = "forbidden"


class NotFound(CairnError):
    status = 404
    code = "not_found"


class Conflict(CairnError):
    status = 409
    code = "conflict"


class IdempotencyMismatch(CairnError):
    status = 422
    code = "idempotency_key_reused"


class Busy(CairnError):
    """Optimistic concurrency gave up after its retries; the client may retry."""

    status = 503
    code = "contention"


class UnknownAction(InvalidInput):
    """An intelligence action that Cairn does not know."""

    code = "unknown_action"


class IntegrationNotConfigured(CairnError):
    """The tenant has no (usable) credentials for an integration (docs/intelligence.md)."""

    status = 409
    code = "integration_not_configured"


class UpstreamError(CairnError):
    """A remote service (Bedrock, Jira, Slack, Secrets Manager) failed; the message says what it said."""

    status = 502
    code = "upstream_error"
