"""Key design of the single table (docs/key-design.md).

Every partition key starts with the tenant, and user-supplied parts are escaped so that
``#`` inside a name can never reach another item's key range.
"""

from __future__ import annotations

_SEQUENCE_DIGITS = 12
_SEQUENCE_CEILING = 10**_SEQUENCE_DIGITS - 1
RANGE_END = "~"  # sorts after every escaped component and digit


_SEPARATOR = "#"


def escape(component: str) -> str:
    """Percent-encodes ``%``, ``#`` and every character that sorts before ``#``: an escaped name
    followed by more text (``a!``) then never sorts inside another name's ``a#...`` key range."""
    return "".join(f"%{ord(char):02X}" if char in "%#" or char < _SEPARATOR else char for char in component)


def project_pk(tenant: str, project_id: str) -> str:
    return f"T#{escape(tenant)}#P#{escape(project_id)}"


def projects_index_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#PROJECTS"


def idempotency_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#IDEMPOTENCY"


PROJECT_SK = "PROJECT"


def branch_sk(branch: str) -> str:
    """Branch descriptors sort right after the project item: overview is one Query."""
    return f"PROJECT#BRANCH#{escape(branch)}"


BRANCHES_PREFIX = "PROJECT#BRANCH#"


def milestone_head_sk(branch: str) -> str:
    return f"MS#{escape(branch)}"


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


def agent_index_pk(tenant: str, agent_id: str) -> str:
    """GSI2: a tenant's milestones by the agent that stored them, across projects."""
    return f"T#{escape(tenant)}#AGENT#{escape(agent_id)}"


def agent_index_sk(created_at: str, project_id: str, milestone_id: str) -> str:
    return f"{created_at}#{escape(project_id)}#{escape(milestone_id)}"


def milestone_id_sk(milestone_id: str) -> str:
    """A milestone's copy keyed by id: read together with ``PROJECT`` in one BatchGetItem."""
    return f"MSID#{escape(milestone_id)}"


def blob_prefix(tenant: str, project_id: str) -> str:
    """``/`` is escaped too: one project's prefix must never be the start of another tenant's."""
    return f"tenants/{_path_escape(tenant)}/projects/{_path_escape(project_id)}/"


def _path_escape(component: str) -> str:
    return escape(component).replace("/", "%2F")


def actions_pk(tenant: str) -> str:
    """Intelligence actions a tenant executed (an audit trail), newest last."""
    return f"T#{escape(tenant)}#ACTIONS"


def action_sk(executed_at: str, action_id: str) -> str:
    return f"{executed_at}#{escape(action_id)}"
