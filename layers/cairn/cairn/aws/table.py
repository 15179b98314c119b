"""A thin typed wrapper over the DynamoDB client for the single table.

Items go in and come out as plain dicts (numbers as int/float); conditional and transactional
failures become exceptions that say which item's condition failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cairn.aws import clients
from cairn.core.settings import get_settings

MAX_TRANSACTION_ITEMS = 100
_BATCH_WRITE_SIZE = 25
_BATCH_GET_SIZE = 100


def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


def _deserializer() -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return {_plain(v) for v in value}
    return value


def _dynamo_safe(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _dynamo_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dynamo_safe(v) for v in value]
    return value


def marshal(values: dict[str, Any]) -> dict[str, Any]:
    serializer = _serializer()
    return {k: serializer.serialize(_dynamo_safe(v)) for k, v in values.items() if v is not None}


def unmarshal(item: dict[str, Any]) -> dict[str, Any]:
    deserializer = _deserializer()
    return {k: _plain(deserializer.deserialize(v)) for k, v in item.items()}


class ConditionFailed(Exception):
    """A single-item conditional write failed; ``item`` is the item as it was, when known."""

    def __init__(self, item: dict[str, Any] | None) -> None:
        super().__init__("conditional check failed")
        self.item = item


class TransactionCancelled(Exception):
    """``failed[i]`` is True where item i's condition failed; ``items[i]`` its old image if asked for."""

    def __init__(self, codes: list[str], items: list[dict[str, Any] | None]) -> None:
        super().__init__(f"transaction cancelled: {codes}")
        self.codes = codes
        self.items = items

    def failed(self, index: int) -> bool:
        return self.codes[index] == "ConditionalCheckFailed"

    @property
    def conflicting(self) -> bool:
        """Lost a race with another transaction on the same items (safe to retry)."""
        return any(code in ("TransactionConflict", "ThrottlingError") for code in self.codes)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    scanned: int
    last_key: dict[str, Any] | None
    counted: int = 0  # Count: the items that passed the filter (all of them with Select=COUNT)


@dataclass(frozen=True)
class Filter:
    """A FilterExpression over attributes that are not the queried keys. DynamoDB applies it AFTER reading:
    a filtered Query (or COUNT) still reads, and pays for, every item of its key range. ``equal``'s
    placeholders are ``#f_{field}`` / ``:f_{field}_{n}``: they never clash with the key condition's, nor with
    another filter's on other fields (``all_of``)."""

    expression: str
    names: dict[str, str]
    values: dict[str, Any]

    @staticmethod
    def equal(**fields: Any) -> Filter | None:
        """``field = value AND ...`` for the fields whose value is not None; a value that is a tuple matches
        any of its members (``IN``). None when no field is given."""
        parts: list[str] = []
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, value in ((n, v) for n, v in fields.items() if v is not None):
            names[f"#f_{name}"] = name
            members = value if isinstance(value, tuple) else (value,)
            placeholders = [f":f_{name}_{position}" for position in range(len(members))]
            values.update(zip(placeholders, members, strict=True))
            parts.append(f"#f_{name} IN ({', '.join(placeholders)})")
        return Filter(" AND ".join(parts), names, values) if parts else None

    @staticmethod
    def all_of(*filters: Filter | None) -> Filter | None:
        """Every given filter (each on its own fields); None when none is given."""
        given = [where for where in filters if where is not None]
        if not given:
            return None
        return Filter(" AND ".join(f"({where.expression})" for where in given),
                      {name: value for where in given for name, value in where.names.items()},
                      {name: value for where in given for name, value in where.values.items()})


def key(pk: str, sk: str) -> dict[str, str]:
    return {"PK": pk, "SK": sk}


