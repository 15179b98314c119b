"""A list route's query (docs/platform.md, "Lists"): ``limit``, ``offset``, ``sortBy``, ``sortOrder`` and ``q``,
parsed by ``cairn.platform.api.conventions.list_query`` and served by ``cairn.platform.store.listing``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

SortOrder = Literal["asc", "desc"]


@dataclass(frozen=True)
class ListQuery:
    limit: int
    offset: int
    sort_by: str
    sort_order: SortOrder
    q: str | None

    @property
    def wanted(self) -> int:
        """Items a reader in the requested order must reach to answer the page."""
        return self.offset + self.limit

    def in_order_of(self, field: str) -> bool:
        """Whether an index ordered by ``field`` serves this query by reading its head (or tail) alone: the
        sort is that field and no ``q`` has to look at items the page does not show."""
        return self.q is None and self.sort_by == field

    def matches(self, item: Mapping[str, Any]) -> bool:
        """``q`` filters over the serialized item, case-insensitively."""
        return self.q is None or self.q.casefold() in json.dumps(item, default=str, ensure_ascii=False).casefold()

    def page_of(self, items: Iterable[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], int]:
        """Filters by ``q``, sorts and slices already-loaded items: (the page, the total matching)."""
        matching = [item for item in items if self.matches(item)]
        present = [item for item in matching if item.get(self.sort_by) is not None]
        absent = [item for item in matching if item.get(self.sort_by) is None]
        present.sort(key=lambda item: item[self.sort_by], reverse=self.sort_order == "desc")
        ordered = present + absent  # an item without the field comes last in either order
        return ordered[self.offset:self.wanted], len(ordered)
