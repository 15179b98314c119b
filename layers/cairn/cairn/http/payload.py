"""Responses stay under Lambda's 6 MB response payload limit (docs/memory-model.md, "Response size").

A page of 100 milestones at the spec's text limits is tens of megabytes, which Lambda would refuse
(API Gateway then answers 502). A list response therefore ends early when its next item would not
fit; the page envelope's ``returned`` (or ``count``) says how many came, and paging goes on from there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

# Lambda's limit is 6,291,456 bytes for the whole invocation response (status, headers, the body as a
# JSON string); the rest of a body is small next to its list.
RESPONSE_ITEMS_BUDGET_BYTES = 5_000_000


def response_cost(item: Any) -> int:
    """Bytes ``item`` adds to the Lambda response: FastAPI writes UTF-8 JSON, and the runtime (Python
    3.12) encodes that body again as a JSON string, escaping quotes and backslashes."""
    body = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    return len(json.dumps(body, ensure_ascii=False).encode("utf-8"))


def fitting(items: Iterable[Any], budget: int = RESPONSE_ITEMS_BUDGET_BYTES) -> list[Any]:
    """The leading ``items`` whose responses fit in ``budget`` bytes together (the first always: one
    item at the spec's limits is far smaller than the budget)."""
    kept: list[Any] = []
    spent = 0
    for item in items:
        spent += response_cost(item)
        if kept and spent > budget:
            break
        kept.append(item)
    return kept
