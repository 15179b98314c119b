"""A list page served from its index (cairn.aws.listing): the right items in both orders, an exact
total under filters, and reads that do not grow with the partition (what DynamoDB reports it read)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cairn.aws import clients
from cairn.aws.listing import FILTERED_READ, ListQuery, Partition, page
from cairn.aws.table import Filter, table

ITEMS = 300
PARTITION = Partition("T#list-pages#THINGS", "GSI1", "createdAt")


@pytest.fixture(scope="module")
def things(emulator: Any) -> list[dict[str, Any]]:
    """300 items a second apart, every third one ``red``, in one GSI1 partition (written once per module)."""
    emulator.running()
    items = [{"PK": f"THING#{n:03d}", "SK": "THING", "GSI1PK": PARTITION.pk,
              "GSI1SK": f"2026-12-03T10:{n // 60:02d}:{n % 60:02d}Z#{n:03d}", "id": f"{n:03d}",
              "createdAt": f"2026-12-03T10:{n // 60:02d}:{n % 60:02d}Z", "colour": "red" if n % 3 == 0 else "blue",
              "size": n % 7} for n in range(ITEMS)]
    table().put_many(items)
    return items


@pytest.fixture
def reads(aws: Any) -> Iterator[list[dict[str, Any]]]:
    """Each DynamoDB call's name, Select and ScannedCount while the test runs."""
    seen: list[dict[str, Any]] = []

    def before(params: dict[str, Any], **_: Any) -> None:
        seen.append({"select": params.get("Select")})

    def after(model: Any, parsed: dict[str, Any], **_: Any) -> None:
        seen[-1].update(name=model.name, scanned=int(parsed.get("ScannedCount", 0)))

    events = clients.dynamodb().meta.events
    events.register("provide-client-params.dynamodb.Query", before)
    events.register("after-call.dynamodb.Query", after)
    yield seen
    events.unregister("provide-client-params.dynamodb.Query", before)
    events.unregister("after-call.dynamodb.Query", after)


def _query(limit: int = 10, offset: int = 0, order: str = "desc", sort_by: str = "createdAt",
           q: str | None = None) -> ListQuery:
    return ListQuery(limit=limit, offset=offset, sort_by=sort_by, sort_order=order, q=q)  # type: ignore[arg-type]


def _ids(items: list[Any]) -> list[str]:
    return [item["id"] for item in items]


def _wire(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in ("id", "createdAt", "colour", "size")}


def test_newest_first_reads_only_the_page_and_counts_the_rest(things: list[dict[str, Any]],
                                                              reads: list[dict[str, Any]]) -> None:
    found, total = page(PARTITION, _query(limit=10, offset=20), _wire)

    assert _ids(found) == [f"{n:03d}" for n in range(279, 269, -1)]
    assert total == ITEMS
    [read, counted] = reads
    assert (read["select"], read["scanned"]) == (None, 30)  # offset + limit, whatever the partition holds
    assert counted["select"] == "COUNT"


def test_oldest_first_reads_the_other_end(things: list[dict[str, Any]]) -> None:
    found, total = page(PARTITION, _query(limit=5, order="asc"), _wire)

    assert _ids(found) == ["000", "001", "002", "003", "004"]
    assert total == ITEMS


def test_a_filter_keeps_the_order_and_the_total_exact(things: list[dict[str, Any]],
                                                      reads: list[dict[str, Any]]) -> None:
    red = Filter.equal(colour="red")

    found, total = page(PARTITION, _query(limit=4, offset=2), _wire, red)

    assert _ids(found) == ["291", "288", "285", "282"]
    assert total == ITEMS // 3
    assert reads[0]["scanned"] == FILTERED_READ  # a selective filter reads past what it drops, in one call
    reads.clear()
    rare, rare_total = page(PARTITION, _query(limit=25), _wire, Filter.equal(size=6, colour="red"))
    assert _ids(rare) == [item["id"] for item in reversed(things) if item["size"] == 6 and item["colour"] == "red"][:25]
    assert rare_total == sum(1 for item in things if item["size"] == 6 and item["colour"] == "red")
    assert [read["scanned"] for read in reads] == [200, 100]  # the next call reads twice as many (the rest)
    both, both_total = page(PARTITION, _query(limit=100), _wire, Filter.all_of(red, Filter.equal(size=(0, 1))))
    expected = [item for item in reversed(things) if item["colour"] == "red" and item["size"] in (0, 1)]
    assert _ids(both) == _ids(expected)
    assert both_total == len(expected)


def test_a_page_that_reaches_the_end_needs_no_count(things: list[dict[str, Any]],
                                                    reads: list[dict[str, Any]]) -> None:
    found, total = page(PARTITION, _query(limit=50, offset=280), _wire)

    assert _ids(found) == [f"{n:03d}" for n in range(19, -1, -1)]
    assert total == ITEMS
    assert [read["select"] for read in reads] == [None]


def test_q_and_another_sort_read_the_partition_and_page_in_the_function(things: list[dict[str, Any]]) -> None:
    searched, searched_total = page(PARTITION, _query(limit=3, q="T10:04:5"), _wire)
    by_size, size_total = page(PARTITION, _query(limit=3, sort_by="size", order="desc"), _wire)

    assert _ids(searched) == ["299", "298", "297"]
    assert searched_total == 10
    assert [item["size"] for item in by_size] == [6, 6, 6]
    assert size_total == ITEMS
