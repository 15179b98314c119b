"""The schedule's dispatcher, fired as the dev server fires the template's EventBridge schedule: one Query of
the due index across tenants, a sync started for each enabled due source."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from cairn.core import clock
from cairn_local import scheduler, template
from cairn_local.fake_remote import FakeRemoteServer, fake_remote_server, slack_history, slack_messages
from tests.conftest import Caller
from tests.http.sync_helpers import add_source, connect, source, wait_for_syncs

pytestmark = pytest.mark.fresh_table  # the due index spans tenants: no other test's sources in it

PROJECT = "synapse-backend"
CONFIG = {"channelId": "C0123456789", "syncIntervalMinutes": 5}


@pytest.fixture
def slack(aws: dict[str, str]) -> Iterator[FakeRemoteServer]:
    with fake_remote_server() as server:
        server.route("/api/conversations.history", slack_history(slack_messages(3)))
        yield server


def dispatch() -> dict[str, list[str]]:
    (schedule,) = [s for s in template.schedules() if s.logical_id == "SourceDispatcherFunction"]
    assert schedule.seconds == 60
    answer: dict[str, list[str]] = scheduler.fire(schedule)
    return answer


def test_due_sources_are_synced_and_then_wait_for_their_interval(agent: Caller, project: str,
                                                                 slack: FakeRemoteServer) -> None:
    tenant = agent.tenant
    connect(tenant, "slack", f"{slack.url}/api", "xoxb-good")
    add_source(tenant, PROJECT, "due", "slack", CONFIG)
    add_source(tenant, PROJECT, "off", "slack", CONFIG, enabled=False)
    add_source(tenant, PROJECT, "jira-api", "jira", {"projectKey": "API"})

    first = dispatch()

    assert first == {"started": [f"{tenant}/due"], "skipped": [f"{tenant}/jira-api"]}
    assert [d["status"] for d in wait_for_syncs(tenant)] == ["SUCCEEDED"]
    synced, jira = source(tenant, "due"), source(tenant, "jira-api")
    assert synced is not None
    assert jira is not None
    assert (synced["state"], synced["itemsSynced"]) == ("idle", 3)
    assert (jira["state"], jira["lastError"]) == ("failed", "no jira connection for this tenant: PUT "
                                                  "/api/v1/memory/connections/jira with a token and baseUrl first")
    assert dispatch() == {"started": [], "skipped": []}  # neither is due again before its interval

    later = clock.now() + timedelta(minutes=6)
    previous = clock.use_clock(type("Later", (), {"now": staticmethod(lambda: later)})())
    try:
        assert dispatch()["started"] == [f"{tenant}/due"]
    finally:
        clock.use_clock(previous)
    wait_for_syncs(tenant)
