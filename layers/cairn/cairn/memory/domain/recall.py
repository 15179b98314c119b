"""Recall (GCC CONTEXT): the views and how a response is shaped."""

from __future__ import annotations

from typing import Any, Literal

from cairn.core.limits import BRANCH_VIEW_DEFAULT_LIMIT, LOG_VIEW_DEFAULT_LIMIT

View = Literal["overview", "branch", "milestone", "log", "metadata"]

DEFAULT_LIMITS: dict[str, int] = {"branch": BRANCH_VIEW_DEFAULT_LIMIT, "log": LOG_VIEW_DEFAULT_LIMIT}


def shape(view: View, **fields: Any) -> dict[str, Any]:
    """A recall body: ``view`` plus every field that is not empty for this view."""
    body = {name: value for name, value in fields.items() if value not in (None, [], {}, "")}
    body["view"] = view
    return body


def page(limit: int, offset: int, returned: int, total: int) -> dict[str, int]:
    return {"limit": limit, "offset": offset, "returned": returned, "total": total}
