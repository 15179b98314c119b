"""Benchmark data written with BatchWriteItem, shaped by the store's own builders (so a change there shows here).

``seed``: a branch of milestones and log entries with its heads' counters set; ``milestone_items``: search
milestones with texts from the relevance corpus."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from cairn_local import search_corpus

BRANCH = "main"
AGENT = "bench-agent"
BATCH_WRITE_SIZE = 25


def seeded_fields(sequence: int) -> dict[str, Any]:
    return {"branchPurpose": "Benchmark the memory API", "cumulativeProgress": f"progress up to {sequence}",
            "thisContribution": f"contribution {sequence}", "agentId": AGENT, "agentType": "custom"}


def stream_items(tenant: str, project_id: str, sequence: int, *, highlighted: bool) -> list[dict[str, Any]]:
    """Milestone ``sequence`` of the branch, its hash guard and log entry ``sequence`` (with its highlight when
    ``highlighted``: one of the branch's 8 newest), shaped as ``milestones.store`` and ``logs.append`` write them."""
    from cairn.aws.keys import ProjectRef
    from cairn.core import ids
    from cairn.core.clock import utc_now
    from cairn.memory.domain.milestones import content_digest
    from cairn.memory.store.keys import entry_sk, hash_guard_sk, log_head_sk
    from cairn.memory.store.logs import highlight
    from cairn.memory.store.milestones import TEXT_FIELDS, new_item, stored_items

    fields = seeded_fields(sequence)
    digest = content_digest(*(fields[name] for name in TEXT_FIELDS))
    ref = ProjectRef(tenant, project_id)
    milestone = new_item(ref, BRANCH, sequence, fields, digest)
    pk = ref.pk
    guard = {"PK": pk, "SK": hash_guard_sk(digest), "entity": "hash-guard", "milestoneSk": milestone["SK"]}
    entry = {"PK": pk, "SK": entry_sk(log_head_sk(BRANCH), sequence), "entity": "log-entry",
             "entryId": ids.log_entry_id(), "projectId": project_id, "branchName": BRANCH, "agentId": AGENT,
             "phase": "observation", "content": f"observation {sequence}", "sequenceNumber": sequence,
             "createdAt": utc_now()}
    return [*stored_items(milestone), guard, entry, *([highlight(entry)] if highlighted else [])]


def batch_write(items: Iterable[dict[str, Any]]) -> None:
    from cairn.aws import clients
    from cairn.aws.table import marshal
    from cairn.core.settings import get_settings

    name = get_settings().table_name
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append({"PutRequest": {"Item": marshal(item)}})
        if len(batch) == BATCH_WRITE_SIZE:
            _write_batch(clients.dynamodb(), name, batch)
            batch = []
    if batch:
        _write_batch(clients.dynamodb(), name, batch)


def _write_batch(client: Any, table_name: str, batch: list[dict[str, Any]]) -> None:
    pending: dict[str, Any] = {table_name: batch}
    while pending:
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def seed(tenant: str, project_id: str, count: int) -> dict[str, Any]:
    """``count`` milestones and ``count`` log entries on the main branch of a fresh project.

    Written with BatchWriteItem (25 items a call) rather than ``milestones.store`` in a loop: store
    is a GetItem and a TransactWriteItems per milestone, about 30,000 moto requests for the big
    branch against about 1,200 here. The items are the ones store and append build (``new_item``,
    the hash guard, the log entry); the heads' counters and the project's milestoneCount are then
    set to match, so that paging, deduplication and the next store behave as after real stores.
    """
    from cairn.aws.keys import PROJECT_SK, project_pk
    from cairn.aws.table import table
    from cairn.memory.domain.logs import HIGHLIGHTS
    from cairn.memory.store.keys import log_head_sk, milestone_head_sk

    started = time.perf_counter()
    newest: dict[str, Any] = {}

    def items() -> Iterator[dict[str, Any]]:
        for sequence in range(1, count + 1):
            written = stream_items(tenant, project_id, sequence, highlighted=sequence > count - HIGHLIGHTS)
            newest.update(written[0])
            yield from written

    batch_write(items())
    pk = project_pk(tenant, project_id)
    db = table()
    db.update(pk, milestone_head_sk(BRANCH), "SET msSeq = :n", values={":n": count})
    db.update(pk, log_head_sk(BRANCH), "SET logSeq = :n", values={":n": count})
    db.update(pk, PROJECT_SK, "SET milestoneCount = :n", values={":n": count})
    return {"seconds": round(time.perf_counter() - started, 2), "milestoneId": newest["milestoneId"]}


def forget_highlights(tenant: str, project_id: str, branch: str) -> None:
    """Makes ``branch`` look created before log highlights existed: no highlight items, no mark on its head (its
    brief then reads the log page too, until 8 appends have written every slot)."""
    from cairn.aws.keys import project_pk
    from cairn.aws.table import table
    from cairn.memory.domain.logs import HIGHLIGHTS
    from cairn.memory.store.branches import HIGHLIGHTED
    from cairn.memory.store.keys import log_highlight_sk, milestone_head_sk

    pk = project_pk(tenant, project_id)
    table().delete_keys([(pk, log_highlight_sk(branch, slot)) for slot in range(HIGHLIGHTS)])
    table().update(pk, milestone_head_sk(branch), f"REMOVE {HIGHLIGHTED}")


def milestone_items(tenant: str, project_id: str, count: int, start: int = 1) -> Iterator[dict[str, Any]]:
    """``count`` milestones as ``milestones.store`` writes them (entry with terms and GSI3 keys, by-id copy),
    texts cycling through the relevance corpus with a ticket number each (a term of its own)."""
    from cairn.aws.keys import ProjectRef
    from cairn.memory.domain.milestones import content_digest
    from cairn.memory.store.milestones import TEXT_FIELDS, new_item, stored_items

    ref = ProjectRef(tenant, project_id)
    corpus = search_corpus.milestones()
    for sequence in range(start, start + count):
        base = corpus[(sequence - 1) % len(corpus)].fields
        fields = {**base, "thisContribution": f"{base['thisContribution']} (ticket ENG-{sequence})",
                  "cumulativeProgress": f"{base['cumulativeProgress']} Iteration {sequence // len(corpus)}."}
        digest = content_digest(*(fields[name] for name in TEXT_FIELDS))
        yield from stored_items(new_item(ref, BRANCH, sequence, fields, digest))
