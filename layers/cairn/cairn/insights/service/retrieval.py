"""Retrieval for intelligence queries: the filters of a question turned into a ranked search of the
tenant's milestones and promoted knowledge (docs/intelligence.md).

- projects: the requested ones that are live in the tenant (others are skipped, and so absent from
  ``projectsSearched``), or every project of the tenant;
- contributor: its agent IDs (by contributor ID, else display name, case-insensitively);
- time range: a cutoff on ``createdAt`` counted back from now (UTC);
- kinds: milestones and promoted knowledge, and external source records unless the question leaves them out;
- ranking and the text index: ``cairn.search.service.query`` (docs/search.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cairn.core.errors import NotFound
from cairn.insights.service import contributors
from cairn.memory.service import projects
from cairn.search.service import query
from cairn.search.service.query import Hit


@dataclass(frozen=True)
class Retrieved:
    hits: list[Hit]  # best first; each hit's item as stored
    projects_searched: list[str]


def cutoff(days: int | None, now: datetime | None = None) -> str | None:
    """The oldest ``createdAt`` inside the window, in the store's timestamp format; None for all time."""
    if days is None:
        return None
    moment = (now or datetime.now(UTC)) - timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def agent_ids(tenant: str, contributor_filter: str) -> set[str]:
    """The agent IDs of the contributor(s) the filter names; 404 when it names none."""
    matches = contributors.resolve(tenant, contributor_filter)
    if not matches:
        wanted = contributor_filter.casefold()
        matches = [c for c in contributors.list_all(tenant) if str(c.get("contributorId", "")).casefold() == wanted]
    if not matches:
        raise NotFound(f"contributorFilter: no contributor has the ID or name '{contributor_filter}'",
                       field="contributorFilter")
    return {agent for contributor in matches for agent in contributor.get("agentIds") or []}


def searched_projects(tenant: str, requested: list[str] | None) -> list[str]:
    live = [project["projectId"] for project in projects.list_all(tenant)]
    if requested is None:
        return live
    known = set(live)
    return [project_id for project_id in requested if project_id in known]


def retrieve(tenant: str, question: str, *, project_ids: list[str] | None, contributor_filter: str | None,
             days: int | None, limit: int, kinds: frozenset[str] | None = None) -> Retrieved:
    agents = agent_ids(tenant, contributor_filter) if contributor_filter is not None else None
    scope = searched_projects(tenant, project_ids)
    if (project_ids is not None and not scope) or agents == set():
        return Retrieved([], scope)  # nothing can match: no live project asked for, or no agent IDs
    hits = query.search(tenant, scope if project_ids is not None else None, question, limit=limit,
                         since=cutoff(days), agent_ids=agents, kinds=kinds)
    if project_ids is None:  # the project list is eventually consistent; report what was found too
        scope += [hit.project_id for hit in hits if hit.project_id not in set(scope)]
    return Retrieved(list(hits), list(dict.fromkeys(scope)))
