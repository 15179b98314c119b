"""Recall (GCC CONTEXT): the five views, each assembled from the stores in one or two reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cairn.core.errors import InvalidInput
from cairn.memory.domain.recall import DEFAULT_LIMITS, View, page, shape
from cairn.memory.service import logs, metadata, milestones, projects
from cairn.memory.store import branches

# Keeps the leading entries of a page that fit in a response (the caller knows the response's budget).
Fit = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def _required(value: str | None, name: str, view: str) -> str:
    if not value:
        raise InvalidInput(f"{name} is required for the {view} view", field=name)
    return value


def recall(tenant: str, project_id: str, view: View, *, branch: str, milestone_id: str | None,
           segment: str | None, limit: int | None, offset: int, fit: Fit) -> dict[str, Any]:
    """The body of one view: ``view`` plus the fields that are not empty for it."""
    if view == "overview":
        project, all_branches = projects.overview(tenant, project_id)
        return shape(view, project=projects.to_wire(project), branches=all_branches)
    if view == "milestone":
        return shape(view, milestones=[milestones.get(tenant, project_id,
                                                      _required(milestone_id, "milestoneId", view))])
    if view == "metadata":
        return shape(view, metadata=metadata.get(tenant, project_id, _required(segment, "segment", view)))
    size = limit or DEFAULT_LIMITS[view]
    if view == "branch":
        head, entries = milestones.page(tenant, project_id, branch, limit=size, offset=offset)
        entries = fit(entries)
        return shape(view, branches=[branches.head_to_wire(head)], milestones=entries,
                     page=page(size, offset, len(entries), head["msSeq"]))
    head, entries = logs.page(tenant, project_id, branch, limit=size, offset=offset)
    entries = fit(entries)
    return shape(view, logEntries=entries, page=page(size, offset, len(entries), head["logSeq"]))
