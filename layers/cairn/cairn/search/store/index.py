"""The search index (docs/search.md): pending documents in the sparse GSI3, compacted per project into
immutable S3 segments listed by a manifest item.

- A search document is any item of a project partition carrying ``document_attributes``: its terms
  (``"term:tf ..."``), ``termCount`` (document length), ``searchKind``, ``searchRev`` and the GSI3 keys
  ``T#{tenant}#UNINDEXED`` / ``{project scope}#{createdAt}#{docId}`` that mark it not yet compacted (the
  scope tells generations of a recreated project apart: ``keys.project_scope``).
- A segment (``{blob prefix}search/segment-{id}.json.gz``) holds a doc table and postings
  ``term -> "docDelta tf docDelta tf ..."`` (decoded lazily, per term, when a query asks for it).
- The manifest (``SEARCH#MANIFEST`` in the project partition) lists segments in precedence order (a
  document in a later segment, or still pending, supersedes the same ``ref`` in an earlier one) and is
  replaced only under a version condition, in a transaction that also proves the project is live.
"""

from __future__ import annotations

import gzip
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any
from urllib.parse import unquote

from cairn.aws import clients, partition
from cairn.aws.documents import INDEX, MILESTONE, PENDING_ATTRIBUTES, document_ref, pending_pk, pending_prefix
from cairn.aws.keys import PROJECT_SK, ProjectRef, blob_prefix, parse_project_scope, project_pk
from cairn.aws.table import TransactionCancelled, marshal, table
from cairn.core.clock import utc_now
from cairn.core.settings import get_settings
from cairn.core.text import decode_terms
from cairn.search.store.entities import MANIFEST, MANIFEST_SK

_PENDING_PROJECTION = ("PK, SK, GSI3SK, terms, termCount, searchKind, searchRev, createdAt, agentId, "
                       "sequenceNumber")
SEGMENT_FORMAT = 1


# --- keys ---------------------------------------------------------------------------------------------------


def segment_prefix(tenant: str, project_id: str, generation: int = 0) -> str:
    return f"{blob_prefix(tenant, project_id, generation)}search/"


def new_segment_key(tenant: str, project_id: str, generation: int = 0) -> str:
    """Time-ordered and unique: ``segment-{ns}-{random}.json.gz``."""
    prefix = segment_prefix(tenant, project_id, generation)
    return f"{prefix}segment-{time.time_ns():020d}-{secrets.token_hex(4)}.json.gz"


# --- documents ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """One search document, as a segment's doc table keeps it."""

    ref: str  # SK of the item a hit is read from (MSID#{id} for a milestone)
    kind: str
    doc_id: str
    project_id: str
    length: int
    created_at: str
    sequence: int
    agent_id: str | None
    terms: dict[str, int] = field(compare=False, repr=False)
    generation: int = 0  # of the project: its partition holds the document


def doc_from_item(item: dict[str, Any]) -> Doc:
    """A pending item (GSI3 or a stream image) as a document."""
    scope, created_at, id_part = item["GSI3SK"].split("#")
    project_id, generation = parse_project_scope(scope)
    kind = item.get("searchKind") or MILESTONE
    doc_id = unquote(id_part)
    return Doc(ref=document_ref(kind, doc_id, item["SK"]), kind=kind, doc_id=doc_id,
               project_id=project_id, length=int(item.get("termCount") or 0), created_at=created_at,
               sequence=int(item.get("sequenceNumber") or 0), agent_id=item.get("agentId"),
               terms=decode_terms(item.get("terms") or ""), generation=generation)


# --- segments -----------------------------------------------------------------------------------------------