class Table:
    """The single table. One instance per container (see ``table()``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def _client(self) -> Any:
        return clients.dynamodb()

    def get(self, pk: str, sk: str, *, consistent: bool = True) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self.name, Key=marshal(key(pk, sk)), ConsistentRead=consistent
        )
        item = response.get("Item")
        return unmarshal(item) if item else None

    def get_many(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """BatchGetItem (consistent), keyed by (PK, SK); missing keys are absent."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(keys), _BATCH_GET_SIZE):
            pending: dict[str, Any] = {
                self.name: {
                    "Keys": [marshal(key(pk, sk)) for pk, sk in keys[start : start + _BATCH_GET_SIZE]],
                    "ConsistentRead": True,
                }
            }
            while pending:
                response = self._client.batch_get_item(RequestItems=pending)
                for raw in response["Responses"].get(self.name, []):
                    item = unmarshal(raw)
                    found[(item["PK"], item["SK"])] = item
                pending = response.get("UnprocessedKeys") or {}
        return found

    def query(
        self,
        pk: str,
        *,
        sk_between: tuple[str, str] | None = None,
        sk_prefix: str | None = None,
        index: str | None = None,
        limit: int | None = None,
        forward: bool = True,
        consistent: bool = True,
        projection: str | None = None,
        start_key: dict[str, Any] | None = None,
        where: Filter | None = None,
        count: bool = False,
    ) -> Page:
        pk_name, sk_name = (f"{index}PK", f"{index}SK") if index else ("PK", "SK")
        names = {"#pk": pk_name}
        values: dict[str, Any] = {":pk": pk}
        condition = "#pk = :pk"
        if sk_between:
            names["#sk"] = sk_name
            values[":lo"], values[":hi"] = sk_between
            condition += " AND #sk BETWEEN :lo AND :hi"
        elif sk_prefix is not None:
            names["#sk"] = sk_name
            values[":prefix"] = sk_prefix
            condition += " AND begins_with(#sk, :prefix)"
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": marshal(values),
            "ScanIndexForward": forward,
        }
        if index:
            request["IndexName"] = index
        else:
            request["ConsistentRead"] = consistent
        if limit is not None:
            request["Limit"] = limit
        if projection:
            request["ProjectionExpression"] = projection
        if start_key:
            request["ExclusiveStartKey"] = start_key
        if where is not None:
            request["FilterExpression"] = where.expression
            request["ExpressionAttributeNames"].update(where.names)
            request["ExpressionAttributeValues"].update(marshal(where.values))
        if count:
            request["Select"] = "COUNT"
        response = self._client.query(**request)
        return Page(
            items=[unmarshal(item) for item in response.get("Items", [])],
            scanned=response.get("ScannedCount", 0),
            last_key=response.get("LastEvaluatedKey"),
            counted=response.get("Count", 0),
        )

    def count(self, pk: str, **options: Any) -> int:
        """``Select=COUNT`` over the key range (and ``where``): no item is returned, but DynamoDB still reads
        every item of the range, one call per 1 MB of them, and charges those reads."""
        total, start_key = 0, None
        while True:
            page = self.query(pk, count=True, start_key=start_key, **options)
            total += page.counted
            if not page.last_key:
                return total
            start_key = page.last_key

    def query_all(self, pk: str, *, limit: int | None = None, **options: Any) -> Iterator[dict[str, Any]]:
        """Follows DynamoDB's 1 MB pages until ``limit`` items (or the end) are read."""
        remaining = limit
        start_key = None
        while True:
            page = self.query(pk, limit=remaining, start_key=start_key, **options)
            yield from page.items
            if remaining is not None:
                remaining -= len(page.items)
                if remaining <= 0:
                    return
            if not page.last_key:
                return
            start_key = page.last_key

    def put(self, item: dict[str, Any], *, condition: str | None = None, names: dict[str, str] | None = None,
            values: dict[str, Any] | None = None) -> None:
        request: dict[str, Any] = {"TableName": self.name, "Item": marshal(item)}
        if condition:
            request["ConditionExpression"] = condition
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
            if names:
                request["ExpressionAttributeNames"] = names
            if values:
                request["ExpressionAttributeValues"] = marshal(values)
        try:
            self._client.put_item(**request)
        except self._client.exceptions.ConditionalCheckFailedException as failure:
            old = failure.response.get("Item")
            raise ConditionFailed(unmarshal(old) if old else None) from failure

    def update(self, pk: str, sk: str, update: str, *, condition: str | None = None,
               names: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """UpdateItem returning the new image; ``ConditionFailed`` carries the old one."""
        request: dict[str, Any] = {
            "TableName": self.name,
            "Key": marshal(key(pk, sk)),
            "UpdateExpression": update,
            "ReturnValues": "ALL_NEW",
        }
        _add_condition(request, condition, names, values, return_old=condition is not None)
        try:
            response = self._client.update_item(**request)
        except self._client.exceptions.ConditionalCheckFailedException as failure:
            old = failure.response.get("Item")
            raise ConditionFailed(unmarshal(old) if old else None) from failure
        return unmarshal(response["Attributes"])

    def delete(self, pk: str, sk: str, *, condition: str, names: dict[str, str] | None = None,
               values: dict[str, Any] | None = None) -> None:
        request: dict[str, Any] = {"TableName": self.name, "Key": marshal(key(pk, sk))}
        _add_condition(request, condition, names, values, return_old=False)
        try:
            self._client.delete_item(**request)
        except self._client.exceptions.ConditionalCheckFailedException as failure:
            raise ConditionFailed(None) from failure

    def delete_returning(self, pk: str, sk: str, *, condition: str) -> dict[str, Any]:
        """DeleteItem answering the item as it was (``ConditionFailed`` when the condition fails)."""
        request: dict[str, Any] = {"TableName": self.name, "Key": marshal(key(pk, sk)), "ReturnValues": "ALL_OLD"}
        _add_condition(request, condition, None, None, return_old=False)
        try:
            response = self._client.delete_item(**request)
        except self._client.exceptions.ConditionalCheckFailedException as failure:
            raise ConditionFailed(None) from failure
        return unmarshal(response["Attributes"])

    def transact(self, operations: list[dict[str, Any]]) -> None:
        """TransactWriteItems over operations built with ``put_op``/``update_op``/``delete_op``/``check_op``."""
        if len(operations) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} items")
        try:
            self._client.transact_write_items(TransactItems=operations)
        except self._client.exceptions.TransactionCanceledException as cancelled:
            reasons = cancelled.response.get("CancellationReasons") or []
            codes = [reason.get("Code", "None") for reason in reasons]
            items = [unmarshal(reason["Item"]) if reason.get("Item") else None for reason in reasons]
            raise TransactionCancelled(codes, items) from cancelled

    def delete_keys(self, keys: Iterable[tuple[str, str]]) -> int:
        """BatchWriteItem deletes, 25 at a time, retrying unprocessed ones. Returns how many."""
        return self._write_requests({"DeleteRequest": {"Key": marshal(key(pk, sk))}} for pk, sk in keys)

    def put_many(self, items: Iterable[dict[str, Any]]) -> int:
        """BatchWriteItem puts (unconditional: each replaces the item of its key), 25 at a time. Returns how many."""
        return self._write_requests({"PutRequest": {"Item": marshal(item)}} for item in items)

    def transact_guarded(self, operations: list[dict[str, Any]]) -> bool:
        """``transact`` whose first operation is its guard: False (nothing written) when the guard's condition
        refused it, as a settle that finds its item settled already; any other cancellation is raised."""
        try:
            self.transact(operations)
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                return False
            raise
        return True

    def _write_requests(self, requests: Iterable[dict[str, Any]]) -> int:
        batch: list[dict[str, Any]] = []
        count = 0
        for request in requests:
            batch.append(request)
            if len(batch) == _BATCH_WRITE_SIZE:
                count += self._write_batch(batch)
                batch = []
        if batch:
            count += self._write_batch(batch)
        return count

    def _write_batch(self, batch: list[dict[str, Any]]) -> int:
        pending: dict[str, Any] = {self.name: batch}
        while pending:
            response = self._client.batch_write_item(RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
        return len(batch)

    # Operation builders for ``transact``.
    def put_op(self, item: dict[str, Any], condition: str | None = None, *, names: dict[str, str] | None = None,
               values: dict[str, Any] | None = None, return_old: bool = False) -> dict[str, Any]:
        op: dict[str, Any] = {"TableName": self.name, "Item": marshal(item)}
        _add_condition(op, condition, names, values, return_old)
        return {"Put": op}

    def update_op(self, pk: str, sk: str, update: str, *, condition: str | None = None,
                  names: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                  return_old: bool = False) -> dict[str, Any]:
        op: dict[str, Any] = {"TableName": self.name, "Key": marshal(key(pk, sk)), "UpdateExpression": update}
        _add_condition(op, condition, names, values, return_old)
        return {"Update": op}

    def delete_op(self, pk: str, sk: str, condition: str | None = None, *, names: dict[str, str] | None = None,
                  values: dict[str, Any] | None = None) -> dict[str, Any]:
        op: dict[str, Any] = {"TableName": self.name, "Key": marshal(key(pk, sk))}
        _add_condition(op, condition, names, values, False)
        return {"Delete": op}

    def check_op(self, pk: str, sk: str, condition: str, *, names: dict[str, str] | None = None,
                 values: dict[str, Any] | None = None, return_old: bool = False) -> dict[str, Any]:
        op: dict[str, Any] = {"TableName": self.name, "Key": marshal(key(pk, sk))}
        _add_condition(op, condition, names, values, return_old)
        return {"ConditionCheck": op}


def _add_condition(op: dict[str, Any], condition: str | None, names: dict[str, str] | None,
                   values: dict[str, Any] | None, return_old: bool) -> None:
    if condition:
        op["ConditionExpression"] = condition
    if names:
        op["ExpressionAttributeNames"] = names
    if values:
        op["ExpressionAttributeValues"] = marshal(values)
    if return_old:
        op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"


_table: Table | None = None


def table() -> Table:
    global _table
    name = get_settings().table_name
    if _table is None or _table.name != name:
        _table = Table(name)
    return _table
