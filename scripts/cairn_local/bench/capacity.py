"""The write units a DynamoDB write consumes, computed from item sizes by DynamoDB's rules: moto reports no
consumed capacity for a transaction (and a fixed figure for the rest), so ReturnConsumedCapacity cannot measure it.

One unit per started KB of the item written (the larger of its before and after image), doubled inside a
transaction (prepare and commit); a transaction's ConditionCheck counts as a write of the checked item. Sizes
follow the DynamoDB developer guide's item size rules: attribute names plus values, a number about one byte per
two significant digits plus one, one byte per list or map element and three per list or map."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

KEY_ATTRIBUTES = ("PK", "SK")
WRITE_APIS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})


def value_size(value: dict[str, Any]) -> int:
    (kind, content), = value.items()
    if kind == "S":
        return len(content.encode("utf-8"))
    if kind == "N":
        digits = content.lstrip("-").replace(".", "").strip("0") or "0"
        return min(21, (len(digits) + 1) // 2 + 1)
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: element}) for element in content)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + len(name.encode("utf-8")) + value_size(element) for name, element in content.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in (item or {}).items())


@dataclass(frozen=True)
class Write:
    table: str
    key: dict[str, Any]
    put: dict[str, Any] | None  # the item a Put writes (its after image)
    transactional: bool


def writes(api: str, params: dict[str, Any]) -> Iterator[Write]:
    """The items a write request touches."""
    if api == "TransactWriteItems":
        for entry in params["TransactItems"]:
            (kind, request), = entry.items()
            yield _write(request, kind, transactional=True)
    elif api == "BatchWriteItem":
        for table, requests in params["RequestItems"].items():
            for entry in requests:
                (kind, request), = entry.items()
                yield _write({"TableName": table, **request}, kind.removesuffix("Request"), transactional=False)
    else:
        yield _write(params, api.removesuffix("Item"), transactional=False)


def _write(request: dict[str, Any], kind: str, *, transactional: bool) -> Write:
    item = request.get("Item") if kind == "Put" else None
    key = {name: (item or request["Key"])[name] for name in KEY_ATTRIBUTES}
    return Write(request["TableName"], key, item, transactional)


def units(write: Write, before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
    size = max(item_size(before), item_size(after), item_size(write.put))
    return max(1, math.ceil(size / 1024)) * (2 if write.transactional else 1)
