"""External sources over HTTP: create, list, update, delete, status, records (memory-api.md "External Sources",
docs/sources.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cairn.core.errors import NotFound
from cairn.sources.service import sources as service
from tests.http.helpers import assert_error, create_project, ok
from tests.http.sync_helpers import records as stored_records

SOURCES = "/api/v1/memory/sources"
SPEC_FIELDS = {"sourceId", "tenantId", "projectId", "sourceType", "config", "syncCursor", "lastSyncedAt", "enabled",
               "createdAt"}


@dataclass(frozen=True)
class Item:
    remote_id: str
    author: str
    url: str
    time: str
    text: str


def slack(**overrides):
    return {"sourceId": "slack-engineering", "projectId": "synapse-backend", "sourceType": "slack",
            "config": {"channelId": "C0123456789", "channelName": "engineering"}, **overrides}


def ingest(tenant, source_id, items, run_id="run-1"):
    service.begin_run(tenant, source_id, run_id)
    stored = service.store_records(tenant, source_id, run_id, items)
    service.commit_page(tenant, source_id, run_id, stored=stored, watermark=items[-1].time if items else "")
    service.finish_run(tenant, source_id, run_id, "1707580500.000100")
    return stored


def message(number, **overrides):
    return Item(**{"remote_id": f"1707580{number:03d}.000100", "author": "U-alice", "time":
                   f"2026-02-10T15:{number:02d}:00Z", "url": f"https://slack.example/m/{number}",
                   "text": f"message {number} about the deploy", **overrides})


def test_create_answers_the_spec_fields_and_list_shows_it(agent, project):
    created = ok(agent.post(SOURCES, json=slack()))
    assert set(created) == SPEC_FIELDS
    assert created == {**created, "sourceId": "slack-engineering", "tenantId": agent.tenant,
                       "projectId": project, "sourceType": "slack", "syncCursor": "", "lastSyncedAt": None,
                       "enabled": True, "config": {"channelId": "C0123456789", "channelName": "engineering"}}
    assert ok(agent.get(SOURCES)) == {"sources": [created]}


def test_status_has_the_spec_fields_and_the_sync_state(agent, project):
    ok(agent.post(SOURCES, json=slack()))
    status = ok(agent.get(f"{SOURCES}/slack-engineering/status"))
    assert status == {"sourceId": "slack-engineering", "lastSyncedAt": None, "syncCursor": "", "enabled": True,
                      "state": "idle", "lastError": None, "itemsSynced": 0, "lastRunStartedAt": None}


def test_a_duplicate_source_id_is_a_409(agent, project):
    ok(agent.post(SOURCES, json=slack()))
    assert_error(agent.post(SOURCES, json=slack(sourceType="github", config={"repository": "acme/api"})), 409,
                 field="sourceId")


def test_an_unknown_or_other_tenants_project_is_a_404(agent, caller, project):
    assert_error(agent.post(SOURCES, json=slack(projectId="nope")), 404)
    other = caller(roles=("agent",))
    assert_error(other.post(SOURCES, json=slack()), 404)
    assert ok(other.get(SOURCES)) == {"sources": []}


@pytest.mark.parametrize(("source_type", "config", "field"), [
    ("slack", {}, "config.channelId"),
    ("slack", {"channelId": "not a channel"}, "config.channelId"),
    ("github", {"repository": "no-slash"}, "config.repository"),
    ("github", {}, "config.repository"),
    ("jira", {"jql": ""}, "config.jql"),
    ("jira", {}, "config.jql"),
    ("confluence", {"space": "ENG"}, "config.spaceKey"),
    ("slack", {"channelId": "C1", "syncIntervalMinutes": 4}, "config.syncIntervalMinutes"),
    ("slack", {"channelId": "C1", "syncIntervalMinutes": "60"}, "config.syncIntervalMinutes"),
    ("trello", {}, "sourceType"),
])
def test_config_is_validated_per_type_naming_the_field(agent, project, source_type, config, field):
    assert_error(agent.post(SOURCES, json=slack(sourceType=source_type, config=config)), 400, field=field)


def test_config_size_is_bounded(agent, project):
    too_many = {"channelId": "C1", **{f"f{n}": n for n in range(50)}}
    assert_error(agent.post(SOURCES, json=slack(config=too_many)), 400, field="config")
    too_big = {"channelId": "C1", "notes": "x" * 20_000}
    assert_error(agent.post(SOURCES, json=slack(config=too_big)), 400, field="config")


@pytest.mark.parametrize("config", [{"jql": "project = SYN"}, {"projectKey": "SYN"}])
def test_jira_takes_jql_or_project_key(agent, project, config):
    assert ok(agent.post(SOURCES, json=slack(sourceType="jira", config=config)))["config"] == config


def test_partial_update_changes_only_what_is_sent(agent, project):
    ok(agent.post(SOURCES, json=slack()))
    updated = ok(agent.put(f"{SOURCES}/slack-engineering", json={"enabled": False}))
    assert updated["enabled"] is False
    assert updated["config"] == slack()["config"]
    assert_error(agent.put(f"{SOURCES}/slack-engineering", json={"config": {"channelId": ""}}), 400,
                 field="config.channelId")
    assert_error(agent.put(f"{SOURCES}/slack-engineering", json={"sourceType": "github"}), 400,
                 field="config.repository")
    assert_error(agent.put(f"{SOURCES}/slack-engineering", json={"projectId": "nope"}), 404)
    assert_error(agent.put(f"{SOURCES}/missing", json={"enabled": True}), 404)
    assert ok(agent.get(f"{SOURCES}/slack-engineering/status"))["enabled"] is False


def test_records_are_listed_newest_first_and_paged(agent, project):
    ok(agent.post(SOURCES, json=slack()))
    assert ingest(agent.tenant, "slack-engineering", [message(n) for n in range(1, 6)]) == 5
    listed = ok(agent.get(f"{SOURCES}/slack-engineering/records"))["records"]
    assert [r["remoteId"] for r in listed] == [message(n).remote_id for n in range(5, 0, -1)]
    assert listed[0] == {"remoteId": message(5).remote_id, "sourceId": "slack-engineering", "projectId": project,
                         "sourceType": "slack", "author": "U-alice", "url": "https://slack.example/m/5",
                         "time": "2026-02-10T15:05:00Z", "text": "message 5 about the deploy",
                         "ingestedAt": listed[0]["ingestedAt"]}
    page = ok(agent.get(f"{SOURCES}/slack-engineering/records", params={"limit": 2, "offset": 1}))["records"]
    assert [r["remoteId"] for r in page] == [message(4).remote_id, message(3).remote_id]
    assert_error(agent.get(f"{SOURCES}/slack-engineering/records", params={"limit": 0}), 400, field="limit")
    status = ok(agent.get(f"{SOURCES}/slack-engineering/status"))
    assert status["state"] == "idle"
    assert status["itemsSynced"] == 5
    assert status["syncCursor"] == "1707580500.000100"
    assert status["lastSyncedAt"] is not None


def test_ingesting_the_same_items_again_duplicates_nothing(agent, project):
    ok(agent.post(SOURCES, json=slack()))
    ingest(agent.tenant, "slack-engineering", [message(1), message(2)])
    ingest(agent.tenant, "slack-engineering", [message(2, text="edited"), message(3)], run_id="run-2")
    listed = ok(agent.get(f"{SOURCES}/slack-engineering/records"))["records"]
    assert [r["text"] for r in listed] == ["message 3 about the deploy", "edited", "message 1 about the deploy"]


def test_delete_removes_the_source_and_its_records(agent, project):
    ok(agent.post(SOURCES, json=slack()))
    ingest(agent.tenant, "slack-engineering", [message(1), message(2)])
    assert agent.delete(f"{SOURCES}/slack-engineering").status_code == 200
    assert stored_records(agent.tenant, project, "slack-engineering") == []
    assert ok(agent.get(SOURCES)) == {"sources": []}
    assert_error(agent.get(f"{SOURCES}/slack-engineering/status"), 404)
    assert_error(agent.delete(f"{SOURCES}/slack-engineering"), 404)
    # The id can be used again, and the new source starts with no records.
    ok(agent.post(SOURCES, json=slack()))
    assert ok(agent.get(f"{SOURCES}/slack-engineering/records")) == {"records": []}


def test_delete_needs_admin(agent, caller, project):
    ok(agent.post(SOURCES, json=slack()))
    assert_error(caller(agent.tenant, roles=("agent",)).delete(f"{SOURCES}/slack-engineering"), 403)


def test_moving_a_source_to_another_project_starts_it_over(agent, project):
    create_project(agent, "other-project")
    ok(agent.post(SOURCES, json=slack()))
    ingest(agent.tenant, "slack-engineering", [message(1)])
    moved = ok(agent.put(f"{SOURCES}/slack-engineering", json={"projectId": "other-project"}))
    assert moved["projectId"] == "other-project"
    assert moved["syncCursor"] == ""
    assert stored_records(agent.tenant, project, "slack-engineering") == []
    ingest(agent.tenant, "slack-engineering", [message(2)], run_id="run-2")
    assert [r["projectId"] for r in ok(agent.get(f"{SOURCES}/slack-engineering/records"))["records"]] == \
        ["other-project"]


def test_a_store_after_the_source_was_deleted_leaves_nothing(agent, project):
    ok(agent.post(SOURCES, json=slack()))
    service.begin_run(agent.tenant, "slack-engineering", "run-1")
    source = service.get_source(agent.tenant, "slack-engineering")
    agent.delete(f"{SOURCES}/slack-engineering")
    from cairn.sources.store import records

    with pytest.raises(service.SourceGone):
        records.store(source, [message(1)])  # the page written after the delete's sweep is removed again
    assert stored_records(agent.tenant, project, "slack-engineering") == []


def test_another_tenant_cannot_see_or_touch_a_source(agent, caller, project):
    ok(agent.post(SOURCES, json=slack()))
    ingest(agent.tenant, "slack-engineering", [message(1)])
    other = caller(roles=("agent", "admin"))
    for response in (other.get(f"{SOURCES}/slack-engineering/status"),
                     other.get(f"{SOURCES}/slack-engineering/records"),
                     other.put(f"{SOURCES}/slack-engineering", json={"enabled": False}),
                     other.delete(f"{SOURCES}/slack-engineering"),
                     other.post(f"{SOURCES}/slack-engineering/sync")):
        assert_error(response, 404)
    assert ok(agent.get(f"{SOURCES}/slack-engineering/status"))["enabled"] is True


def test_a_deleted_projects_records_go_with_its_purge(agent, project):
    from tests.http.helpers import wait_for_purges

    ok(agent.post(SOURCES, json=slack()))
    ingest(agent.tenant, "slack-engineering", [message(1), message(2)])
    assert agent.delete(f"/api/v1/memory/projects/{project}").status_code == 200
    assert ok(agent.get(f"{SOURCES}/slack-engineering/records")) == {"records": []}  # at once, while purging
    assert all(d["status"] == "SUCCEEDED" for d in wait_for_purges(agent.tenant))
    assert stored_records(agent.tenant, project, "slack-engineering") == []
    assert ok(agent.get(f"{SOURCES}/slack-engineering/records")) == {"records": []}
    # The source stays (it belongs to the tenant); storing into the deleted project is refused.
    service.begin_run(agent.tenant, "slack-engineering", "run-2")
    with pytest.raises(NotFound):
        service.store_records(agent.tenant, "slack-engineering", "run-2", [message(3)])
    assert stored_records(agent.tenant, project, "slack-engineering") == []
