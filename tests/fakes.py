"""In-memory stand-ins for the clock, the id source and the ports services call out through, so a
service test runs without S3, Secrets Manager, Step Functions, Bedrock or a remote server.

Each fake has the interface of what it replaces: the ``Clock``/``IdSource``/``Answerer`` protocols, or,
for ports that are still modules of functions (``cairn.aws.blobs``, ``cairn.aws.secrets``,
``cairn.integrations.remote``, the purge starter), functions of the same signatures. tests/conftest.py
installs each with one fixture.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cairn.core.errors import IntegrationNotConfigured, UpstreamError
from cairn.core.settings import get_settings
from cairn.core.text import text_size
from cairn.insights.domain.answer import Source
from cairn.integrations.remote import Reply

# --- clock and ids ---------------------------------------------------------------------------------------------


class FakeClock:
    """A clock that stands still until advanced; with ``step``, each reading moves it on by ``step`` (distinct,
    increasing timestamps however fast the code runs). Thread-safe: requests read it on server threads."""

    def __init__(self, start: datetime, step: timedelta = timedelta(0)) -> None:
        self._now = start.astimezone(UTC)
        self.step = step
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            moment = self._now
            self._now += self.step
            return moment

    def advance(self, delta: timedelta = timedelta(seconds=1)) -> None:
        with self._lock:
            self._now += delta

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment.astimezone(UTC)


class SequentialIds:
    """Ids numbered in creation order: ``ms-000000000001``, ``log-000000000002``, ..."""

    def __init__(self) -> None:
        self.issued = 0
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            self.issued += 1
            return f"{self.issued:012x}"


# --- cairn.aws.blobs -------------------------------------------------------------------------------------------


class FakeBlobStore:
    """``cairn.aws.blobs`` over a dict: key -> the offloaded fields."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}

    def offload(self, item: dict[str, Any], fields: tuple[str, ...], *, prefix: str, name: str) -> str | None:
        if text_size(*(item[name] for name in fields)) <= get_settings().inline_text_limit_bytes:
            return None
        blob_key = f"{prefix}{name}.json"
        self.objects[blob_key] = {field_name: item.pop(field_name) for field_name in fields}
        item["blobKey"] = blob_key
        return blob_key

    def hydrate(self, item: dict[str, Any]) -> dict[str, Any]:
        blob_key = item.pop("blobKey", None)
        if blob_key:
            item.update(self.objects[blob_key])
        return item

    def discard(self, blob_key: str | None) -> None:
        if blob_key:
            self.objects.pop(blob_key, None)

    def delete_prefix_page(self, prefix: str, max_keys: int = 1000) -> int:
        page = [key for key in sorted(self.objects) if key.startswith(prefix)][:max_keys]
        for key in page:
            del self.objects[key]
        return len(page)


# --- cairn.aws.secrets -----------------------------------------------------------------------------------------


class FakeSecrets:
    """``cairn.aws.secrets.load`` over a dict: (tenant, integration) -> credentials."""

    def __init__(self) -> None:
        self.credentials: dict[tuple[str, str], dict[str, Any]] = {}
        self.reads: list[tuple[str, str]] = []

    def put(self, tenant: str, integration: str, credentials: dict[str, Any]) -> None:
        self.credentials[(tenant, integration)] = credentials

    def load(self, tenant: str, integration: str, required: tuple[str, ...]) -> dict[str, Any]:
        self.reads.append((tenant, integration))
        credentials = self.credentials.get((tenant, integration))
        if credentials is None:
            raise IntegrationNotConfigured(f"{integration} is not configured for this tenant", field="action")
        missing = [key for key in required if not credentials.get(key)]
        if missing:
            raise IntegrationNotConfigured(f"the {integration} credentials lack {', '.join(missing)}",
                                           field="action")
        return credentials


# --- cairn.integrations.remote ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteCall:
    url: str
    body: dict[str, Any]
    headers: dict[str, str]
    timeout: float
    service: str


@dataclass
class FakeRemote:
    """``cairn.integrations.remote.post_json``: records each call and answers ``reply`` (a 2xx ``Reply``), or
    raises ``failure`` as the real client raises every remote failure."""

    reply: Reply = field(default_factory=lambda: Reply(200, {}))
    failure: UpstreamError | None = None
    calls: list[RemoteCall] = field(default_factory=list)

    def post_json(self, url: str, body: dict[str, Any], headers: dict[str, str], *, timeout: float, service: str,
                  secrets: tuple[str, ...] = ()) -> Reply:
        # A copy through JSON, as the wire would carry it: a later change to ``body`` cannot alter the record.
        self.calls.append(RemoteCall(url, json.loads(json.dumps(body)), dict(headers), timeout, service))
        if self.failure is not None:
            raise self.failure
        return self.reply


# --- the Answerer port (cairn.insights.domain.answer) ----------------------------------------------------------


@dataclass
class FakeAnswerer:
    """An ``Answerer`` that answers ``text`` and keeps what it was asked."""

    text: str = "a fake answer [1]"
    name: str = "fake"
    questions: list[tuple[str, list[Source]]] = field(default_factory=list)

    def answer(self, question: str, sources: list[Source]) -> str:
        self.questions.append((question, list(sources)))
        return self.text


# --- the purge state machine starter (cairn.memory.store.purge.start_purge) ------------------------------------


@dataclass(frozen=True)
class PurgeStart:
    tenant: str
    project_id: str
    generation: int


@dataclass
class FakePurgeStarter:
    """``start_purge``: records each start and returns an execution ARN; ``failure`` makes starting fail."""

    failure: Exception | None = None
    started: list[PurgeStart] = field(default_factory=list)

    def start_purge(self, tenant: str, project_id: str, generation: int = 0) -> str:
        if self.failure is not None:
            raise self.failure
        self.started.append(PurgeStart(tenant, project_id, generation))
        return f"arn:aws:states:us-east-1:123456789012:execution:fake-purge:{len(self.started)}"
