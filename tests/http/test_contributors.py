"""Contributors: upsert, list, get, delete (admin), and activity across the tenant's projects (GSI2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cairn.memory.service import projects
from tests.http.helpers import TIMESTAMP, assert_error, create_project, ok, stored

CONTRIBUTORS = "/api/v1/memory/contributors"
FIELDS = {"contributorId", "tenantId", "displayName", "agentIds", "role", "createdAt", "updatedAt"}
BIG = "😀" * 20_000  # 80,000 bytes of UTF-8: the milestone's texts live in S3


def alice(**overrides):
    return {"contributorId": "alice", "displayName": "Alice Chen",
            "agentIds": ["claude-code-alice-macbook", "cursor-alice-work"], "role": "Senior Engineer", **overrides}


def upsert(caller, body, **kwargs):
    return caller.post(CONTRIBUTORS, json=body, **kwargs)


def upserted(caller, body):
    return ok(upsert(caller, body))


def activity(caller, contributor="alice", **params):
    return caller.get(f"{CONTRIBUTORS}/{contributor}/activity", params=params)


def activity_of(caller, contributor="alice", **params):
    return ok(activity(caller, contributor, **params))


@pytest.fixture
def clock(clock):
    """Every reading of the clock is a second after the one before: milestones and contributors get distinct,
    increasing timestamps (the real clock has 1 s steps)."""
    clock.step = timedelta(seconds=1)
    return clock


# --- upsert, get, list ---------------------------------------------------------------------------


def test_upsert_creates_in_the_specs_shape(agent):
    body = upserted(agent, alice())

    assert set(body) == FIELDS
    assert body == {**alice(), "tenantId": agent.tenant, "createdAt": body["createdAt"],
                    "updatedAt": body["createdAt"]}
    assert TIMESTAMP.match(body["createdAt"])
    assert agent.get(f"{CONTRIBUTORS}/alice").json() == body


def test_optional_fields_default_to_no_agents_and_no_role(agent):
    body = upserted(agent, {"contributorId": "bob", "displayName": "Bob"})

    assert body["agentIds"] == []
    assert body["role"] is None


def test_upsert_updates_and_keeps_created_at(agent, clock):
    created = upserted(agent, alice())
    updated = upserted(agent, alice(displayName="Alice C.", agentIds=["cursor-alice-work"]))

    assert updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] > created["updatedAt"]
    assert updated["displayName"] == "Alice C."
    assert updated["agentIds"] == ["cursor-alice-work"]
    assert updated["role"] == "Senior Engineer"
    assert agent.get(f"{CONTRIBUTORS}/alice").json() == updated


def test_omitted_fields_are_kept_and_null_clears(agent):
    upserted(agent, alice())

    kept = upserted(agent, {"contributorId": "alice", "displayName": "Alice"})
    cleared = upserted(agent, {"contributorId": "alice", "displayName": "Alice", "agentIds": None, "role": None})

    assert (kept["agentIds"], kept["role"]) == (alice()["agentIds"], "Senior Engineer")
    assert (cleared["agentIds"], cleared["role"]) == ([], None)
    assert upserted(agent, alice(agentIds=[]))["agentIds"] == []


def test_agent_ids_are_deduplicated_in_order(agent):
    body = upserted(agent, alice(agentIds=["b", "a", "b", "c", "a"]))
    assert body["agentIds"] == ["b", "a", "c"]


def test_list_and_get(agent):
    assert agent.get(CONTRIBUTORS).json() == {"contributors": []}
    carol = upserted(agent, {"contributorId": "carol", "displayName": "Carol"})
    first = upserted(agent, alice())

    assert agent.get(CONTRIBUTORS).json() == {"contributors": [first, carol]}
    assert_error(agent.get(f"{CONTRIBUTORS}/nobody"), 404, code="not_found", field="id")


# --- validation ----------------------------------------------------------------------------------


def test_limits(agent, subtests):
    for field, limit in (("contributorId", 128), ("displayName", 256), ("role", 128)):
        with subtests.test(field=field):
            at_limit = upserted(agent, alice(**{field: "x" * limit}))
            assert at_limit[field] == "x" * limit
            assert_error(upsert(agent, alice(**{field: "y" * (limit + 1)})), 400, code="invalid_input", field=field)
    with subtests.test(field="agentIds"):
        fifty = [f"agent-{n}" for n in range(50)]
        assert upserted(agent, alice(agentIds=fifty))["agentIds"] == fifty
        assert_error(upsert(agent, alice(agentIds=[*fifty, "one-more"])), 400, field="agentIds")
        assert upserted(agent, alice(agentIds=["a" * 256]))["agentIds"] == ["a" * 256]
        assert_error(upsert(agent, alice(agentIds=["a" * 257])), 400, field="agentIds.0")
        assert_error(upsert(agent, alice(agentIds=[""])), 400, field="agentIds.0")
        assert_error(upsert(agent, alice(agentIds="solo")), 400, field="agentIds")
    assert upserted(agent, alice(role=""))["role"] == ""


def test_required_and_path_safe_fields(agent, subtests):
    for field in ("contributorId", "displayName"):
        with subtests.test(missing=field):
            body = alice()
            del body[field]
            assert_error(upsert(agent, body), 400, field=field)
    for contributor_id in ("", "has space", "slash/id", "hash#id", "q?x", "pct%20", "back\\slash"):
        with subtests.test(contributorId=contributor_id):
            assert_error(upsert(agent, alice(contributorId=contributor_id)), 400, field="contributorId")
    assert_error(upsert(agent, alice(displayName="")), 400, field="displayName")
    assert agent.get(CONTRIBUTORS).json() == {"contributors": []}


# --- delete, roles, tenancy, idempotency ---------------------------------------------------------


def test_delete_needs_admin(agent, caller):
    upserted(agent, alice())
    writer = caller(agent.tenant, roles=("agent",))
    viewer = caller(agent.tenant, roles=("viewer",))

    assert_error(writer.delete(f"{CONTRIBUTORS}/alice"), 403, code="forbidden")
    assert_error(viewer.delete(f"{CONTRIBUTORS}/alice"), 403, code="forbidden")
    deleted = agent.delete(f"{CONTRIBUTORS}/alice")

    assert deleted.status_code == 200
    assert deleted.content == b""
    assert_error(agent.get(f"{CONTRIBUTORS}/alice"), 404, code="not_found")
    assert_error(agent.delete(f"{CONTRIBUTORS}/alice"), 404, code="not_found")
    assert agent.get(CONTRIBUTORS).json() == {"contributors": []}


def test_viewer_reads_but_cannot_upsert(agent, caller):
    upserted(agent, alice())
    viewer = caller(agent.tenant, roles=("viewer",))

    assert_error(upsert(viewer, alice(displayName="Mallory")), 403, code="forbidden")
    assert viewer.get(f"{CONTRIBUTORS}/alice").json()["displayName"] == "Alice Chen"
    assert len(viewer.get(CONTRIBUTORS).json()["contributors"]) == 1
    assert activity_of(viewer)["totalMilestones"] == 0


def test_contributors_are_tenant_scoped(agent, caller):
    mine = upserted(agent, alice())
    stranger = caller(roles=("agent", "admin"))

    assert_error(stranger.get(f"{CONTRIBUTORS}/alice"), 404, code="not_found")
    assert_error(activity(stranger), 404, code="not_found")
    assert_error(stranger.delete(f"{CONTRIBUTORS}/alice"), 404, code="not_found")
    assert stranger.get(CONTRIBUTORS).json() == {"contributors": []}
    theirs = upserted(stranger, alice(displayName="Another Alice"))

    assert theirs["tenantId"] == stranger.tenant
    assert agent.get(f"{CONTRIBUTORS}/alice").json() == mine


def test_idempotent_upsert(agent, clock):
    headers = {"Idempotency-Key": "contrib-1"}
    first = upsert(agent, alice(), headers=headers)
    again = upsert(agent, alice(), headers=headers)

    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert_error(upsert(agent, alice(role="CTO"), headers=headers), 422, code="idempotency_key_reused")


# --- activity ------------------------------------------------------------------------------------


def test_activity_merges_the_agents_milestones_across_projects_newest_first(agent, clock):
    create_project(agent, "alpha")
    create_project(agent, "beta")
    expected = []
    for n in range(6):
        project = ("alpha", "beta")[n % 2]
        agent_id = ("claude-code-alice-macbook", "cursor-alice-work")[n // 3]
        expected.append(stored(agent, project, n, agentId=agent_id))
        stored(agent, project, f"other-{n}", agentId="someone-else")
    upserted(agent, alice())

    body = activity_of(agent)

    assert set(body) == {"contributor", "milestones", "totalMilestones"}
    assert body["contributor"] == agent.get(f"{CONTRIBUTORS}/alice").json()
    assert body["milestones"] == list(reversed(expected))
    assert body["totalMilestones"] == 6
    assert [m["milestoneId"] for m in activity_of(agent, limit=4)["milestones"]] == [
        m["milestoneId"] for m in reversed(expected[2:])]
    assert activity_of(agent, limit=4)["totalMilestones"] == 6


def test_activity_limit_default_and_bounds(agent, clock, subtests):
    create_project(agent, "alpha")
    for n in range(52):
        stored(agent, "alpha", n, agentId="cursor-alice-work")
    upserted(agent, alice())

    default = activity_of(agent)
    assert len(default["milestones"]) == 50
    assert default["milestones"][0]["thisContribution"] == "contribution 51"
    assert default["milestones"][-1]["thisContribution"] == "contribution 2"
    assert default["totalMilestones"] == 52
    assert len(activity_of(agent, limit=1)["milestones"]) == 1
    assert len(activity_of(agent, limit=200)["milestones"]) == 52
    for bad in (0, 201, -1, "ten"):
        with subtests.test(limit=bad):
            assert_error(activity(agent, limit=bad), 400, code="invalid_input", field="limit")


def test_activity_of_a_contributor_without_agents_or_milestones(agent):
    upserted(agent, {"contributorId": "bob", "displayName": "Bob"})
    upserted(agent, alice())

    assert activity_of(agent, "bob")["milestones"] == []
    assert activity_of(agent, "bob")["totalMilestones"] == 0
    assert activity_of(agent) == {"contributor": agent.get(f"{CONTRIBUTORS}/alice").json(), "milestones": [],
                                  "totalMilestones": 0}
    assert_error(activity(agent, "nobody"), 404, code="not_found", field="id")


def test_activity_hydrates_large_milestones(agent):
    create_project(agent, "alpha")
    big = stored(agent, "alpha", 1, cumulativeProgress=BIG, agentId="cursor-alice-work")
    upserted(agent, alice())

    (milestone,) = activity_of(agent)["milestones"]

    assert milestone == big
    assert milestone["cumulativeProgress"] == BIG


def test_activity_skips_projects_being_deleted_and_still_fills_the_page(agent, clock):
    create_project(agent, "live")
    create_project(agent, "doomed")
    old = [stored(agent, "live", n, agentId="claude-code-alice-macbook") for n in range(3)]
    for n in range(5):  # newer than everything in "live", for both agents
        stored(agent, "doomed", n, agentId=("claude-code-alice-macbook", "cursor-alice-work")[n % 2])
    upserted(agent, alice())
    projects.mark_deleting(agent.tenant, "doomed")

    body = activity_of(agent, limit=3)

    assert body["milestones"] == list(reversed(old))
    assert activity_of(agent, limit=2)["milestones"] == list(reversed(old))[:2]


def test_activity_is_tenant_scoped_even_for_the_same_agent_ids(agent, caller, clock):
    stranger = caller(roles=("agent", "admin"))
    create_project(stranger, "theirs")
    stored(stranger, "theirs", 1, agentId="cursor-alice-work")
    create_project(agent, "mine")
    mine = stored(agent, "mine", 1, agentId="cursor-alice-work")
    upserted(agent, alice())

    body = activity_of(agent)

    assert body["milestones"] == [mine]
    assert body["totalMilestones"] == 1
