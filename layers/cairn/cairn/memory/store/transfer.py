"""Export of one project generation's partition, page by page (docs/platform.md, "Jobs").

A record is an item as the partition holds it, made portable: the partition key and the index keys name the
tenant and the project, so they are dropped (an import rebuilds them for the new project); the sort key is
relative to the partition and is kept, so sequence numbers, hashes and timestamps travel unchanged. Texts
offloaded to S3 are put back into the record, so the export holds everything. JSON has no sets: a set
attribute (a project's ``activeBranches``) is written as a sorted list and named under ``SETS``, and a binary
one (a knowledge embedding) as base64 named under ``BYTES``, so an import restores each as it was.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import Binary

from cairn.aws import blobs, documents
from cairn.aws.keys import PROJECT_SK, ProjectRef, escape, projects_index_pk
from cairn.aws.partition import DELETING, LATEST, LIVE
from cairn.aws.table import ConditionFailed, table
from cairn.core.errors import Conflict, InvalidInput
from cairn.memory.store.keys import agent_index_pk, agent_index_sk

# Items read per page: one page is all an export holds in memory at a time.
PAGE_ITEMS = 500
# Attributes that name the tenant or the project's partition: never exported.
_LOCATION_ATTRIBUTES = ("PK", "blobKey")
_INDEX_PREFIX = "GSI"
SETS = "$sets"
BYTES = "$bytes"
BLOB = "$blob"  # {"name", "fields"}: texts that were offloaded to S3 (an import offloads them again)


@dataclass(frozen=True)
class ExportPage:
    records: list[dict[str, Any]]
    cursor: dict[str, Any] | None  # where the next page starts; None after the last one


def export_page(ref: ProjectRef, cursor: dict[str, Any] | None = None, *, limit: int = PAGE_ITEMS) -> ExportPage:
    page = table().query(ref.pk, limit=limit, start_key=cursor)
    return ExportPage([_record(ref, item) for item in page.items], page.last_key)


def _record(ref: ProjectRef, item: dict[str, Any]) -> dict[str, Any]:
    blob_key, held = item.get("blobKey"), set(item)
    record = portable(blobs.hydrate(item))
    if isinstance(blob_key, str) and blob_key.startswith(ref.blob_prefix):
        record[BLOB] = {"name": blob_key[len(ref.blob_prefix):].removesuffix(".json"),
                        "fields": sorted(set(item) - held)}
    return record


def portable(item: dict[str, Any]) -> dict[str, Any]:
    record = {name: _json_value(value) for name, value in item.items()
              if name not in _LOCATION_ATTRIBUTES and not name.startswith(_INDEX_PREFIX)}
    for marker, kind in ((SETS, set), (BYTES, Binary)):
        named = sorted(name for name, value in item.items() if isinstance(value, kind))
        if named:
            record[marker] = named
    return record


def _json_value(value: Any) -> Any:
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, Binary):
        return base64.b64encode(value.value).decode("ascii")
    return value


# --- import ---------------------------------------------------------------------------------------------------
# An import writes a copy into a NEW project (generation 0 of an id with no PROJECT item). The copy is hidden
# while it is written: its PROJECT item is ``importing`` (every route answers 404 for a project that is not
# ``live``) and has no listing-index keys; the job that owns it is named on it (``importJobId``), so only that
# job writes there and a re-run of it rewrites the same items (every key is derived from the record).

IMPORTING = "importing"
IMPORT_JOB = "importJobId"
# The original's search index (its segments' keys name the original's prefix): the copy is indexed anew.
_SKIPPED = frozenset({"SEARCH#MANIFEST"})


class TargetTaken(Conflict):
    """The import's target id is in use (a project, live or not, or another import's copy)."""

    def __init__(self, project_id: str) -> None:
        super().__init__(f"project '{project_id}' already exists", field="projectIdMap")
        self.project_id = project_id


class NotARecord(InvalidInput):
    """A record this import cannot restore (no ``SK``)."""


def target_taken(tenant: str, project_id: str) -> bool:
    return table().get(ProjectRef(tenant, project_id).pk, PROJECT_SK) is not None


def claim(tenant: str, project_id: str, job_id: str) -> None:
    """Reserves the target for ``job_id`` (a hidden PROJECT item); again for the same job is a no-op.
    ``TargetTaken`` when anything else holds the id."""
    ref = ProjectRef(tenant, project_id)
    item = {"PK": ref.pk, "SK": PROJECT_SK, "entity": "project", "projectId": project_id, "tenantId": tenant,
            "generation": 0, "lifecycle": IMPORTING, IMPORT_JOB: job_id}
    try:
        table().put(item, condition=f"attribute_not_exists(PK) OR {_OWNED}", names=_OWNED_NAMES,
                    values=_owned_values(job_id))
    except ConditionFailed:
        raise TargetTaken(project_id) from None


def restore_page(tenant: str, project_id: str, job_id: str, records: list[dict[str, Any]]) -> int:
    """Writes ``records`` (one page of an export of one project) into the hidden copy ``project_id``; answers
    how many items were written. The PROJECT record is put conditionally (the copy must still be this job's);
    the others are plain puts of deterministic items: a re-run rewrites them unchanged."""
    ref = ProjectRef(tenant, project_id)
    # One item per key (a file repeating a line would make BatchWriteItem refuse the batch): the last one wins.
    items = list({item["SK"]: item for item in (restored(ref, record) for record in records
                                                if record.get("SK") not in _SKIPPED)}.values())
    project = [item for item in items if item["SK"] == PROJECT_SK]
    for item in project:
        item.update({"lifecycle": IMPORTING, IMPORT_JOB: job_id})
        try:
            table().put(item, condition=_OWNED, names=_OWNED_NAMES, values=_owned_values(job_id))
        except ConditionFailed:
            raise TargetTaken(project_id) from None
    return len(project) + table().put_many(item for item in items if item["SK"] != PROJECT_SK)


def live_operation(tenant: str, project_id: str, job_id: str) -> dict[str, Any]:
    """The transact item that makes the copy live and listed, in one write (it fails unless the copy is
    still this job's)."""
    ref = ProjectRef(tenant, project_id)
    return table().update_op(ref.pk, PROJECT_SK, "SET #lifecycle = :live, GSI1PK = :gsi1pk, GSI1SK = :gsi1sk "
                             f"REMOVE {IMPORT_JOB}", condition=_OWNED, names=_OWNED_NAMES,
                             values={**_owned_values(job_id), ":live": LIVE,
                                     ":gsi1pk": projects_index_pk(tenant), ":gsi1sk": escape(project_id)})


def abandon(tenant: str, project_id: str, job_id: str) -> bool:
    """Marks this job's hidden copy ``deleting`` (for the purge to remove); False when it holds none."""
    ref = ProjectRef(tenant, project_id)
    try:
        table().update(ref.pk, PROJECT_SK, "SET #lifecycle = :deleting", condition=_OWNED, names=_OWNED_NAMES,
                       values={**_owned_values(job_id), ":deleting": DELETING})
    except ConditionFailed:
        return False
    return True


_OWNED = "#lifecycle = :importing AND #job = :job"
_OWNED_NAMES = {"#lifecycle": "lifecycle", "#job": IMPORT_JOB}


def _owned_values(job_id: str) -> dict[str, Any]:
    return {":importing": IMPORTING, ":job": job_id}


def restored(ref: ProjectRef, record: dict[str, Any]) -> dict[str, Any]:
    """The item ``record`` (from ``portable``) becomes in the project ``ref``: its keys, project id, sets,
    bytes, offloaded texts and search document rebuilt for ``ref``."""
    if not isinstance(record.get("SK"), str) or not record["SK"]:
        raise NotARecord("a record without 'SK' cannot be restored", field="SK")
    item = {name: value for name, value in record.items() if name not in (SETS, BYTES, BLOB)}
    for name in record.get(SETS) or ():
        item[name] = set(item[name])
    for name in record.get(BYTES) or ():
        item[name] = Binary(base64.b64decode(item[name]))
    item["PK"] = ref.pk
    if "projectId" in item:
        item["projectId"] = ref.project_id
    if item["SK"] == PROJECT_SK:
        item.update({"tenantId": ref.tenant, "generation": ref.generation})
        item.pop(LATEST, None)
    if item.get("entity") == "milestone":
        item.update({"GSI2PK": agent_index_pk(ref.tenant, item["agentId"]),
                     "GSI2SK": agent_index_sk(item["createdAt"], ref.project_id, item["milestoneId"])})
    if item.get("searchKind"):
        document = _search_document(ref, item)
        # The original's revision is kept: a re-run of the import writes the very same item.
        document["searchRev"] = item.get("searchRev") or document["searchRev"]
        item.update(document)
    blob = record.get(BLOB)
    if blob:
        blobs.offload(item, tuple(blob["fields"]), prefix=ref.blob_prefix, name=str(blob["name"]))
    return item


def _search_document(ref: ProjectRef, item: dict[str, Any]) -> dict[str, Any]:
    """Fresh pending-document attributes for the copy, as each kind's writer builds them (milestones: memory's
    store; knowledge: insights' ``store/knowledge.py``; records: sources' ``store/records.py``): the indexer
    then compacts the copy into an index of its own."""
    kind = item["searchKind"]
    if kind == documents.MILESTONE:
        return documents.milestone_attributes(ref.tenant, ref.project_id, item["milestoneId"], item,
                                              item["createdAt"], ref.generation)
    if kind == documents.KNOWLEDGE:
        return documents.document_attributes(ref.tenant, ref.project_id, kind, item["knowledgeId"],
                                             item["summary"], item["updatedAt"], ref.generation)
    if kind == documents.RECORD:
        text = "\n".join(part for part in (item.get("author"), item.get("text")) if part)
        return documents.document_attributes(ref.tenant, ref.project_id, kind,
                                             f"{item['sourceId']}/{item['remoteId']}", text, item["time"],
                                             ref.generation)
    raise NotARecord(f"unknown search document kind {kind!r}", field="searchKind")
