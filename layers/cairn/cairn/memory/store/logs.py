"""OTA log entries: high-frequency observation/thought/action entries per branch."""

from __future__ import annotations

from typing import Any

from cairn.aws.keys import ProjectRef
from cairn.core import ids
from cairn.core.clock import utc_now
from cairn.memory.store.entities import LOG_ENTRY
from cairn.memory.store.keys import entry_sk, log_head_sk

CONTENT = "content"  # offloaded to S3 when large; the append response leaves it out


def new_entry(ref: ProjectRef, branch: str, sequence: int, agent_id: str, phase: str, content: str) -> dict[str, Any]:
    return {
        "PK": ref.pk,
        "SK": entry_sk(log_head_sk(branch), sequence),
        "entity": LOG_ENTRY.name,
        "entryId": ids.log_entry_id(),
        "projectId": ref.project_id,
        "branchName": branch,
        "agentId": agent_id,
        "phase": phase,
        CONTENT: content,
        "sequenceNumber": sequence,
        "createdAt": utc_now(),
    }


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return LOG_ENTRY.to_wire(item)


def appended_wire(item: dict[str, Any]) -> dict[str, Any]:
    """What an append answers: the entry without its content."""
    return {name: value for name, value in to_wire(item).items() if name != CONTENT}
