"""Committing a milestone the way `cairn commit` and the pre-compact hook both do: the branch's purpose and
newest cumulative progress are read first (one recall), the new progress is the old one plus one line for
this contribution, so the branch's story stays cumulative without the caller restating it."""

from __future__ import annotations

from typing import Any

from cairn_client.payload import short
from cairn_client.redact import redact
from cairn_client.session import now

PROGRESS_CHARS = 50_000
CONTRIBUTION_CHARS = 10_000


def commit(client: Any, project: str, branch: str, contribution: str, *, agent_id: str,
           agent_type: str = "") -> dict[str, Any]:
    current = client.recall(project, "branch", branch=branch, limit=1)
    described = (current.get("branches") or [{}])[0]
    newest = (current.get("milestones") or [{}])[0]
    progress = str(newest.get("cumulativeProgress") or "")
    line = f"- {now()}: " + short(contribution, 300)
    typed = {"agentType": agent_type} if agent_type else {}
    return dict(client.store_milestone(project, {
        "branchName": branch, "agentId": agent_id, **typed,
        "branchPurpose": str(described.get("purpose") or f"Work on {branch}")[:2000],
        "cumulativeProgress": redact(f"{progress}\n{line}".strip())[-PROGRESS_CHARS:],
        "thisContribution": redact(contribution)[:CONTRIBUTION_CHARS]}))
