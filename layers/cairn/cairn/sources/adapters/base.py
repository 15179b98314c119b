"""What every connector takes and answers: the connection's credentials, a page of normalized records, the
cursor to resume from, and the typed failures the sync state machine retries or records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from cairn.core.errors import UpstreamError

PAGE_SIZE = 100


@dataclass(frozen=True)
class Connection:
    """A tenant's credentials for one provider (stored by the connections routes, never logged)."""

    base_url: str
    token: str
    email: str = ""


@dataclass(frozen=True)
class Record:
    """One remote item, normalized: ``remote_id`` is unique within the source (ingest is idempotent by it)."""

    remote_id: str
    author: str
    url: str
    time: str  # ISO 8601, UTC
    text: str


@dataclass(frozen=True)
class Page:
    """One remote page. ``next_page`` resumes this run's paging (None: the run has read everything after the
    cursor); ``watermark`` is the newest position seen on this page, which becomes the source's cursor once
    the run's last page is stored ("" when the page was empty)."""

    records: list[Record]
    next_page: str | None
    watermark: str = ""


class Connector(Protocol):
    provider: str

    def fetch_page(self, connection: Connection, config: dict[str, Any], cursor: str,
                   page: str | None) -> Page:
        """The page after ``cursor`` (the stored sync cursor) at ``page`` (None: the first page of the run)."""

    def newer(self, first: str, second: str) -> str:
        """The later of two watermarks of this provider ("" is older than any)."""


# --- failures --------------------------------------------------------------------------------------------------
# The class names are the error names Step Functions matches in Retry/Catch (a Lambda's errorType is the
# exception's class name): keep them in step with statemachines/source_sync.asl.json.


class SourceThrottled(UpstreamError):
    """The provider answered 429 (or Slack's ``ratelimited``): retry after ``retry_after`` seconds."""

    code = "source_throttled"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SourceUnavailable(UpstreamError):
    """A 5xx, a timeout or a connection failure: worth retrying with backoff."""

    code = "source_unavailable"


class SourceAuthFailed(UpstreamError):
    """The provider rejected the connection's credentials (401/403, Slack ``invalid_auth``...): not retried,
    the source is marked failed until the connection is fixed."""

    code = "source_auth_failed"


class SourceRequestFailed(UpstreamError):
    """Any other refusal (404 channel or repository, 400 bad JQL...): not retried."""

    code = "source_request_failed"


@dataclass
class Answer:
    """A remote answer: 2xx status, headers (lower-cased names) and the parsed JSON body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
