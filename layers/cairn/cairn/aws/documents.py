"""Search documents: what makes an item of any context searchable (docs/search.md).

An item of a project partition becomes a search document by carrying these attributes, written in the same
write that stores it: its terms (``"term:tf ..."``), ``termCount`` (document length), ``searchKind``,
``searchRev`` and the sparse GSI3 keys ``T#{tenant}#UNINDEXED`` / ``{project scope}#{createdAt}#{docId}``
that mark it not yet compacted into the search context's index segments. The convention is shared by every
context that writes searchable items (milestones, promoted knowledge), so it lives beside the table.
"""

from __future__ import annotations

import secrets
from typing import Any

from cairn.aws.keys import escape, project_scope
from cairn.core.text import encode_terms, weighted_frequencies

INDEX = "GSI3"


MILESTONE = "milestone"


KNOWLEDGE = "knowledge"


RECORD = "record"  # an external source's record (docs/sources.md)


# Weights of the milestone parts in the term frequencies (docs/search.md, "Field weights").
MILESTONE_FIELD_WEIGHTS = {"branchPurpose": 1, "cumulativeProgress": 1, "thisContribution": 2}


# What a search document carries; the pending markers are removed once it is in a segment.
SEARCH_ATTRIBUTES = ("terms", "termCount", "searchKind", "searchRev", "GSI3PK", "GSI3SK")


PENDING_ATTRIBUTES = ("GSI3PK", "GSI3SK", "terms")


def pending_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#UNINDEXED"


def pending_prefix(project_id: str, generation: int = 0) -> str:
    return f"{project_scope(project_id, generation)}#"


def pending_sk(project_id: str, created_at: str, doc_id: str, generation: int = 0) -> str:
    return f"{pending_prefix(project_id, generation)}{created_at}#{escape(doc_id)}"


def milestone_by_id_sk(milestone_id: str) -> str:
    """The SK of a milestone's copy keyed by id: the item a milestone document is read back from (one per
    milestone, found by id alone; the milestone's own SK needs its branch and sequence)."""
    return f"MSID#{escape(milestone_id)}"


def document_ref(kind: str, doc_id: str, sk: str) -> str:
    """The SK a hit on the document of item ``sk`` is read from: a milestone's by-id copy, else the item."""
    return milestone_by_id_sk(doc_id) if kind == MILESTONE else sk


def attributes_from_frequencies(tenant: str, project_id: str, kind: str, doc_id: str,
                                frequencies: dict[str, int], created_at: str, generation: int = 0) -> dict[str, Any]:
    return {
        "terms": encode_terms(frequencies),
        "termCount": sum(frequencies.values()),
        "searchKind": kind,
        "searchRev": secrets.token_hex(5),
        "GSI3PK": pending_pk(tenant),
        "GSI3SK": pending_sk(project_id, created_at, doc_id, generation),
    }


def document_attributes(tenant: str, project_id: str, kind: str, doc_id: str, text: str,
                        created_at: str, generation: int = 0) -> dict[str, Any]:
    """The attributes that make an item of the project partition a search document of ``kind``.

    Put them on the item in the same write that stores it (a changed item gets fresh ones: the
    new version supersedes the indexed one). ``doc_id`` must be unique per kind in the project;
    a ``milestone`` is loaded from its ``MSID#`` copy, any other kind from the item's own ``SK``.
    ``generation`` is the project generation whose partition holds the item.
    """
    return attributes_from_frequencies(tenant, project_id, kind, doc_id,
                                       weighted_frequencies([(text, 1)]), created_at, generation)


def milestone_attributes(tenant: str, project_id: str, milestone_id: str, fields: dict[str, Any],
                         created_at: str, generation: int = 0) -> dict[str, Any]:
    parts = [(fields.get(name) or "", weight) for name, weight in MILESTONE_FIELD_WEIGHTS.items()]
    return attributes_from_frequencies(tenant, project_id, MILESTONE, milestone_id,
                                       weighted_frequencies(parts), created_at, generation)
