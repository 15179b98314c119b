"""A contributor's activity: the tenant's milestones stored by any of its agent IDs, newest first,
from the agent index (GSI2: ``T#{tenant}#AGENT#{agentId}`` / ``{createdAt}#{projectId}#{milestoneId}``).

One Query per agent ID (newest first, ``Limit = limit``), merged by index key; the projects of the
candidates are checked with one BatchGetItem so that a project being deleted shows nothing. A candidate's
project is the partition that holds it (its ``PK``, projected into the index): a deleted generation of a
recreated project shows nothing either, whatever the new generation holds. Only
when that check drops candidates can a feed need a second page. The total is a ``Select=COUNT``
Query per agent ID (docs/key-design.md, "Contributors").
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from cairn.aws import blobs, clients, partition
from cairn.aws.keys import PROJECT_SK
from cairn.aws.table import marshal, table
from cairn.memory.store import milestones
from cairn.memory.store.keys import agent_index_pk

INDEX = "GSI2"
INDEX_SK = "GSI2SK"
# Per-agent Queries (and S3 reads of large milestones) run side by side, up to this many at once.
_WORKERS = 8
T = TypeVar("T")


def _parallel(calls: list[Callable[[], T]]) -> list[T]:
    if len(calls) <= 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=min(_WORKERS, len(calls))) as pool:
        return list(pool.map(lambda call: call(), calls))


@dataclass
class _Feed:
    """One agent's milestones, read newest first a page at a time."""

    pk: str
    items: list[dict[str, Any]] = field(default_factory=list)
    start_key: dict[str, Any] | None = None
    exhausted: bool = False

    def fetch(self, limit: int) -> None:
        page = table().query(self.pk, index=INDEX, forward=False, limit=limit, start_key=self.start_key)
        self.items += page.items
        self.start_key = page.last_key
        self.exhausted = page.last_key is None

    @property
    def oldest(self) -> str:
        """The index key of the oldest milestone read so far; anything unread is older still."""
        return self.items[-1][INDEX_SK] if self.items else "~"


def _live_partitions(partitions: set[str], known: dict[str, bool]) -> None:
    """Adds to ``known`` whether the project generation of each partition key is live (one BatchGetItem
    per 100 partitions)."""
    missing = sorted(partitions - known.keys())
    if not missing:
        return
    found = table().get_many([(pk, PROJECT_SK) for pk in missing])
    for pk in missing:
        known[pk] = partition.is_live(found.get((pk, PROJECT_SK)))


def newest(tenant: str, agent_ids: list[str], limit: int) -> list[dict[str, Any]]:
    """The ``limit`` newest milestones of live projects stored by any of ``agent_ids`` (wire shape,
    large texts read back from S3)."""
    feeds = [_Feed(agent_index_pk(tenant, agent_id)) for agent_id in agent_ids]
    _parallel([partial(feed.fetch, limit) for feed in feeds])
    live: dict[str, bool] = {}
    while True:
        candidates = sorted((item for feed in feeds for item in feed.items), key=lambda item: item[INDEX_SK],
                            reverse=True)
        _live_partitions({item["PK"] for item in candidates}, live)
        unread = [feed for feed in feeds if not feed.exhausted]
        # Final: no unread milestone of any feed can be newer than these.
        horizon = max((feed.oldest for feed in unread), default="")
        final = [item for item in candidates if live[item["PK"]] and item[INDEX_SK] >= horizon]
        if len(final) >= limit or not unread:
            return _parallel([partial(_wire, item) for item in final[:limit]])
        max(unread, key=lambda feed: feed.oldest).fetch(limit)


def _wire(item: dict[str, Any]) -> dict[str, Any]:
    return milestones.to_wire(blobs.hydrate(item))


def count(tenant: str, agent_ids: list[str]) -> int:
    """How many milestones the agent index holds for ``agent_ids``: a ``Select=COUNT`` Query per
    agent ID, paginated (each page reads up to 1 MB of index items)."""
    return sum(_parallel([partial(_count, tenant, agent_id) for agent_id in agent_ids]))


def _count(tenant: str, agent_id: str) -> int:
    request: dict[str, Any] = {
        "TableName": table().name,
        "IndexName": INDEX,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": f"{INDEX}PK"},
        "ExpressionAttributeValues": marshal({":pk": agent_index_pk(tenant, agent_id)}),
        "Select": "COUNT",
    }
    total = 0
    while True:
        response = clients.dynamodb().query(**request)
        total += int(response["Count"])
        if not response.get("LastEvaluatedKey"):
            return total
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