class Segment:
    """An immutable run of documents of one project generation with their postings (or pending docs, in
    memory)."""

    def __init__(self, key: str, project_id: str, docs: dict[str, list[Any]], postings: dict[str, str],
                 raw_size: int, generation: int = 0) -> None:
        self.key = key
        self.project_id = project_id
        self.generation = generation
        self.refs: list[str] = docs["ref"]
        self.kinds: list[str] = docs["kind"]
        self.ids: list[str] = docs["id"]
        self.lengths: list[int] = docs["len"]
        self.created: list[str] = docs["at"]
        self.sequences: list[int] = docs["seq"]
        self.agents: list[str | None] = docs["agent"]
        self._raw_postings = postings
        self._decoded: dict[str, tuple[list[int], list[int]]] = {}
        self._positions: dict[str, int] | None = None
        self.size = raw_size
        self.total_length = sum(self.lengths)
        self.kind_set = frozenset(self.kinds)

    def __len__(self) -> int:
        return len(self.refs)

    @property
    def positions(self) -> dict[str, int]:
        """ref -> doc index (the last one wins)."""
        if self._positions is None:
            self._positions = {ref: index for index, ref in enumerate(self.refs)}
        return self._positions

    def terms(self) -> Iterable[str]:
        return self._raw_postings.keys()

    def postings(self, term: str) -> tuple[list[int], list[int]] | None:
        """(doc indexes ascending, term frequencies) of ``term``, decoded once."""
        decoded = self._decoded.get(term)
        if decoded is None:
            raw = self._raw_postings.get(term)
            if raw is None:
                return None
            numbers = [int(token) for token in raw.split()]
            decoded = (list(accumulate(numbers[0::2])), numbers[1::2])
            if len(self._decoded) < _DECODED_TERMS_MAX:
                self._decoded[term] = decoded
        return decoded

    def doc(self, index: int) -> tuple[str, str, str]:
        return self.kinds[index], self.ids[index], self.refs[index]


_DECODED_TERMS_MAX = 4096


def _encode_postings(postings: dict[str, list[tuple[int, int]]]) -> dict[str, str]:
    encoded: dict[str, str] = {}
    for term, entries in postings.items():
        previous = 0
        parts: list[str] = []
        for doc, tf in entries:
            parts.append(f"{doc - previous} {tf}")
            previous = doc
        encoded[term] = " ".join(parts)
    return encoded


def _doc_table(docs: Sequence[Doc]) -> dict[str, list[Any]]:
    return {"ref": [d.ref for d in docs], "kind": [d.kind for d in docs], "id": [d.doc_id for d in docs],
            "len": [d.length for d in docs], "at": [d.created_at for d in docs],
            "seq": [d.sequence for d in docs], "agent": [d.agent_id for d in docs]}


def segment_of_docs(key: str, project_id: str, docs: Sequence[Doc],
                    generation: int = 0) -> tuple[Segment, dict[str, Any]]:
    """An in-memory segment of ``docs`` (the later of two equal refs wins) and its JSON payload."""
    latest = {doc.ref: doc for doc in docs}
    unique = list(latest.values())
    postings: dict[str, list[tuple[int, int]]] = {}
    for index, doc in enumerate(unique):
        for term, tf in doc.terms.items():
            postings.setdefault(term, []).append((index, tf))
    table_ = _doc_table(unique)
    encoded = _encode_postings(postings)
    payload = {"format": SEGMENT_FORMAT, "projectId": project_id, "generation": generation, "docs": table_,
               "postings": encoded, "stats": {"docs": len(unique), "length": sum(d.length for d in unique)}}
    return Segment(key, project_id, table_, encoded, 0, generation), payload


