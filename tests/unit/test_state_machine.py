"""The project-purge state machine, run by moto's ASL interpreter with the real purge handler as its
Lambda task (cairn_local.emulator dispatches the task in-process)."""

from __future__ import annotations

import json
import time
import types
import uuid
from typing import Any

import pytest

from cairn_local import handlers

pytestmark = pytest.mark.fresh_table  # one fixed tenant for every test

TENANT = "tenant-purge"
PROJECT = "doomed"
WAIT_SECONDS = 30
# The ASL's Retry: IntervalSeconds 2, BackoffRate 2.0, MaxAttempts 5.
RETRY_WAITS = [2.0, 4.0, 8.0, 16.0, 32.0]


def _sfn() -> Any:
    from cairn.aws import clients

    return clients.stepfunctions()


def _start(tenant: str = TENANT, project_id: str = PROJECT) -> str:
    from cairn.core.settings import get_settings

    arn = get_settings().purge_state_machine_arn
    assert ":stateMachine:" in arn
    return _sfn().start_execution(stateMachineArn=arn, name=f"test-{uuid.uuid4().hex}",
                                  input=json.dumps({"tenantId": tenant, "projectId": project_id}))["executionArn"]


def _finish(execution_arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        described = _sfn().describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        assert time.monotonic() < deadline, f"execution still RUNNING after {WAIT_SECONDS}s"
        time.sleep(0.05)


def _partition(tenant: str = TENANT, project_id: str = PROJECT) -> list[dict[str, Any]]:
    from cairn.aws.keys import project_pk
    from cairn.aws.table import table

    return list(table().query_all(project_pk(tenant, project_id)))


def _blobs(tenant: str = TENANT, project_id: str = PROJECT) -> list[str]:
    from cairn.aws import clients
    from cairn.aws.keys import blob_prefix
    from cairn.core.settings import get_settings

    listing = clients.s3().list_objects_v2(Bucket=get_settings().bucket_name, Prefix=blob_prefix(tenant, project_id))
    return [entry["Key"] for entry in listing.get("Contents", [])]


def _deleting_project_with_content(tenant: str = TENANT, project_id: str = PROJECT) -> None:
    from cairn.memory.service import milestones, projects

    projects.create(tenant, project_id, "Doomed", "Delete me")
    for number in range(2):
        milestones.store(tenant, project_id, "main", {
            "branchPurpose": "p", "cumulativeProgress": f"progress {number}", "thisContribution": f"step {number}",
            "agentId": "agent-1", "agentType": "custom"})
    # Large enough to be offloaded to S3, so the purge has a blob to remove too.
    milestones.store(tenant, project_id, "main", {
        "branchPurpose": "p", "cumulativeProgress": "x" * 70_000, "thisContribution": "big",
        "agentId": "agent-1", "agentType": "custom"})
    assert len(_blobs(tenant, project_id)) == 1
    projects.mark_deleting(tenant, project_id)


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Records the ASL Retry waits instead of sleeping through them (up to 62 s for MaxAttempts 5).

    moto's interpreter waits with ``time.sleep`` in RetrierDecl._eval_body; only that module's ``time``
    is replaced, so every other sleep (boto3's retries, moto's own threads) is untouched."""
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    waits: list[float] = []
    monkeypatch.setattr(retrier_decl, "time", types.SimpleNamespace(sleep=waits.append))
    return waits


@pytest.fixture
def purge_calls(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replaces the purge step the handler calls with one that fails its first ``failures`` calls.

    The function module binds ``purge_page`` by name (``from cairn.memory.store.purge import purge_page``), so it
    is patched there; patching ``cairn.memory.store.purge.purge_page`` would not reach the handler."""
    from cairn.memory.store import purge

    module = handlers.module("ProjectPurgeFunction")
    calls: list[str] = []

    def install(failures: int) -> list[str]:
        def flaky(tenant: str, project_id: str, generation: int = 0, execution: str | None = None) -> dict[str, Any]:
            if len(calls) < failures:
                calls.append("failed")
                raise RuntimeError(f"injected failure {len(calls)}")
            calls.append("ran")
            return purge.purge_page(tenant, project_id, generation, execution)

        monkeypatch.setattr(module, "purge_page", flaky)
        return calls

    return install


def test_purge_empties_the_partition_and_the_blobs(aws: dict[str, str]) -> None:
    _deleting_project_with_content()
    assert len(_partition()) > 1

    described = _finish(_start())

    assert described["status"] == "SUCCEEDED", described
    assert _partition() == []
    assert _blobs() == []
    output = json.loads(described["output"])
    assert output == {"tenantId": TENANT, "projectId": PROJECT, "done": True, "deletedItems": 0, "deletedBlobs": 0}


def test_purge_leaves_other_projects_alone(aws: dict[str, str]) -> None:
    from cairn.memory.service import projects

    _deleting_project_with_content()
    projects.create(TENANT, "doomed-2", "Neighbour", "")  # shares the prefix of the deleted id
    projects.create("other-tenant", PROJECT, "Same id, other tenant", "")

    assert _finish(_start())["status"] == "SUCCEEDED"

    assert projects.get(TENANT, "doomed-2")["lifecycle"] == "live"
    assert projects.get("other-tenant", PROJECT)["lifecycle"] == "live"
    assert len(_partition(TENANT, "doomed-2")) == 4  # project + main's descriptor, milestone head, log head


def test_purge_of_a_project_already_gone_succeeds(aws: dict[str, str]) -> None:
    described = _finish(_start(project_id="never-existed"))

    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["done"] is True


def test_purge_loops_page_by_page(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from cairn.memory.store import purge

    monkeypatch.setattr(purge, "PAGE_ITEMS", 2)  # read at call time by purge_page
    pages: list[dict[str, Any]] = []
    module = handlers.module("ProjectPurgeFunction")

    def recording(tenant: str, project_id: str, generation: int = 0, execution: str | None = None) -> dict[str, Any]:
        pages.append(purge.purge_page(tenant, project_id, generation, execution))
        return pages[-1]

    monkeypatch.setattr(module, "purge_page", recording)
    _deleting_project_with_content()
    items = len(_partition()) - 1  # all but the PROJECT tombstone, which goes last

    assert _finish(_start())["status"] == "SUCCEEDED"

    assert _partition() == []
    assert [page["done"] for page in pages] == [False] * (len(pages) - 1) + [True]
    assert all(page["deletedItems"] <= 2 for page in pages)
    assert sum(page["deletedItems"] for page in pages) == items
    assert len(pages) == -(-items // 2) + 1


def test_a_failing_page_is_retried_with_backoff(aws: dict[str, str], retry_waits: list[float],
                                                purge_calls: Any) -> None:
    calls = purge_calls(failures=2)
    _deleting_project_with_content()

    described = _finish(_start())

    assert described["status"] == "SUCCEEDED", described
    assert calls[:3] == ["failed", "failed", "ran"]
    assert retry_waits == RETRY_WAITS[:2]
    assert _partition() == []


def test_a_page_that_keeps_failing_fails_the_execution(aws: dict[str, str], retry_waits: list[float],
                                                       purge_calls: Any) -> None:
    calls = purge_calls(failures=1000)
    _deleting_project_with_content()

    described = _finish(_start())

    assert described["status"] == "FAILED", described
    assert calls == ["failed"] * 6  # the first attempt and MaxAttempts 5 retries
    assert retry_waits == RETRY_WAITS
    assert len(_partition()) > 1  # nothing was deleted; the project stays hidden (deleting) for a re-run
    history = _sfn().get_execution_history(executionArn=described["executionArn"])["events"]
    failed = [event for event in history if event["type"] == "ExecutionFailed"]
    assert failed
    assert failed[0]["executionFailedEventDetails"]["error"] == "RuntimeError"


# --- generations (docs/memory-model.md, "Delete and recreate") -------------------------------------------------


def _start_generation(generation: int) -> str:
    from cairn.core.settings import get_settings

    return _sfn().start_execution(
        stateMachineArn=get_settings().purge_state_machine_arn, name=f"test-{uuid.uuid4().hex}",
        input=json.dumps({"tenantId": TENANT, "projectId": PROJECT, "generation": generation}))["executionArn"]


def _keys_and_blobs(generation: int) -> tuple[list[tuple[str, str]], list[str]]:
    from cairn.aws import clients
    from cairn.aws.keys import ProjectRef
    from cairn.aws.table import table
    from cairn.core.settings import get_settings

    ref = ProjectRef(TENANT, PROJECT, generation)
    items = [(item["PK"], item["SK"]) for item in table().query_all(ref.pk)]
    listing = clients.s3().list_objects_v2(Bucket=get_settings().bucket_name, Prefix=ref.blob_prefix)
    return items, [entry["Key"] for entry in listing.get("Contents", [])]


def test_each_purge_removes_only_its_generation_and_generation_0_stays_as_the_anchor(aws: dict[str, str]) -> None:
    from cairn.aws.table import table
    from cairn.memory.service import milestones, projects

    _deleting_project_with_content()  # generation 0, deleting, with a blob
    projects.create(TENANT, PROJECT, "Again", "")  # generation 1, while generation 0 is not purged yet
    milestones.store(TENANT, PROJECT, "main", {
        "branchPurpose": "p", "cumulativeProgress": "y" * 70_000, "thisContribution": "new",
        "agentId": "agent-1", "agentType": "custom"})
    generation_1 = _keys_and_blobs(1)
    assert len(generation_1[1]) == 1

    described = _finish(_start())  # an input without a generation (as before generations) purges generation 0

    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"tenantId": TENANT, "projectId": PROJECT, "done": True,
                                               "deletedItems": 0, "deletedBlobs": 0}
    assert _keys_and_blobs(1) == generation_1
    assert _blobs() == []
    [anchor] = _partition()
    assert (anchor["SK"], anchor["lifecycle"], anchor["latestGeneration"]) == ("PROJECT", "moved", 1)
    assert not {"GSI1PK", "name", "roadmap", "activeBranches", "milestoneCount"} & set(anchor)
    assert [p["name"] for p in projects.list_all(TENANT)] == ["Again"]

    projects.mark_deleting(TENANT, PROJECT)  # generation 1
    projects.create(TENANT, PROJECT, "Third", "")  # generation 2
    generation_2 = _keys_and_blobs(2)

    described = _finish(_start_generation(1))

    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["generation"] == 1
    assert _keys_and_blobs(1) == ([], [])
    assert _keys_and_blobs(2) == generation_2
    assert table().get(anchor["PK"], "PROJECT")["latestGeneration"] == 2
    assert projects.get(TENANT, PROJECT)["name"] == "Third"


def test_purging_generation_0_of_a_project_never_recreated_removes_the_tombstone(aws: dict[str, str]) -> None:
    from cairn.memory.service import projects

    _deleting_project_with_content()

    assert _finish(_start_generation(0))["status"] == "SUCCEEDED"

    assert _partition() == []
    assert projects.create(TENANT, PROJECT, "Fresh", "")["milestoneCount"] == 0
    [project] = [item for item in _partition() if item["SK"] == "PROJECT"]
    assert project["generation"] == 0  # the id starts over at generation 0: nothing older remains
