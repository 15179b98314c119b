"""Sort keys of the memory context's items in a project partition (docs/key-design.md)."""

from __future__ import annotations

from cairn.aws import documents
from cairn.aws.keys import escape

_SEQUENCE_DIGITS = 12
_SEQUENCE_CEILING = 10**_SEQUENCE_DIGITS - 1
RANGE_END = "~"  # sorts after every escaped component and digit


def branch_sk(branch: str) -> str:
    """Branch descriptors sort right after the project item: overview is one Query."""
    return f"PROJECT#BRANCH#{escape(branch)}"


BRANCHES_PREFIX = "PROJECT#BRANCH#"


def milestone_head_sk(branch: str) -> str:
    return f"MS#{escape(branch)}"


def log_highlight_sk(branch: str, slot: int) -> str:
    """Between the milestone head and its first milestone (``!`` sorts before every digit and is escaped in
    names), so the branch page's Query reads the highlights with the head."""
    return f"{milestone_head_sk(branch)}{HIGHLIGHT_INFIX}{slot}"


HIGHLIGHT_INFIX = "#!"


def log_head_sk(branch: str) -> str:
    return f"LOG#{escape(branch)}"


def reverse_sequence(sequence: int) -> str:
    """Newest first in ascending key order, so a branch's head item sorts before its entries."""
    return f"{_SEQUENCE_CEILING - sequence:0{_SEQUENCE_DIGITS}d}"


def entry_sk(head_sk: str, sequence: int) -> str:
    return f"{head_sk}#{reverse_sequence(sequence)}"


def entries_end(head_sk: str) -> str:
    return f"{head_sk}#{RANGE_END}"


def hash_guard_sk(digest: str) -> str:
    return f"HASH#{digest}"


def metadata_sk(segment: str) -> str:
    return f"META#{escape(segment)}"


def agents_pk(tenant: str) -> str:
    """The tenant's agent activity items, one per agent that stored a milestone (the ops view's agents)."""
    return f"T#{escape(tenant)}#AGENTS"


def agents_by_activity_pk(tenant: str) -> str:
    """GSI1: the same items by ``{lastActivityAt}#{agentId}`` (the ops view's agents, latest activity first)."""
    return f"T#{escape(tenant)}#AGENTACTIVITY"


def agent_index_pk(tenant: str, agent_id: str) -> str:
    """GSI2: a tenant's milestones by the agent that stored them, across projects."""
    return f"T#{escape(tenant)}#AGENT#{escape(agent_id)}"


def agent_index_sk(created_at: str, project_id: str, milestone_id: str) -> str:
    return f"{created_at}#{escape(project_id)}#{escape(milestone_id)}"


def milestone_id_sk(milestone_id: str) -> str:
    """A milestone's copy keyed by id: read together with ``PROJECT`` in one BatchGetItem (and the item a
    search hit on the milestone is read from: ``cairn.aws.documents``)."""
    return documents.milestone_by_id_sk(milestone_id)
