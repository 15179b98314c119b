"""/api/v1/memory/intelligence: query (a cited answer over the memory) and action (Jira, Slack).

See docs/intelligence.md.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cairn.core.settings import get_settings
from cairn.http.auth import Reader
from cairn.http.body import JSONRoute
from cairn.http.idempotency import Idempotent
from cairn.insights.api.intelligence_models import TIME_RANGE_DAYS, IntelligenceAction, IntelligenceQuery
from cairn.insights.domain.answer import Answerer, ExtractiveAnswerer, Source, passage_limit, source_from
from cairn.insights.service import actions, retrieval

router = APIRouter(prefix="/api/v1/memory/intelligence", route_class=JSONRoute)


def answerer() -> Answerer:
    """Bedrock when a model is configured (CAIRN_BEDROCK_MODEL_ID), else the local extractive answerer."""
    model_id = get_settings().bedrock_model_id
    if model_id:
        from cairn.insights.adapters.bedrock import BedrockAnswerer

        return BedrockAnswerer(model_id)
    return ExtractiveAnswerer()


def source_to_wire(source: Source) -> dict[str, Any]:
    id_field = "milestoneId" if source.kind == "milestone" else "knowledgeId"
    return {id_field: source.source_id, "projectId": source.project_id, "branchName": source.branch_name,
            "excerpt": source.excerpt, "createdAt": source.created_at}


@router.post("/query")
def query(body: IntelligenceQuery, principal: Reader) -> dict[str, Any]:
    found = retrieval.retrieve(principal.tenant, body.question, project_ids=body.projectIds,
                               contributor_filter=body.contributorFilter, days=TIME_RANGE_DAYS[body.timeRange],
                               limit=body.contextLimit)
    room = passage_limit(len(found.hits))
    sources = [source_from(hit.kind, hit.project_id, hit.doc_id, hit.item, body.question, room)
               for hit in found.hits]
    # Without sources there is nothing to ask a model about: the no-match answer is the extractive one.
    chosen = answerer() if sources else ExtractiveAnswerer()
    return {
        "answer": chosen.answer(body.question, sources),
        "sources": [source_to_wire(source) for source in sources],
        "question": body.question,
        "projectsSearched": found.projects_searched,
        "answeredBy": chosen.name,
    }


@router.post("/action")
def action(body: IntelligenceAction, once: Idempotent) -> dict[str, Any]:
    run = actions.prepare(body.action, body.params)  # 400s before anything is reserved or called
    return once(body, lambda: run(once.tenant, once.principal.subject))
