"""The run protocol of the sources store (docs/sources.md, "The store protocol"): one run at a time, a stale run
replaced, a run cut off by a reset or a delete writes nothing more, and the due index across tenants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from cairn.aws import outbox
from cairn.aws.table import table
from cairn.core.errors import Conflict, NotFound
from cairn.sources.service import sources
from tests.http.helpers import create_project


@dataclass(frozen=True)
class Item:
    remote_id: str
    author: str = "U1"
    url: str = "https://slack.example/m"
    time: str = "2026-02-10T15:00:00Z"
    text: str = "a message"


@pytest.fixture
def source(agent, project, clock):
    sources.create(agent.tenant, "src", project, "slack", {"channelId": "C1", "syncIntervalMinutes": 5})
    return agent.tenant


def test_one_run_at_a_time_and_a_stale_run_is_replaced(source, clock):
    sources.begin_run(source, "src", "run-1")
    with pytest.raises(sources.RunRefused) as refused:
        sources.begin_run(source, "src", "run-2")
    assert refused.value.running
    assert refused.value.item["runId"] == "run-1"
    clock.advance(timedelta(hours=1, seconds=1))  # run-1 was lost without reaching its Catch
    assert sources.begin_run(source, "src", "run-2")["runId"] == "run-2"
    with pytest.raises(sources.SourceGone):
        sources.commit_page(source, "src", "run-1", stored=1, watermark="1")


def test_a_disabled_source_does_not_run(source):
    sources.update(source, "src", {"enabled": False})
    with pytest.raises(sources.RunRefused) as refused:
        sources.begin_run(source, "src", "run-1")
    assert not refused.value.running
    assert isinstance(refused.value, Conflict)


def test_finish_commits_the_cursor_and_counts_and_fail_keeps_the_cursor(source, clock):
    sources.begin_run(source, "src", "run-1")
    sources.commit_page(source, "src", "run-1", stored=3, watermark="5")
    sources.commit_page(source, "src", "run-1", stored=2, watermark="9")
    finished = sources.finish_run(source, "src", "run-1", "9")
    assert (finished["state"], finished["syncCursor"], finished["itemsSynced"]) == ("idle", "9", 5)
    assert "runId" not in finished
    sources.begin_run(source, "src", "run-2")
    failed = sources.fail_run(source, "src", "run-2", "slack answered HTTP 401: invalid_auth")
    assert (failed["state"], failed["syncCursor"], failed["lastError"]) == \
        ("failed", "9", "slack answered HTTP 401: invalid_auth")
    assert sources.begin_run(source, "src", "run-3").get("lastError") is None  # a new run clears it
    with pytest.raises(sources.SourceGone):
        sources.finish_run(source, "src", "run-2", "10")  # not the running run


def test_a_reset_cuts_off_the_running_sync(agent, source):
    create_project(agent, "elsewhere")
    sources.begin_run(source, "src", "run-1")
    sources.update(source, "src", {"projectId": "elsewhere"})
    with pytest.raises(sources.SourceGone):
        sources.store_records(source, "src", "run-1", [Item("1")])
    with pytest.raises(sources.SourceGone):
        sources.commit_page(source, "src", "run-1", stored=1, watermark="1")
    assert sources.status(source, "src")["state"] == "idle"


def test_storing_for_a_deleted_source_is_refused(source):
    sources.begin_run(source, "src", "run-1")
    sources.delete(source, "src")
    with pytest.raises(NotFound):
        sources.store_records(source, "src", "run-1", [Item("1")])


def test_due_sources_across_tenants_and_not_disabled_ones(source, agent, caller, clock):
    other = caller(roles=("agent", "admin"))
    create_project(other, "p2")
    sources.create(other.tenant, "theirs", "p2", "github", {"repository": "acme/api"})
    due = set(sources.due_sources(limit=10_000))
    assert {(source, "src"), (other.tenant, "theirs")} <= due  # new sources are due at once
    sources.begin_run(source, "src", "run-1")
    sources.finish_run(source, "src", "run-1", "")
    sources.update(other.tenant, "theirs", {"enabled": False})
    due = set(sources.due_sources(limit=10_000))
    assert (source, "src") not in due  # next due in 5 minutes
    assert (other.tenant, "theirs") not in due  # disabled: off the index
    clock.advance(timedelta(minutes=5))
    assert (source, "src") in set(sources.due_sources(limit=10_000))


def test_a_finished_run_and_a_failed_run_each_write_their_event(source):
    sources.begin_run(source, "src", "run-1")
    sources.finish_run(source, "src", "run-1", "c1")
    sources.begin_run(source, "src", "run-2")
    sources.fail_run(source, "src", "run-2", "boom")
    with pytest.raises(sources.SourceGone):
        sources.fail_run(source, "src", "run-2", "again")  # over already: no second event

    events = table().query(outbox.events_index_pk(source), index="GSI1").items
    assert sorted((event["topic"], event["detail"]["runId"]) for event in events
                  if event["topic"].startswith("source.")) == [
        ("source.failed", "run-2"), ("source.synced", "run-1")]