def merged_payload(project_id: str, segments: Sequence[Segment]) -> dict[str, Any]:
    """One segment equivalent to ``segments`` in precedence order (superseded documents dropped)."""
    keep: dict[str, tuple[int, int]] = {}
    for number, segment in enumerate(segments):
        for index, ref in enumerate(segment.refs):
            keep[ref] = (number, index)
    mapping: list[dict[int, int]] = [{} for _ in segments]
    docs: dict[str, list[Any]] = {"ref": [], "kind": [], "id": [], "len": [], "at": [], "seq": [], "agent": []}
    for number, segment in enumerate(segments):
        for index, ref in enumerate(segment.refs):
            if keep[ref] != (number, index):
                continue
            mapping[number][index] = len(docs["ref"])
            docs["ref"].append(ref)
            docs["kind"].append(segment.kinds[index])
            docs["id"].append(segment.ids[index])
            docs["len"].append(segment.lengths[index])
            docs["at"].append(segment.created[index])
            docs["seq"].append(segment.sequences[index])
            docs["agent"].append(segment.agents[index])
    postings: dict[str, list[tuple[int, int]]] = {}
    for number, segment in enumerate(segments):
        local = mapping[number]
        for term in list(segment.terms()):
            decoded = segment.postings(term)
            if decoded is None:
                continue
            target = postings.setdefault(term, [])
            target.extend((local[doc], tf) for doc, tf in zip(*decoded, strict=True) if doc in local)
    postings = {term: entries for term, entries in postings.items() if entries}
    generation = segments[0].generation if segments else 0
    return {"format": SEGMENT_FORMAT, "projectId": project_id, "generation": generation, "docs": docs,
            "postings": _encode_postings(postings), "stats": {"docs": len(docs["ref"]), "length": sum(docs["len"])}}


def encode_segment(payload: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
                         compresslevel=6)


def decode_segment(key: str, data: bytes) -> Segment:
    raw = gzip.decompress(data)
    payload = json.loads(raw)
    if payload.get("format") != SEGMENT_FORMAT:
        raise ValueError(f"segment {key} has unknown format {payload.get('format')!r}")
    return Segment(key, payload["projectId"], payload["docs"], payload["postings"], len(raw),
                   int(payload.get("generation") or 0))


class SegmentGone(Exception):
    """A segment named by a manifest was removed (merged away) after the manifest was read."""


