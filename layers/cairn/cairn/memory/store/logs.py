"""OTA log entries: high-frequency observation/thought/action entries per branch, and their highlights."""

from __future__ import annotations

from typing import Any

from cairn.aws.keys import ProjectRef
from cairn.core import ids
from cairn.core.clock import utc_now
from cairn.memory.domain.logs import highlight_text, slot
from cairn.memory.store.entities import LOG_ENTRY, LOG_HIGHLIGHT
from cairn.memory.store.keys import entry_sk, log_head_sk, log_highlight_sk

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


def highlight(entry: dict[str, Any]) -> dict[str, Any]:
    """The highlight of a new entry (built before its content is offloaded): it replaces the slot's older one."""
    return {
        "PK": entry["PK"],
        "SK": log_highlight_sk(entry["branchName"], slot(entry["sequenceNumber"])),
        "entity": LOG_HIGHLIGHT.name,
        **{name: entry[name] for name in ("entryId", "branchName", "agentId", "phase", "sequenceNumber", "createdAt")},
        CONTENT: highlight_text(entry[CONTENT]),
    }


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return LOG_ENTRY.to_wire(item)


def highlights_to_wire(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Highlights as log entries (content cut), newest first."""
    ordered = sorted(items, key=lambda item: int(item["sequenceNumber"]), reverse=True)
    return [LOG_HIGHLIGHT.to_wire(item) for item in ordered]


def appended_wire(item: dict[str, Any]) -> dict[str, Any]:
    """What an append answers: the entry without its content."""
    return {name: value for name, value in to_wire(item).items() if name != CONTENT}
