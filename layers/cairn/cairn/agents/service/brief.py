"""The brief view of recall (docs/agents.md, "The brief"): two key-bound reads of the project partition (the
project and its branches; the branch's newest milestones with its log highlights) plus, with a query, the
project's search. A branch whose highlights are not complete yet costs a third read, its log page."""

from __future__ import annotations

from typing import Any

from cairn.agents.domain import brief as briefs
from cairn.core.errors import NotFound
from cairn.core.observability import count
from cairn.memory.service import logs, milestones, projects
from cairn.search.service import milestones as search


def brief(tenant: str, project_id: str, branch: str, *, tokens: int, query: str | None) -> dict[str, Any]:
    """The brief of ``branch`` within ``tokens``; ``NotFound`` unless the project and the branch exist."""
    project, branches = projects.overview(tenant, project_id)
    described = next((item for item in branches if item["branchName"] == branch), None)
    if described is None:
        raise NotFound(f"branch '{branch}' not found in project '{project_id}'", field="branch")
    _, newest, entries = milestones.page_with_log(tenant, project_id, branch, limit=briefs.CONTRIBUTIONS)
    if entries is None:
        _, entries = logs.page(tenant, project_id, branch, limit=briefs.LOG_ENTRIES, offset=0)
    # Enough to fill HITS when the best hits are the branch's newest milestones, which the brief already shows.
    hits = search.in_project(tenant, project_id, query, briefs.HITS + briefs.CONTRIBUTIONS) if query else []
    sources = briefs.Sources(project_id=project_id, roadmap=project.get("roadmap", ""), branch=described,
                             milestones=newest, branches=branches, log=entries, query=query, hits=hits)
    made = briefs.brief(sources, tokens)
    count("BriefTokens", made.tokens)
    return made.to_wire()
