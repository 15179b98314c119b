"""Services against in-memory fakes of the ports they call out through (tests/fakes.py): the intelligence
actions with fake secrets and a fake remote, the answer with a fake answerer, delete with a fake purge starter,
large texts with a fake blob store. Only the table is moto's (the shared emulator)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cairn.core.errors import IntegrationNotConfigured, UpstreamError
from cairn.insights.service import actions, intelligence
from cairn.insights.store import actions as executed
from cairn.integrations.remote import Reply
from tests.fakes import (
    FakeAnswerer,
    FakeBlobStore,
    FakeClock,
    FakePurgeStarter,
    FakeRemote,
    FakeSecrets,
    PurgeStart,
    SequentialIds,
)
from tests.http.helpers import assert_error, create_project, project_of, purge_executions, recalled, stored, url

TICKET = actions.JiraTicket(project="SYN", summary="Rotate the keys", description="Due Friday.", issue_type="Task")
JIRA = {"baseUrl": "https://example.atlassian.net", "email": "bot@example.com", "token": "jira-token"}


def test_an_action_calls_the_remote_with_the_tenants_credentials_and_records_it(
        aws: dict[str, str], tenant: str, fake_secrets: FakeSecrets, fake_remote: FakeRemote, clock: FakeClock,
        ids: SequentialIds) -> None:
    clock.set(datetime(2026, 2, 10, 9, 30, tzinfo=UTC))
    fake_secrets.put(tenant, "jira", JIRA)
    fake_remote.reply = Reply(201, {"id": "10042", "key": "SYN-124"})

    answer = actions.execute(tenant, "user-1", TICKET)

    expected = {"ticketId": "SYN-124", "url": "https://example.atlassian.net/browse/SYN-124"}
    assert answer == {"executed": True, "action": "create_jira_ticket", "result": expected}
    [call] = fake_remote.calls
    assert call.url == "https://example.atlassian.net/rest/api/3/issue"
    assert call.service == "Jira"
    assert call.body["fields"]["summary"] == "Rotate the keys"
    assert call.headers["Authorization"].startswith("Basic ")
    assert executed.recent(tenant) == [{
        "actionId": "act-000000000001", "action": "create_jira_ticket", "params": TICKET.params(),
        "result": expected, "subject": "user-1", "executedAt": "2026-02-10T09:30:00Z"}]


def test_an_action_without_credentials_calls_nothing_and_records_nothing(
        aws: dict[str, str], tenant: str, fake_secrets: FakeSecrets, fake_remote: FakeRemote) -> None:
    with pytest.raises(IntegrationNotConfigured):
        actions.execute(tenant, "user-1", TICKET)

    assert fake_secrets.reads == [(tenant, "jira")]
    assert fake_remote.calls == []
    assert executed.recent(tenant) == []


def test_an_action_the_remote_refused_is_not_recorded(
        aws: dict[str, str], tenant: str, fake_secrets: FakeSecrets, fake_remote: FakeRemote) -> None:
    fake_secrets.put(tenant, "slack", {"token": "xoxb-token"})
    fake_remote.failure = UpstreamError("Slack answered HTTP 500: upstream connect error")

    with pytest.raises(UpstreamError, match="HTTP 500"):
        actions.execute(tenant, "user-1", actions.SlackMessage(channel="#dev", text="deployed"))

    [call] = fake_remote.calls
    assert call.body == {"channel": "#dev", "text": "deployed"}
    assert executed.recent(tenant) == []


def test_the_answer_comes_from_the_answerer_with_the_sources_it_cites(agent: Any, project: str,
                                                                      fake_answerer: FakeAnswerer) -> None:
    stored(agent, project, thisContribution="Added JWT token rotation to the auth middleware.")

    body = intelligence.query(agent.tenant, "How does JWT token rotation work?", project_ids=None,
                              contributor_filter=None, days=None, limit=10)

    assert body["answer"] == fake_answerer.text
    assert body["answeredBy"] == "fake"
    [(question, sources)] = fake_answerer.questions
    assert question == "How does JWT token rotation work?"
    assert [source.source_id for source in sources] == [source["milestoneId"] for source in body["sources"]]
    assert len(sources) == 1


def test_delete_starts_the_purge_of_the_live_generation(agent: Any, project: str,
                                                        purge_starter: FakePurgeStarter) -> None:
    assert agent.delete(url(project)).status_code == 200

    assert purge_starter.started == [PurgeStart(agent.tenant, project, 0)]
    assert purge_executions(agent.tenant) == []  # the fake, not the state machine
    assert_error(agent.get(url(project)), 404, code="not_found")


def test_a_purge_that_cannot_start_leaves_the_project_live(agent: Any, project: str,
                                                           purge_starter: FakePurgeStarter) -> None:
    purge_starter.failure = RuntimeError("Step Functions is unavailable")

    assert agent.delete(url(project)).status_code == 500

    assert project_of(agent, project)["projectId"] == project


def test_large_texts_go_to_the_blob_store_and_come_back_whole(agent: Any, fake_blobs: FakeBlobStore) -> None:
    create_project(agent, "big")
    large = "😀" * 30_000  # over the inline limit in bytes, within the field limit in characters

    milestone = stored(agent, "big", cumulativeProgress=large)

    [(key, fields)] = fake_blobs.objects.items()
    assert key.endswith(f"milestones/{milestone['milestoneId']}.json")
    assert fields["cumulativeProgress"] == large
    [recalled_] = recalled(agent, "big", view="milestone", milestoneId=milestone["milestoneId"])["milestones"]
    assert recalled_["cumulativeProgress"] == large
