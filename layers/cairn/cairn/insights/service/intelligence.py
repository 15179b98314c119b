"""Intelligence queries (docs/intelligence.md): a cited answer over the tenant's milestones, promoted
knowledge and external source records (docs/sources.md). Retrieval is ``retrieval``; the answer comes from
Bedrock when a model is configured, else from the local extractive answerer."""

from __future__ import annotations

from typing import Any

from cairn.aws.documents import KNOWLEDGE, MILESTONE, RECORD
from cairn.core.observability import count
from cairn.core.settings import get_settings
from cairn.insights.domain.answer import Answerer, ExtractiveAnswerer, Source, passage_limit, source_from
from cairn.insights.service import retrieval
from cairn.insights.store import knowledge
from cairn.memory.service import milestones
from cairn.search.service.query import Hit
from cairn.sources.service import sources as external

# What a question with ``includeExternalSources: false`` searches: the memory's own items only.
MEMORY_KINDS = frozenset({MILESTONE, KNOWLEDGE})


def answerer() -> Answerer:
    """Bedrock when a model is configured (CAIRN_BEDROCK_MODEL_ID), else the local extractive answerer."""
    model_id = get_settings().bedrock_model_id
    if model_id:
        from cairn.insights.adapters.bedrock import BedrockAnswerer

        return BedrockAnswerer(model_id)
    return ExtractiveAnswerer()


def _wire(hit: Hit) -> dict[str, Any]:
    """A hit's item as its context answers it: a milestone, promoted knowledge, or an external record."""
    if hit.kind == MILESTONE:
        return milestones.to_wire(hit.item)
    return external.record_to_wire(hit.item) if hit.kind == RECORD else knowledge.to_wire(hit.item)


def source_to_wire(source: Source) -> dict[str, Any]:
    """A cited source: a milestone's fields as the spec shows them; promoted knowledge names its
    ``knowledgeId``; an external record its ``sourceId``, ``remoteId``, ``url`` and ``author``."""
    if source.external is not None:
        return {"sourceId": source.external.source_id, "remoteId": source.source_id, "projectId": source.project_id,
                "branchName": None, "excerpt": source.excerpt, "createdAt": source.created_at,
                "url": source.external.url, "author": source.external.author}
    id_field = "milestoneId" if source.kind == MILESTONE else "knowledgeId"
    return {id_field: source.source_id, "projectId": source.project_id, "branchName": source.branch_name,
            "excerpt": source.excerpt, "createdAt": source.created_at}


def query(tenant: str, question: str, *, project_ids: list[str] | None, contributor_filter: str | None,
          days: int | None, limit: int, include_external: bool = True) -> dict[str, Any]:
    """The answer to ``question`` with its sources, best first, and the projects searched; external source
    records are among the sources unless ``include_external`` is False."""
    count("IntelligenceQueries", 1)
    found = retrieval.retrieve(tenant, question, project_ids=project_ids, contributor_filter=contributor_filter,
                               days=days, limit=limit, kinds=None if include_external else MEMORY_KINDS)
    room = passage_limit(len(found.hits))
    sources = [source_from(hit.kind, hit.project_id, hit.doc_id, _wire(hit), question, room) for hit in found.hits]
    # Without sources there is nothing to ask a model about: the no-match answer is the extractive one.
    chosen = answerer() if sources else ExtractiveAnswerer()
    return {
        "answer": chosen.answer(question, sources),
        "sources": [source_to_wire(source) for source in sources],
        "question": question,
        "projectsSearched": found.projects_searched,
        "answeredBy": chosen.name,
    }