class SegmentCache:
    """Segments by S3 key, least recently used first out, bounded by decoded size. Segments are
    immutable, so an entry never goes stale."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Segment] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Segment | None:
        with self._lock:
            segment = self._entries.get(key)
            if segment is not None:
                self._entries.move_to_end(key)
            return segment

    def put(self, segment: Segment) -> None:
        cost = max(segment.size, 1) * 3  # decoded strings and lists weigh about thrice the JSON
        with self._lock:
            if segment.key in self._entries:
                return
            self._entries[segment.key] = segment
            self._bytes += cost
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= max(evicted.size, 1) * 3

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_cache: SegmentCache | None = None


def segment_cache() -> SegmentCache:
    global _cache
    if _cache is None:
        _cache = SegmentCache(get_settings().search_segment_cache_bytes)
    return _cache


def load_segment(key: str) -> Segment:
    cache = segment_cache()
    segment = cache.get(key)
    if segment is not None:
        return segment
    s3 = clients.s3()
    try:
        body = s3.get_object(Bucket=get_settings().bucket_name, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey as gone:
        raise SegmentGone(key) from gone
    segment = decode_segment(key, body)
    cache.put(segment)
    return segment


def write_segment(key: str, payload: dict[str, Any]) -> int:
    body = encode_segment(payload)
    clients.s3().put_object(Bucket=get_settings().bucket_name, Key=key, Body=body,
                            ContentType="application/json", ContentEncoding="gzip")
    return len(body)


def delete_segments(keys: Sequence[str]) -> None:
    if keys:
        clients.s3().delete_objects(Bucket=get_settings().bucket_name,
                                    Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True})


# --- pending documents --------------------------------------------------------------------------------------


def pending_items(tenant: str, project: ProjectRef | None = None) -> Iterator[dict[str, Any]]:
    """Documents not yet in a segment: one Query of the tenant's GSI3 partition (per project generation:
    ``begins_with(GSI3SK, scope#)``), following 1 MB pages."""
    prefix = pending_prefix(project.project_id, project.generation) if project is not None else None
    return table().query_all(pending_pk(tenant), index=INDEX, projection=_PENDING_PROJECTION, sk_prefix=prefix)


# --- manifest -----------------------------------------------------------------------------------------------


def empty_manifest(tenant: str, project_id: str, generation: int = 0) -> dict[str, Any]:
    return {"PK": project_pk(tenant, project_id, generation), "SK": MANIFEST_SK, "entity": MANIFEST.name,
            "version": 0, "segments": [], "docs": 0, "length": 0}


def project_and_manifest(tenant: str, project_id: str,
                         generation: int = 0) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The PROJECT item (None when missing) and the manifest (empty if none yet) of one project generation,
    one BatchGetItem."""
    pk = project_pk(tenant, project_id, generation)
    found = table().get_many([(pk, PROJECT_SK), (pk, MANIFEST_SK)])
    return found.get((pk, PROJECT_SK)), found.get((pk, MANIFEST_SK)) or empty_manifest(tenant, project_id,
                                                                                         generation)


def live_manifests(refs: list[ProjectRef], *, follow: bool,
                   required: bool = False) -> list[tuple[ProjectRef, dict[str, Any] | None]]:
    """The manifest (None before the first compaction) of each live generation among ``refs``, read with
    its ``PROJECT`` item in one BatchGetItem (per 100 keys). ``follow``: a project recreated since this
    container saw it is followed to its latest generation (``partition.read_live``); ``required``: the one
    ref must be live (``NotLive`` otherwise)."""
    if follow:
        return [(ref, items[MANIFEST_SK]) for ref, items in partition.read_live(refs, (PROJECT_SK, MANIFEST_SK))]
    found = table().get_many([(ref.pk, sk) for ref in refs for sk in (PROJECT_SK, MANIFEST_SK)])
    if required:
        partition.require_live(found.get((refs[0].pk, PROJECT_SK)), refs[0])
    return [(ref, found.get((ref.pk, MANIFEST_SK))) for ref in refs
            if partition.is_live(found.get((ref.pk, PROJECT_SK)))]


def read_items(keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Items by (PK, SK), strongly consistent (BatchGetItem per 100 keys): search hits, stream triggers."""
    return table().get_many(keys)


def segment_entry(key: str, payload: dict[str, Any], size: int) -> dict[str, Any]:
    return {"key": key, "docs": payload["stats"]["docs"], "length": payload["stats"]["length"], "bytes": size}


class ManifestConflict(Exception):
    """Someone else replaced the manifest since it was read."""


class ProjectGone(Exception):
    """The project is being deleted (or is gone): its index must not change."""


def replace_manifest(tenant: str, project_id: str, manifest: dict[str, Any],
                     segments: list[dict[str, Any]], generation: int = 0) -> dict[str, Any]:
    """Writes ``segments`` as the new manifest if it is still the version read and the project is live."""
    version = int(manifest["version"])
    new = {**empty_manifest(tenant, project_id, generation), "version": version + 1, "segments": segments,
           "docs": sum(int(s["docs"]) for s in segments), "length": sum(int(s["length"]) for s in segments),
           "updatedAt": utc_now()}
    db = table()
    condition = "attribute_not_exists(PK)" if version == 0 else "version = :version"
    values = None if version == 0 else {":version": version}
    try:
        db.transact([
            partition.live_check_operation(ProjectRef(tenant, project_id, generation)),
            db.put_op(new, condition, values=values),
        ])
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise ProjectGone(project_id) from cancelled
        if cancelled.failed(1) or cancelled.conflicting:
            raise ManifestConflict(project_id) from cancelled
        raise
    return new


def clear_pending(pk: str, sk: str, revision: str | None) -> bool:
    """Removes the pending markers of a compacted document, unless the item is gone (never resurrect a
    deleted item) or was replaced by a newer version since it was read. True if removed."""
    client = clients.dynamodb()
    condition = "attribute_exists(PK)"
    values: dict[str, Any] = {}
    if revision is not None:
        condition += " AND searchRev = :rev"
        values[":rev"] = revision
    request: dict[str, Any] = {"TableName": table().name, "Key": marshal({"PK": pk, "SK": sk}),
                               "UpdateExpression": "REMOVE " + ", ".join(PENDING_ATTRIBUTES),
                               "ConditionExpression": condition}
    if values:
        request["ExpressionAttributeValues"] = marshal(values)
    try:
        client.update_item(**request)
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True
