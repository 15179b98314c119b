"""The sync's page step with an in-memory ledger and a scripted connector: Retry-After becomes the Wait
state's seconds (bounded), too many throttles fail the run, the page budget ends it, and a run that lost the
source stops without storing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from cairn.sources.adapters.base import Connection, Page, Record, SourceThrottled
from cairn.sources.service import sync_steps
from cairn.sources.service.sync_steps import Run, RunOver, SourceView
from tests.fakes import FakeSecrets

RECORD = Record("1.0", "U1", "https://slack.com/archives/C1/p10", "2026-01-01T00:00:00Z", "hello")


@dataclass
class MemoryLedger:
    run_id: str = "run-1"
    gone: bool = False
    stored: list[Record] = field(default_factory=list)

    def source(self, tenant: str, source_id: str) -> SourceView:
        return SourceView("slack", {"channelId": "C1"}, "", self.run_id)

    def store_page(self, source: SourceView, run_id: str, records: list[Record], watermark: str) -> int:
        if self.gone:
            raise RunOver("deleted")
        self.stored += records
        return len(records)

    def commit(self, tenant: str, source_id: str, run_id: str, cursor: str) -> None:
        raise AssertionError("not called by page")

    def pause(self, tenant: str, source_id: str, run_id: str, resume_page: str) -> None:
        raise AssertionError("not called by page")

    def fail(self, tenant: str, source_id: str, run_id: str, error: str) -> None:
        raise AssertionError("not called by page")


@dataclass
class Scripted:
    """A Slack connector answering ``answers`` in turn (an exception is raised)."""

    answers: list[Any]
    provider: str = "slack"

    def fetch_page(self, connection: Connection, config: dict[str, Any], cursor: str, page: str | None) -> Page:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    def newer(self, first: str, second: str) -> str:
        return max(first, second)


@pytest.fixture
def connected(fake_secrets: FakeSecrets) -> None:
    fake_secrets.put("t", "slack", {"token": "xoxb", "baseUrl": "https://slack.com/api"})


def use(monkeypatch: pytest.MonkeyPatch, *answers: Any) -> None:
    connector = Scripted(list(answers))
    monkeypatch.setattr(sync_steps, "connector_for", lambda provider: connector)


@pytest.mark.usefixtures("connected")
@pytest.mark.parametrize(("retry_after", "wait"), [(0.2, 1), (7.5, 8), (86_400, 900)])
def test_a_throttled_page_waits_its_retry_after_rounded_up_and_bounded(monkeypatch: pytest.MonkeyPatch,
                                                                       retry_after: float, wait: int) -> None:
    use(monkeypatch, SourceThrottled("429", retry_after=retry_after), Page([RECORD], None, "1.0"))
    ledger = MemoryLedger()

    waiting = sync_steps.page(Run("t", "s", "run-1"), ledger)
    assert (waiting.waitSeconds, waiting.throttles, waiting.done, ledger.stored) == (wait, 1, False, [])
    after = sync_steps.page(waiting, ledger)
    assert (after.waitSeconds, after.done, after.items, after.watermark) == (0, True, 1, "1.0")


@pytest.mark.usefixtures("connected")
def test_too_many_throttles_fail_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, *[SourceThrottled("429", retry_after=1)] * (sync_steps.THROTTLES_PER_RUN + 1))
    run = Run("t", "s", "run-1")
    for _ in range(sync_steps.THROTTLES_PER_RUN):
        run = sync_steps.page(run, MemoryLedger())

    with pytest.raises(SourceThrottled):
        sync_steps.page(run, MemoryLedger())


@pytest.mark.usefixtures("connected")
def test_the_page_budget_ends_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, Page([RECORD], "next", "1.0"))
    run = Run("t", "s", "run-1", pages=sync_steps.PAGES_PER_RUN - 1)

    ended = sync_steps.page(run, MemoryLedger())

    assert (ended.done, ended.page, ended.pages) == (True, "next", sync_steps.PAGES_PER_RUN)


@pytest.mark.usefixtures("connected")
def test_a_run_that_lost_its_source_stops_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, Page([RECORD], "next", "1.0"))

    stopped = sync_steps.page(Run("t", "s", "run-1"), MemoryLedger(gone=True))

    assert (stopped.stopped, stopped.done, stopped.items) == (True, True, 0)


def test_a_superseded_run_stops_at_load() -> None:
    assert sync_steps.load(Run("t", "s", "run-old"), MemoryLedger(run_id="run-new")).stopped


def test_the_failure_message_is_the_lambdas_error_message() -> None:
    cause = '{"errorType": "SourceAuthFailed", "errorMessage": "slack refused the token: invalid_auth"}'

    assert sync_steps.error_message({"Error": "SourceAuthFailed", "Cause": cause}) == \
        "slack refused the token: invalid_auth"
    assert sync_steps.error_message({"Error": "States.Timeout", "Cause": ""}) == "States.Timeout"
