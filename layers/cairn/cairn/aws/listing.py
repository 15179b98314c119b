"""List pages served from an index (docs/platform.md, "How a list page reads"): a list route's query
(``limit``, ``offset``, ``sortBy``, ``sortOrder``, ``q``: ``ListQuery``, parsed by the platform conventions'
``list_query``) and the reader that answers it from one index partition. A shared room: the platform's lists
and the memory context's agents (the ops view) read their pages this way.

A list's items sit in one index partition whose sort key orders them by one field (``startedAt``,
``occurredAt``, ``failedAt``...). A page in that order, newest or oldest first, is a Query of the partition's
head or tail with ``ScanIndexForward`` and ``Limit = offset + limit``, followed by ``LastEvaluatedKey`` only until
that many items are read: its reads do not grow with the partition. The route's own filters (``kind``,
``status``, ``topic``...) are a FilterExpression: DynamoDB reads past the items they drop, so a rare value costs
more reads than a common one, but never more than the partition holds (``FILTERED_READ``).

``total`` is a ``Select=COUNT`` Query of the same partition and filter (no item is returned; DynamoDB reads
the partition's items to count them, one call per 1 MB), skipped when the page's own reads reached the end of
the partition (the total is then known). ``q``, and a sort on another field, read the whole partition (one
call per 1 MB) and sort and page in the function.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cairn.aws.table import Filter, table

# With a filter, the first call reads at least this many items and each next one twice as many as the one
# before: a Limit of the few still missing would cost one call per handful of items when the filter is
# selective, and a rare value reaches the end of a 1,000-item partition in 3 calls (200 + 400 + 800).
FILTERED_READ = 200

Wire = Callable[[dict[str, Any]], Mapping[str, Any]]
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


@dataclass(frozen=True)
class Partition:
    """An index partition and the wire field its sort key orders the items by."""

    pk: str
    index: str | None
    order_field: str
    sk_prefix: str | None = None


def page(partition: Partition, query: ListQuery, to_wire: Wire,
         where: Filter | None = None) -> tuple[list[Mapping[str, Any]], int]:
    """The page ``query`` asks for, and the number of items matching ``where`` and ``q`` (``total``)."""
    if not query.in_order_of(partition.order_field):
        return query.page_of(to_wire(item) for item in _read(partition, where))
    items, exhausted = _head(partition, where, forward=query.sort_order == "asc", wanted=query.wanted)
    total = len(items) if exhausted else table().count(partition.pk, **_options(partition, where))
    return [to_wire(item) for item in items[query.offset:query.wanted]], total


def _head(partition: Partition, where: Filter | None, *, forward: bool,
          wanted: int) -> tuple[list[dict[str, Any]], bool]:
    """At least the first ``wanted`` items in the index's order (or its reverse), or all of them; True when
    the partition ended (every matching item is then among them)."""
    items: list[dict[str, Any]] = []
    start_key = None
    filtered_read = FILTERED_READ
    while len(items) < wanted:
        missing = wanted - len(items)
        found = table().query(partition.pk, limit=max(missing, filtered_read) if where else missing,
                              forward=forward, start_key=start_key, **_options(partition, where))
        filtered_read *= 2
        items += found.items
        if not found.last_key:
            return items, True
        start_key = found.last_key
    return items, False


def _read(partition: Partition, where: Filter | None) -> list[dict[str, Any]]:
    return list(table().query_all(partition.pk, **_options(partition, where)))


def _options(partition: Partition, where: Filter | None) -> dict[str, Any]:
    options: dict[str, Any] = {"index": partition.index, "consistent": False, "where": where}
    if partition.sk_prefix is not None:
        options["sk_prefix"] = partition.sk_prefix
    return options
