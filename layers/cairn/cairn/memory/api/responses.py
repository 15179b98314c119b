"""Response bodies of the memory routes (memory-api.md), field for field.

Routes return plain dicts that FastAPI validates into these models and writes with
``response_model_exclude_unset=True``: a field the dict lacks is left out (the spec's "omitted when
empty"), a field it holds as ``None`` is answered as ``null`` (``parentBranch``, ``abandonReason``).
The models that another context's routes answer with too (recall's, which the agents context serves) live in
``cairn.memory.service.models`` and ``cairn.memory.service.recall_models``; the projects routes import theirs
from the first alone, so that the projects function builds no recall model.
"""

from __future__ import annotations

from cairn.memory.service.models import Milestone, Project, ProjectList
from cairn.memory.service.recall_models import Branch, BranchList, LogEntry, Merge, MetadataSegment, Page, Recall

__all__ = ["Branch", "BranchList", "LogEntry", "Merge", "MetadataSegment", "Milestone", "Page", "Project",
           "ProjectList", "Recall"]
