"""Record items: what a source ingested, in the partition of the source's project (docs/sources.md).

One item per remote item, keyed by its remote id (``SRCREC#{sourceId}#{remoteId}``), so ingesting the same
item again replaces it: a run that repeats a page never duplicates. Each record is a search document of
kind ``record`` (``cairn.aws.documents``), ranked by the same machinery as milestones, and carries GSI1
keys for the newest-first listing. Living in the project's partition, records go with the project's purge.

Storing a page is a BatchWriteItem (25 items a call, not conditional), then one BatchGetItem of the source
and the project: if the source was deleted or reset (another ``incarnation``), or the project is no longer
live, the page is removed again. A delete removes the source item before it queries the records, and a
store checks after it writes, so either the delete's query sees the page or the store's check sees the
delete: no record outlives its source.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairn.aws import documents, partition
from cairn.aws.keys import PROJECT_SK, ProjectRef
from cairn.aws.table import table
from cairn.core import clock
from cairn.sources.domain.records import TEXT_MAX, RemoteItem, record_doc_id
from cairn.sources.store import keys
from cairn.sources.store.entities import RECORD
from cairn.sources.store.sources import SourceGone

KIND = documents.RECORD


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return RECORD.to_wire(item)


def _item(ref: ProjectRef, source: dict[str, Any], record: RemoteItem, now: str) -> dict[str, Any]:
    source_id = source["sourceId"]
    text = record.text[:TEXT_MAX]
    searchable = "\n".join(part for part in (record.author, text) if part)
    return {
        "PK": ref.pk, "SK": keys.record_sk(source_id, record.remote_id), "entity": RECORD.name,
        "remoteId": record.remote_id, "sourceId": source_id, "projectId": ref.project_id,
        "sourceType": source["sourceType"], "author": record.author, "url": record.url, "time": record.time,
        "text": text, "ingestedAt": now, "incarnation": source["incarnation"],
        "GSI1PK": keys.records_index_pk(ref.tenant, source_id),
        "GSI1SK": keys.records_index_sk(record.time, record.remote_id),
        # The document's time is the remote item's: a question's time range applies to when it was said.
        **documents.document_attributes(ref.tenant, ref.project_id, KIND, record_doc_id(source_id, record.remote_id),
                                        searchable, created_at=record.time, generation=ref.generation),
    }


def store(source: dict[str, Any], records: Sequence[RemoteItem]) -> int:
    """Upserts ``records`` of ``source`` (as read) into its project's current generation; answers how many.
    ``SourceGone`` (records removed again) when the source went meanwhile; ``NotFound`` when the project did."""
    tenant, project_id = source["tenantId"], source["projectId"]
    unique = list({record.remote_id: record for record in records}.values())

    def store_at(ref: ProjectRef) -> int:
        now = clock.utc_now()
        items = [_item(ref, source, record, now) for record in unique]
        db = table()
        db.put_many(items)
        source_key = (source["PK"], source["SK"])
        found = db.get_many([source_key, (ref.pk, PROJECT_SK)])
        current = found.get(source_key)
        if current is None or current.get("incarnation") != source["incarnation"] \
                or not partition.is_live(found.get((ref.pk, PROJECT_SK))):
            db.delete_keys((item["PK"], item["SK"]) for item in items)
            if current is None or current.get("incarnation") != source["incarnation"]:
                raise SourceGone(f"source '{source['sourceId']}' was deleted or reset while syncing", field="id")
            partition.require_live(found.get((ref.pk, PROJECT_SK)), ref)  # raises NotLive: maybe recreated
        return len(items)

    return partition.resolved(tenant, project_id, store_at) if unique else 0


def page(tenant: str, source_id: str, *, limit: int, offset: int, incarnation: str) -> list[dict[str, Any]]:
    """Newest first (by the remote item's time): one Query of GSI1 reading ``offset + limit`` entries, those of
    the source's ``incarnation`` answered."""
    found = table().query_all(keys.records_index_pk(tenant, source_id), index="GSI1", forward=False,
                              limit=offset + limit)
    return [to_wire(item) for item in list(found)[offset:] if item.get("incarnation") == incarnation]


def remove(tenant: str, project_id: str, source_id: str) -> int:
    """Deletes every record of the source in its project's latest generation (older ones are purged)."""
    ref = ProjectRef(tenant, project_id, partition.latest_generation(tenant, project_id))
    db = table()
    found = db.query_all(ref.pk, sk_prefix=keys.records_prefix(source_id), projection="PK, SK")
    return db.delete_keys((item["PK"], item["SK"]) for item in found)
