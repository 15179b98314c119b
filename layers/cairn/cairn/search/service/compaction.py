"""Compaction of pending search documents into segments, and merging of segments (docs/search.md).

Safe to run again at any point: a document compacted twice is superseded by its later copy (same
``ref``), a segment written but never listed is an orphan object removed with the project prefix, and
pending markers are removed only from the version of the item that was indexed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from cairn.aws import partition
from cairn.aws.keys import ProjectRef
from cairn.aws.table import unmarshal
from cairn.core.settings import get_settings
from cairn.search.store.index import (
    ManifestConflict,
    ProjectGone,
    Segment,
    clear_pending,
    delete_segments,
    doc_from_item,
    load_segment,
    merged_payload,
    new_segment_key,
    pending_items,
    project_and_manifest,
    read_items,
    replace_manifest,
    segment_entry,
    segment_of_docs,
    write_segment,
)

MANIFEST_ATTEMPTS = 10
CLEAR_WORKERS = 8
# Merge a run of newer segments into one when there are more than ``search_max_segments``: the run
# grows backwards while the segment before it is no bigger than twice the run (tiered merging, so a
# document is rewritten O(log n) times and a big base segment is left alone by small merges).
MERGE_RATIO = 2


@dataclass
class Compaction:
    project_id: str
    indexed: int = 0  # documents written to a new segment
    cleared: int = 0  # pending markers removed
    merged: int = 0  # segments merged into one
    complete: bool = True  # False: stopped at the deadline, pending documents remain
    skipped: str | None = None  # why nothing was done (project gone, nothing pending)
    generation: int = 0


def compact(tenant: str, project_id: str, triggers: Iterable[tuple[str, str]] = (), *,
            deadline: float | None = None, generation: int = 0) -> Compaction:
    """Moves the pending documents of one project generation into one new segment, lists it in the
    manifest, removes their pending markers, and merges segments when there are too many.

    Pending documents are read from GSI3; ``triggers`` (keys of items a stream batch reported) that the
    eventually consistent index does not show yet are read from the table, strongly. A generation that is
    not live (deleted, or replaced by a recreated project) is left alone: its purge removes its documents."""
    ref = ProjectRef(tenant, project_id, generation)
    result = Compaction(project_id, generation=generation)
    # Liveness first: a project being deleted or imported (hidden while its documents are written) costs one read
    # per stream batch, not a read of every document it has pending.
    project, manifest = project_and_manifest(tenant, project_id, generation)
    if project is None or project.get("lifecycle") != partition.LIVE:
        result.skipped = "project is not live"
        return result
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for item in pending_items(tenant, ref):
        found[(item["PK"], item["SK"])] = item
    missing = [key for key in dict.fromkeys(triggers) if key not in found]
    if missing:
        for key, item in read_items(missing).items():
            doc = doc_from_item(item) if item.get("GSI3SK") else None
            if doc is not None and (doc.project_id, doc.generation) == (project_id, generation):
                found[key] = item
    if not found:
        result.skipped = "nothing pending"
        return _merge_if_needed(tenant, project_id, manifest, result, generation=generation)
    items = list(found.values())
    docs = [doc_from_item(item) for item in items]
    segment_key = new_segment_key(tenant, project_id, generation)
    segment, payload = segment_of_docs(segment_key, project_id, docs, generation)
    size = write_segment(segment_key, payload)
    try:
        manifest = _append(tenant, project_id, manifest, segment_entry(segment_key, payload, size), generation)
    except ProjectGone:
        delete_segments([segment_key])
        result.skipped = "project is not live"
        return result
    result.indexed = len(segment)
    result.cleared, result.complete = _clear(items, deadline)
    return _merge_if_needed(tenant, project_id, manifest, result, generation=generation)


def _append(tenant: str, project_id: str, manifest: dict[str, Any], entry: dict[str, Any],
            generation: int = 0) -> dict[str, Any]:
    for _ in range(MANIFEST_ATTEMPTS):
        try:
            return replace_manifest(tenant, project_id, manifest, [*manifest["segments"], entry], generation)
        except ManifestConflict:
            _, manifest = project_and_manifest(tenant, project_id, generation)
    raise ManifestConflict(project_id)


def _clear(items: list[dict[str, Any]], deadline: float | None) -> tuple[int, bool]:
    """Removes the pending markers, in parallel; stops early (incomplete) when the deadline passes."""
    cleared = 0
    complete = True

    def clear(item: dict[str, Any]) -> bool:
        return clear_pending(item["PK"], item["SK"], item.get("searchRev"))

    with ThreadPoolExecutor(max_workers=CLEAR_WORKERS) as pool:
        for start in range(0, len(items), CLEAR_WORKERS * 8):
            if deadline is not None and time.monotonic() > deadline:
                complete = False
                break
            cleared += sum(pool.map(clear, items[start:start + CLEAR_WORKERS * 8]))
    return cleared, complete


def merge_run(sizes: list[int], max_segments: int) -> int:
    """Index of the first segment to merge (through the last), or -1 when no merge is due."""
    if len(sizes) <= max_segments:
        return -1
    start = len(sizes) - 2
    while start > 0 and sizes[start - 1] <= MERGE_RATIO * sum(sizes[start:]):
        start -= 1
    return start


def _merge_if_needed(tenant: str, project_id: str, manifest: dict[str, Any], result: Compaction,
                     max_segments: int | None = None, *, generation: int = 0) -> Compaction:
    limit = max_segments or get_settings().search_max_segments
    entries = list(manifest["segments"])
    start = merge_run([int(entry["docs"]) for entry in entries], limit)
    if start < 0:
        return result
    run = entries[start:]
    segments: list[Segment] = [load_segment(entry["key"]) for entry in run]
    key = new_segment_key(tenant, project_id, generation)
    payload = merged_payload(project_id, segments)
    size = write_segment(key, payload)
    try:
        replace_manifest(tenant, project_id, manifest, [*entries[:start], segment_entry(key, payload, size)],
                         generation)
    except (ManifestConflict, ProjectGone):
        delete_segments([key])  # someone changed the index meanwhile: the next compaction merges
        return result
    delete_segments([entry["key"] for entry in run])
    result.merged = len(run)
    return result


def compact_stream_batch(records: list[dict[str, Any]], *, deadline: float | None = None,
                         on_error: Callable[[str, str, BaseException], None] | None = None) -> list[str]:
    """Compacts every project a DynamoDB stream batch touched; returns the sequence numbers of the first
    record of each project that failed or ran out of time (``batchItemFailures``: Lambda then retries the
    batch from the lowest one, and compaction, being idempotent, finishes the work)."""
    groups: dict[tuple[str, str, int], list[tuple[str, tuple[str, str]]]] = {}
    for record in records:
        stream = record.get("dynamodb") or {}
        image = unmarshal(stream.get("NewImage") or {})
        if not image.get("GSI3PK") or not image.get("GSI3SK"):
            continue
        tenant = unquote(image["GSI3PK"].split("#")[1])
        doc = doc_from_item(image)
        groups.setdefault((tenant, doc.project_id, doc.generation), []).append(
            (stream.get("SequenceNumber", ""), (image["PK"], image["SK"])))
    failed: list[str] = []
    for (tenant, project_id, generation), entries in groups.items():
        try:
            result = compact(tenant, project_id, [key for _, key in entries], deadline=deadline,
                             generation=generation)
        except Exception as error:  # reported to Lambda below, which retries the batch from this record
            if on_error:
                on_error(tenant, project_id, error)
            failed.append(entries[0][0])
            continue
        if not result.complete:
            failed.append(entries[0][0])
    return failed
