"""Response bodies of the memory routes (memory-api.md), field for field.

Routes return plain dicts that FastAPI validates into these models and writes with
``response_model_exclude_unset=True``: a field the dict lacks is left out (the spec's "omitted when
empty"), a field it holds as ``None`` is answered as ``null`` (``parentBranch``, ``abandonReason``).
The models that another context's routes answer with too (recall's, which the agents context serves) live in
``cairn.memory.service.models``.
"""

from __future__ import annotations

from cairn.memory.service.models import (
    Branch,
    BranchList,
    LogEntry,
    Merge,
    MetadataSegment,
    Milestone,
    Page,
    Project,
    ProjectList,
    Recall,
)

__all__ = ["Branch", "BranchList", "LogEntry", "Merge", "MetadataSegment", "Milestone", "Page", "Project",
           "ProjectList", "Recall"]
