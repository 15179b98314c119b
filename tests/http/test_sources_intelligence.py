"""Intelligence over external records: ``includeExternalSources`` true (the default) retrieves and cites them,
false never does (docs/sources.md, "Intelligence")."""

from __future__ import annotations

from tests.http.helpers import ok, store
from tests.http.test_sources import SOURCES, Item, ingest, slack

QUERY = "/api/v1/memory/intelligence/query"


def kafka_message(number):
    return Item(remote_id=f"17075800{number:02d}.000100", author="U-bob", time=f"2026-02-1{number}T10:00:00Z",
                url=f"https://acme.slack.com/archives/C0123456789/p17075800{number:02d}",
                text=f"The Kafka consumer rebalancing storm is fixed by static membership, take {number}.")


def ask(agent, **fields):
    return ok(agent.post(QUERY, json={"question": "How did we fix the Kafka rebalancing storm?",
                                      "timeRange": "all", **fields}))


def test_records_are_retrieved_and_cited_unless_left_out(agent, project):
    store(agent, project, thisContribution="Added JWT token exchange endpoint and middleware")
    store(agent, project, thisContribution="Kafka consumer group tuned after the rebalancing storm")
    ok(agent.post(SOURCES, json=slack()))
    ingest(agent.tenant, "slack-engineering", [kafka_message(1), kafka_message(2)])

    answer = ask(agent)
    cited = [source for source in answer["sources"] if "sourceId" in source]
    assert {source["remoteId"] for source in cited} == {kafka_message(1).remote_id, kafka_message(2).remote_id}
    first = next(source for source in cited if source["remoteId"] == kafka_message(2).remote_id)
    assert first == {"sourceId": "slack-engineering", "remoteId": kafka_message(2).remote_id, "projectId": project,
                     "branchName": None, "excerpt": kafka_message(2).text, "createdAt": "2026-02-12T10:00:00Z",
                     "url": kafka_message(2).url, "author": "U-bob"}
    assert any("milestoneId" in source for source in answer["sources"])  # milestones keep their fields
    milestone = next(source for source in answer["sources"] if "milestoneId" in source)
    assert not {"sourceId", "url", "author"} & set(milestone)
    assert "Slack record in project synapse-backend, source slack-engineering" in answer["answer"]

    without = ask(agent, includeExternalSources=False)
    assert without["sources"]
    assert all("sourceId" not in source for source in without["sources"])
    assert "Slack record" not in without["answer"]


def test_a_deleted_sources_records_are_no_longer_cited(agent, project):
    ok(agent.post(SOURCES, json=slack()))
    ingest(agent.tenant, "slack-engineering", [kafka_message(1)])
    assert any("sourceId" in source for source in ask(agent)["sources"])
    agent.delete(f"{SOURCES}/slack-engineering")
    assert ask(agent)["sources"] == []


def test_another_tenant_never_gets_the_records(agent, caller, project):
    ok(agent.post(SOURCES, json=slack()))
    ingest(agent.tenant, "slack-engineering", [kafka_message(1)])
    assert ask(caller(roles=("agent",)))["sources"] == []
