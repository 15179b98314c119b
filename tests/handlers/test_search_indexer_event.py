"""events/search_indexer.json (a DynamoDB stream batch, for ``sam local invoke``) through the indexer's
real Lambda handler."""

from __future__ import annotations

import copy
import json

import pytest

from cairn.aws.table import table, unmarshal
from cairn.memory.service import projects
from cairn.memory.store.milestones import stored_items
from cairn.search.service import milestones as milestone_search
from cairn.search.store import index as search_index
from cairn_local import ROOT, handlers

# The sample event names a fixed tenant and project: storage no other test wrote to.
pytestmark = pytest.mark.fresh_table

EVENT = json.loads((ROOT / "events" / "search_indexer.json").read_text())


def invoke(event):
    return handlers.invoke("SearchIndexerFunction", copy.deepcopy(event))


def test_the_sample_event_compacts_the_milestone_it_names(aws):
    image = unmarshal(EVENT["Records"][0]["dynamodb"]["NewImage"])
    tenant = "dev-tenant"
    projects.create(tenant, image["projectId"], "Synapse Backend", "")
    for item in stored_items(image):
        table().put(item)
    pending_hits = milestone_search.across_projects(tenant, None, "RBAC middleware", 5)
    assert pending_hits[0]["milestoneId"] == image["milestoneId"]

    assert invoke(EVENT) == {"batchItemFailures": []}
    assert invoke(EVENT) == {"batchItemFailures": []}  # a redelivered batch changes nothing

    assert list(search_index.pending_items(tenant)) == []
    _, manifest = search_index.project_and_manifest(tenant, image["projectId"])
    assert (manifest["docs"], len(manifest["segments"])) == (1, 1)
    [found] = milestone_search.across_projects(tenant, [image["projectId"]], "RBAC middleware", 5)
    assert found["milestoneId"] == image["milestoneId"]


def test_the_sample_event_for_a_missing_project_writes_nothing(aws):
    assert invoke(EVENT) == {"batchItemFailures": []}

    assert search_index.project_and_manifest("dev-tenant", "synapse-backend") == (
        None, search_index.empty_manifest("dev-tenant", "synapse-backend"))


def test_records_without_a_pending_document_are_ignored(aws):
    event = copy.deepcopy(EVENT)
    del event["Records"][0]["dynamodb"]["NewImage"]["GSI3PK"]

    assert invoke(event) == {"batchItemFailures": []}
    assert invoke({"Records": []}) == {"batchItemFailures": []}
