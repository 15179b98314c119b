"""The outbox item: one per committed change, in the change's own transaction, listed per tenant."""

from __future__ import annotations

import pytest

from cairn.aws import outbox
from cairn.aws.table import TransactionCancelled, table
from cairn.core.errors import NotFound
from cairn.memory.service import branches, milestones, projects


def test_an_event_is_written_with_the_change_and_listed_only_for_its_tenant(aws: dict[str, str], tenant: str) -> None:
    marker = {"PK": f"T#{tenant}#MARK", "SK": "M"}
    table().transact([table().put_op(marker), outbox.outbox_operation(tenant, "project.created", {"projectId": "p"})])

    page = table().query(outbox.events_index_pk(tenant), index="GSI1")
    assert [(item["topic"], item["deliveryState"], item["detail"]) for item in page.items] == [
        ("project.created", "pending", {"projectId": "p"})]
    assert table().query(outbox.events_index_pk(tenant + "-other"), index="GSI1").items == []


def test_a_cancelled_change_leaves_no_event(aws: dict[str, str], tenant: str) -> None:
    marker = {"PK": f"T#{tenant}#MARK", "SK": "M"}
    table().put(marker)
    with pytest.raises(TransactionCancelled):
        table().transact([table().put_op(marker, "attribute_not_exists(PK)"),
                          outbox.outbox_operation(tenant, "milestone.stored", {"projectId": "p"})])
    assert table().query(outbox.events_index_pk(tenant), index="GSI1").items == []


def test_an_unknown_topic_is_refused() -> None:
    with pytest.raises(ValueError, match=r"project\.renamed"):
        outbox.outbox_operation("t", "project.renamed", {})


def test_every_memory_change_writes_its_event_once(aws: dict[str, str], tenant: str) -> None:
    fields = {"branchPurpose": "p", "cumulativeProgress": "c", "thisContribution": "t", "agentId": "a"}
    projects.create(tenant, "p1", "P", "")
    branches.create(tenant, "p1", "feature", "main", "try", "a")
    branches.create(tenant, "p1", "spike", "main", "try", "a")
    milestones.store(tenant, "p1", "feature", fields)
    milestones.store(tenant, "p1", "feature", fields)  # deduplicated: nothing changed, no event
    milestones.merge(tenant, "p1", "feature", "main", "done", "a")
    branches.abandon(tenant, "p1", "spike", "dead end")
    projects.mark_deleting(tenant, "p1")
    with pytest.raises(NotFound):
        projects.mark_deleting(tenant, "p1")  # refused: no second event

    events = table().query(outbox.events_index_pk(tenant), index="GSI1").items
    assert sorted(event["topic"] for event in events) == sorted([
        "project.created", "branch.created", "branch.created", "milestone.stored", "branch.merged",
        "branch.abandoned", "project.deleted"])
    assert {event["detail"]["projectId"] for event in events} == {"p1"}
