"""Errors the domain, the services and the store raise. Each carries a stable ``code`` (docs/errors.md) and no
HTTP status: ``cairn.http.errors`` maps each class to one."""

from __future__ import annotations


class CairnError(Exception):
    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(CairnError):
    code = "invalid_input"


class Unauthenticated(CairnError):
    code = "unauthenticated"


class Forbidden(CairnError):
    code = "forbidden"


class NotFound(CairnError):
    code = "not_found"


class Conflict(CairnError):
    code = "conflict"


class IdempotencyMismatch(CairnError):
    code = "idempotency_key_reused"


class Busy(CairnError):
    """Optimistic concurrency gave up after its retries; the client may retry."""

    code = "contention"


class UnknownAction(InvalidInput):
    """An intelligence action that Cairn does not know."""

    code = "unknown_action"


class IntegrationNotConfigured(CairnError):
    """The tenant has no (usable) credentials for an integration (docs/intelligence.md)."""

    code = "integration_not_configured"


class UpstreamError(CairnError):
    """A remote service (Bedrock, Jira, Slack, Secrets Manager) failed; the message says what it said."""

    code = "upstream_error"


class InsufficientCredits(CairnError):
    """The installation's credits do not cover a debit; nothing was debited (docs/task-engine.md)."""

    code = "insufficient_credits"


class Gone(CairnError):
    """A published route that is deliberately disabled (docs/task-engine.md, telemetry)."""

    code = "disabled"
