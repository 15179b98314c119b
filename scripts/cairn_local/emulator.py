"""moto as Cairn's embedded AWS: resources created from template.yaml, state machines executed by
moto's ASL interpreter, and their Lambda tasks dispatched in-process to the real handlers.

This module reaches into moto internals; moto's version is pinned in requirements-dev.txt.
"""

from __future__ import annotations

import base64
import bisect
import calendar
import copy
import functools
import json
import logging
import os
import threading
import weakref
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from cairn_local import handlers, s3_events, sfn_events, template
from cairn_local.forge import local_task_engine_environment
from cairn_local.resolve import ACCOUNT, REGION, LocalNames, function_name_from_arn
from cairn_local.tokens import local_jwt_environment

log = logging.getLogger("cairn.local")
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
DYNAMODB_LOCK = threading.RLock()
_patched = False


def aws_environment() -> dict[str, str]:
    """Credentials and region for an emulator (never real ones)."""
    return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


def use_emulator_environment(jwt_secret: str) -> None:
    """This process talks to an embedded emulator only: emulator credentials (never real ones, and no
    inherited ``AWS_ENDPOINT_URL*``), the functions' settings from template.yaml resolved to the local resource
    names (cairn requires them), the local JWT settings with ``jwt_secret``, quiet Powertools and no tracing.
    Call it before cairn reads its settings."""
    for variable in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[variable]
    os.environ.update(aws_environment())
    os.environ.update(LocalNames().environment())
    os.environ["CAIRN_JWT_SECRET"] = jwt_secret
    os.environ.update(local_jwt_environment())
    os.environ["CAIRN_ALLOW_LOCAL_URLS"] = "true"  # connections may point at local fakes (cairn.integrations.ssrf)
    os.environ.update(local_task_engine_environment())
    os.environ.update({"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING",
                       "POWERTOOLS_METRICS_NAMESPACE": "Cairn", "POWERTOOLS_SERVICE_NAME": "cairn"})


def reset_cairn_caches() -> None:
    """Settings and AWS clients are cached per process: drop them after the environment changed."""
    from cairn.aws import clients, partition
    from cairn.core.settings import get_settings

    get_settings.cache_clear()
    clients.reset()
    partition.forget_all()


def _invoke_handler(self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any,
                    response_headers: Any) -> bytes:
    """Replaces moto's simple Lambda: runs the template function's real handler, reporting errors
    the way Lambda does so that Retry and Catch in the state machine behave as in AWS."""
    logical_id = function_name_from_arn(function_name)
    event = json.loads(body) if body else {}
    try:
        result = handlers.invoke(logical_id, event)
    except Exception as error:
        log.exception("local lambda %s failed", logical_id)
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}).encode()
    return json.dumps(result).encode()


# --- moto's DynamoDB: request cost independent of the table's size -------------------------------------------
# moto answers correctly but walks, sorts or copies whole tables on the request path: a transaction deep-copies
# every table it touches once per item (to roll back), and each Query sorts every item of the table to find one
# partition. The patches below keep moto's answers (its own query code still filters, pages and projects) and
# change only what is walked or copied. They rely on DYNAMODB_LOCK: every DynamoDB request holds it.

STREAM_RECORDS_KEPT = 10_000  # records a table's stream keeps when no StreamReader is registered
SHARD_ITERATORS_KEPT = 1_000  # moto keeps every shard iterator it hands out; a poller makes one per read
_INDEX = "_cairn_key_index"
_READERS = "_cairn_stream_readers"
_ORDERED = {"S": str, "N": Decimal}  # key types whose range conditions are cut by bisection
_OPERATORS = {"EQ": "=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}


def _first(entry: tuple[Any, ...]) -> Any:
    return entry[0]


def _first_three(entry: tuple[Any, ...]) -> tuple[Any, ...]:
    return entry[:3]


class _KeyIndex:
    """A table's keys in Query order, kept in step with its writes.

    ``partitions``: per hash key (native value), ``(range native, range DynamoType)`` sorted. ``gsi``: per GSI
    with one hash and one range attribute, per index hash value, ``(index range, table hash, table range,
    hash DynamoType, range DynamoType)`` sorted (the natives are unique, so the DynamoTypes are never compared);
    ``filed`` says where each table key is filed, so a GSI entry moves when an update changes its attributes.
    """

    def __init__(self, table: Any) -> None:
        self.table = table
        self.partitions: dict[Any, list[tuple[Any, Any]]] = {}
        self.gsi_keys: dict[str, tuple[str, str]] = {}
        for index in table.global_indexes:
            hashes = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
            ranges = [key["AttributeName"] for key in index.schema if key["KeyType"] == "RANGE"]
            if len(hashes) == 1 and len(ranges) == 1:
                self.gsi_keys[index.name] = (hashes[0], ranges[0])
        self.gsi: dict[str, dict[Any, list[tuple[Any, ...]]]] = {name: {} for name in self.gsi_keys}
        self.filed: dict[str, dict[tuple[Any, Any], tuple[Any, tuple[Any, ...]]]] = {name: {} for name in self.gsi_keys}
        for partition in list(table.items.values()):
            for item in list(partition.values()):
                self.replaced(None, item)

    def partition(self, hash_key: Any) -> list[tuple[Any, Any]]:
        """The partition's sorted range keys (rebuilt if a write went around the index: the counts differ)."""
        entries = self.partitions.get(hash_key.cast_value, [])
        stored = self.table.items.get(hash_key, {})
        if len(entries) != len(stored):
            entries = sorted(((range_key.cast_value, range_key) for range_key in stored), key=_first)
            self.partitions[hash_key.cast_value] = entries
        return entries

    def replaced(self, old: Any, new: Any) -> None:
        """The item ``old`` (None: nothing) was replaced by ``new`` (None: nothing) under the same key."""
        item = new if new is not None else old
        if item is None:
            return
        key = (item.hash_key.cast_value, item.range_key.cast_value)
        if (old is None) != (new is None):
            entries = self.partitions.setdefault(key[0], [])
            at = bisect.bisect_left(entries, key[1], key=_first)
            present = at < len(entries) and entries[at][0] == key[1]
            if new is not None and not present:
                entries.insert(at, (key[1], item.range_key))
            elif new is None and present:
                del entries[at]
            if not entries:
                del self.partitions[key[0]]
        self.refile(key, new)

    def refile(self, key: tuple[Any, Any], item: Any) -> None:
        """Files the item at ``key`` under each GSI by its current attributes (None: under none)."""
        for name, (hash_attr, range_attr) in self.gsi_keys.items():
            wanted = None
            if item is not None and hash_attr in item.attrs and range_attr in item.attrs:
                wanted = (item.attrs[hash_attr].cast_value,
                          (item.attrs[range_attr].cast_value, *key, item.hash_key, item.range_key))
            filed = self.filed[name].get(key)
            if filed is not None and (wanted is None or (filed[0], filed[1][:3]) != (wanted[0], wanted[1][:3])):
                entries = self.gsi[name][filed[0]]
                del entries[bisect.bisect_left(entries, filed[1][:3], key=_first_three)]
                if not entries:
                    del self.gsi[name][filed[0]]
                del self.filed[name][key]
                filed = None
            if wanted is not None and filed is None:
                bisect.insort(self.gsi[name].setdefault(wanted[0], []), wanted[1], key=_first_three)
                self.filed[name][key] = wanted


def _key_index(table: Any, *, build: bool = True) -> _KeyIndex | None:
    """The table's key index (built on its first Query; tables without a range key have none)."""
    index = table.__dict__.get(_INDEX)
    if index is None and build and table.range_key_attr is not None:
        index = table.__dict__[_INDEX] = _KeyIndex(table)
    return index


def _prefix_end(prefix: str) -> str | None:
    """The least string above every string that starts with ``prefix`` (None: there is none)."""
    while prefix and prefix[-1] == "\U0010ffff":
        prefix = prefix[:-1]
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None


def _range_bounds(entries: list[Any], comparison: str | None, values: list[Any],
                  key_type: str | None) -> tuple[int, int, bool]:
    """The slice of ``entries`` (sorted by their first element) meeting the range condition, and whether it is
    exact; if not, it is every entry and moto's own comparison filters them."""
    if not comparison:
        return 0, len(entries), True
    native_type = _ORDERED.get(key_type or "")
    if native_type is None or any(value.type != key_type for value in values):
        return 0, len(entries), False
    natives = [value.cast_value for value in values]
    left = functools.partial(bisect.bisect_left, entries, key=_first)
    right = functools.partial(bisect.bisect_right, entries, key=_first)
    comparison = _OPERATORS.get(comparison, comparison)
    bounds = {
        "=": lambda: (left(natives[0]), right(natives[0])),
        "<": lambda: (0, left(natives[0])),
        "<=": lambda: (0, right(natives[0])),
        ">": lambda: (right(natives[0]), len(entries)),
        ">=": lambda: (left(natives[0]), len(entries)),
        "BETWEEN": lambda: (left(natives[0]), max(left(natives[0]), right(natives[-1]))),
    }
    if comparison in bounds:
        return *bounds[comparison](), True
    if comparison == "BEGINS_WITH" and native_type is str:
        end = _prefix_end(natives[0])
        return left(natives[0]), len(entries) if end is None else left(end), True
    return 0, len(entries), False


def _query_candidates(table: Any, hash_key: Any, comparison: str | None, range_objs: list[Any], limit: int | None,
                      start_key: dict[str, Any] | None, forward: bool, index_name: str | None,
                      hash_conditions: list[Any] | None, range_conditions: list[Any] | None,
                      filtered_before_limit: bool) -> list[Any] | None:
    """The items a Query may return, in key order: its partition, cut to the range condition, the start key and
    the page (one item more, which tells moto there is more). None: a case left to moto (it walks the table)."""
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import RESULT_SIZE_LIMIT

    index = _key_index(table)
    if index is None or hash_key is None or len(hash_conditions or []) > 1 or len(range_conditions or []) > 1:
        return None
    if index_name is None:
        range_attr = table.range_key_attr
        partition = table.items.get(hash_key, {})
        entries: list[Any] = index.partition(hash_key)
        start_attrs, probe = [range_attr], _first
    elif index_name in index.gsi_keys:
        range_attr = index.gsi_keys[index_name][1]
        entries = index.gsi[index_name].get(hash_key.cast_value, [])
        start_attrs, probe = [range_attr, table.hash_key_attr, table.range_key_attr], _first_three
    else:
        return None
    if range_conditions and range_conditions[0][0] != range_attr:
        return None
    key_type = next((a["AttributeType"] for a in table.attr if a["AttributeName"] == range_attr), None)
    low, high, exact = _range_bounds(entries, comparison, range_objs, key_type)
    if start_key and all(name in start_key for name in start_attrs) and high > low:
        start = tuple(DynamoType(start_key[name]).cast_value for name in start_attrs)
        start = start[0] if index_name is None else start
        if forward:
            low = max(low, bisect.bisect_right(entries, start, low, high, key=probe))
        else:
            high = min(high, bisect.bisect_left(entries, start, low, high, key=probe))
    positions = range(low, high) if forward else range(high - 1, low - 1, -1)
    items, size = [], 0
    for at in positions:
        entry = entries[at]
        item = partition.get(entry[1]) if index_name is None else table.items.get(entry[3], {}).get(entry[4])
        if item is None:  # a write went around the index: rebuild it, and let moto answer this one
            table.__dict__.pop(_INDEX, None)
            return None
        items.append(item)
        if exact and not filtered_before_limit:  # else moto's own checks drop items: give it the whole range
            size += item.size()
            if (limit and len(items) > limit) or size > RESULT_SIZE_LIMIT:
                break
    return items if forward else items[::-1]


def _partition_query(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Table.query`` over ``_query_candidates`` instead of ``all_items()`` (every item of the table,
    sorted, on each Query); moto's own filtering, paging, ``ScannedCount`` and projection are unchanged."""

    def query(self: Any, hash_key: Any, range_comparison: str | None, range_objs: list[Any], limit: int,
              exclusive_start_key: dict[str, Any], scan_index_forward: bool, projection_expressions: Any,
              index_name: str | None = None, consistent_read: bool = False, filter_expression: Any = None,
              hash_key_conditions: Any = None, range_key_conditions: Any = None, **filter_kwargs: Any) -> Any:
        def answer() -> Any:
            return original(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                            scan_index_forward, projection_expressions, index_name, consistent_read,
                            filter_expression, hash_key_conditions=hash_key_conditions,
                            range_key_conditions=range_key_conditions, **filter_kwargs)

        candidates = _query_candidates(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                                       scan_index_forward is not False, index_name, hash_key_conditions,
                                       range_key_conditions, bool(filter_kwargs))
        if candidates is None:
            return answer()
        self.all_items = lambda: list(candidates)  # an instance attribute, for this call only
        try:
            return answer()
        finally:
            del self.all_items

    return query


def _indexed_put(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Table.put_item``, keeping the key index in step."""

    def put_item(self: Any, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        index = _key_index(self, build=False)
        before = _stored(self, _item_keys(self, item_attrs)) if index is not None else None
        item = original(self, item_attrs, *args, **kwargs)
        if index is not None:
            index.replaced(before, item)
        return item

    return put_item


def _indexed_delete(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Table.delete_item``, keeping the key index in step."""

    def delete_item(self: Any, hash_key: Any, range_key: Any) -> Any:
        item = original(self, hash_key, range_key)
        index = _key_index(self, build=False)
        if index is not None and item is not None:
            index.replaced(item, None)
        return item

    return delete_item


def _indexed_update(original: Callable[..., Any]) -> Callable[..., Any]:
    """``DynamoDBBackend.update_item`` changes the item in place, GSI keys included: refile it."""

    def update_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        item = original(self, table_name, *args, **kwargs)
        index = _key_index(self.get_table(table_name), build=False)
        if index is not None and item is not None:
            index.refile((item.hash_key.cast_value, item.range_key.cast_value), item)
        return item

    return update_item


def _item_keys(table: Any, attrs: Any) -> tuple[Any, Any] | None:
    """The (hash, range) DynamoTypes named by ``attrs`` (a Key or an Item), or None if it names none."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        return (DynamoType(attrs[table.hash_key_attr]),
                DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None)
    except (KeyError, TypeError, AttributeError):
        return None


def _stored(table: Any, keys: tuple[Any, Any] | None) -> Any:
    if keys is None or keys[0] not in table.items:
        return None
    partition = table.items[keys[0]]
    return partition.get(keys[1]) if keys[1] is not None else partition


class _TablesNotCopied:
    """Stands in for the ``copy`` module inside ``moto.dynamodb.models``, whose ``transact_write_items``
    deep-copies each touched table once per item, to restore it if the transaction fails: there a Table is
    "copied" as itself, and ``_item_level_rollback`` restores what the transaction touched instead."""

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _failed_conditions(backend: Any, transact_items: list[dict[str, Any]]) -> list[Any] | None:
    """moto's reasons for cancelling the transaction if one of its conditions fails on the items as they are,
    else None. DynamoDB checks every condition before it writes anything; moto writes item after item and rolls
    back, so a losing writer (most attempts of concurrent writers to one branch) wrote and undid every item."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import ConditionalCheckFailed

    reasons: list[Any] = []
    named = set()
    for entry in transact_items:
        (kind, operation), = entry.items()
        table = backend.get_table(operation["TableName"])
        key = operation["Key"] if kind != "Put" else {
            name: operation["Item"][name] for name in (table.hash_key_attr, table.range_key_attr) if name}
        named.add((table.name, json.dumps(key, sort_keys=True)))
        if len(named) < len(reasons) + 1 or kind not in ("ConditionCheck", "Put", "Delete", "Update"):
            return None  # an invalid transaction: moto's own code rejects it
        expression = operation.get("ConditionExpression")
        current = backend.get_item(operation["TableName"], key)
        if expression is None or get_filter_expression(expression, operation.get("ExpressionAttributeNames"),
                                                       operation.get("ExpressionAttributeValues")).expr(current):
            reasons.append((None, None, None))
            continue
        wants_item = operation.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current
        reasons.append(("ConditionalCheckFailed", str(ConditionalCheckFailed().message),
                        current.to_json()["Attributes"] if wants_item else None))
    return reasons if any(code for code, _, _ in reasons) else None


def _item_level_rollback(original: Callable[..., Any]) -> Callable[..., Any]:
    """``TransactWriteItems`` that first checks every condition and, if one fails, cancels having written
    nothing (``_failed_conditions``). Otherwise moto applies it, having saved the items it names (a deep copy of
    each, whatever the table's size); should it fail after all (a validation error of a later item), they are put
    back, those it created removed and the stream records it emitted dropped."""

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        from moto.dynamodb.exceptions import TransactionCanceledException

        try:
            reasons = _failed_conditions(self, transact_items) if len(transact_items) <= 100 else None
        except Exception:  # a malformed request: moto's own code answers it (with its own error)
            reasons = None
        if reasons is not None:
            raise TransactionCanceledException(reasons)
        saved = []
        for entry in transact_items:
            for operation in entry.values() if isinstance(entry, dict) else ():
                table = self.tables.get(operation.get("TableName")) if isinstance(operation, dict) else None
                keys = None if table is None else _item_keys(table, operation.get("Key") or operation.get("Item"))
                if keys is not None:
                    saved.append((table, keys, copy.deepcopy(_stored(table, keys))))
        stream_ends = {id(table): (table, _stream_end(table)) for table, _, _ in saved}
        try:
            original(self, transact_items)
        except Exception:
            for table, keys, item in reversed(saved):
                _put_back(table, keys, item)
            for table, end in stream_ends.values():
                _drop_stream_records(table, end)
            raise

    return transact_write_items


def _put_back(table: Any, keys: tuple[Any, Any], item: Any) -> None:
    """Restores one item (None: removes it), writing no stream record."""
    hash_key, range_key = keys
    current = _stored(table, keys)
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    partition = table.items[hash_key]
    if item is None:
        partition.pop(range_key, None)
        if not partition:
            del table.items[hash_key]
    else:
        partition[range_key] = item
    index = _key_index(table, build=False)
    if index is not None:
        index.replaced(current, item)


def _stream_end(table: Any) -> int | None:
    shard = table.stream_shard
    return None if shard is None else shard.starting_sequence_number + len(shard.items)


def _drop_stream_records(table: Any, end: int | None) -> None:
    """Drops the stream records from sequence number ``end`` on (those of a transaction that failed)."""
    shard = table.stream_shard
    if shard is not None and end is not None:
        del shard.items[max(0, end - shard.starting_sequence_number):]


# --- moto's DynamoDB stream: bounded --------------------------------------------------------------------------


def _trimmed_shard_add(original: Callable[..., Any]) -> Callable[..., Any]:
    """``StreamShard.add`` that trims the shard (moto keeps every record, old and new images, forever): a
    record goes once every registered ``StreamReader`` has read it; with no reader registered, all but the
    newest ``STREAM_RECORDS_KEPT`` go (a late TRIM_HORIZON reader starts there, as at AWS's 24-hour horizon)."""

    def add(self: Any, old: Any, new: Any) -> None:
        original(self, old, new)
        _trim(self)

    return add


def _trim(shard: Any) -> None:
    end = shard.starting_sequence_number + len(shard.items)
    readers = shard.__dict__.get(_READERS)
    horizon = min(readers.values()) if readers else end - STREAM_RECORDS_KEPT
    drop = min(horizon, end) - shard.starting_sequence_number
    if drop > 0:
        del shard.items[:drop]
        shard.starting_sequence_number += drop  # moto numbers a record len(items) + starting_sequence_number


def _trimmed_shard_get(original: Callable[..., Any]) -> Callable[..., Any]:
    """``StreamShard.get`` from the oldest record kept when the iterator is older (moto asserts instead)."""

    def get(self: Any, start: int, quantity: int) -> list[dict[str, Any]]:
        return original(self, max(start, self.starting_sequence_number), quantity)

    return get


def _bounded_iterators(original: Callable[..., Any]) -> Callable[..., Any]:
    """``DynamoDBStreamsBackend.get_records`` under DYNAMODB_LOCK, keeping the newest ``SHARD_ITERATORS_KEPT``
    shard iterators."""

    def get_records(self: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
        with DYNAMODB_LOCK:  # never the records of a transaction still running (it may yet drop them)
            result = original(self, iterator_arn, limit)
            while len(self.shard_iterators) > SHARD_ITERATORS_KEPT:
                del self.shard_iterators[next(iter(self.shard_iterators))]
        return result

    return get_records


class StreamReader:
    """A reader of a table's stream in this process's moto (the dev server's poller): the records it has not
    read are never trimmed. Call ``advance`` after reading; ``close`` (or dropping the reader) releases them."""

    def __init__(self, shard: Any) -> None:
        self._shard = shard
        readers = shard.__dict__.setdefault(_READERS, {})
        self.position = readers[id(self)] = shard.starting_sequence_number
        self._release = weakref.finalize(self, readers.pop, id(self), None)

    def advance(self, next_sequence: int) -> None:
        """Every record before sequence number ``next_sequence`` has been read."""
        with DYNAMODB_LOCK:
            self.position = max(self.position, next_sequence)
            if self._release.alive:
                self._shard.__dict__[_READERS][id(self)] = self.position
                _trim(self._shard)

    def close(self) -> None:
        with DYNAMODB_LOCK:
            self._release()


def stream_reader(table_name: str) -> StreamReader | None:
    """A reader of the stream of ``table_name`` if that table lives in this process's moto, else None."""
    try:
        from moto.dynamodb.models import dynamodb_backends
    except ImportError:
        return None
    with DYNAMODB_LOCK:
        table = dynamodb_backends[ACCOUNT][REGION].tables.get(table_name)
        if table is None or table.stream_shard is None:
            return None
        return StreamReader(table.stream_shard)


_ITEM_ACTIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem",
                           "BatchWriteItem", "TransactGetItems", "TransactWriteItems"})


def _json_scalar(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, datetime):  # epoch seconds to the millisecond, as moto writes them (naive ones are UTC)
        seconds = calendar.timegm(value.utctimetuple())
        return seconds + (value.microsecond // 1000) / 1000.0 if value.microsecond else seconds
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_response(result: Any, context: Any) -> Any:
    """(status, headers, body) of a result already in the wire shape, or None if it is not plain JSON data."""
    from moto import settings

    if not isinstance(result, dict) or settings.PRETTIFY_RESPONSES:
        return None
    try:
        body = json.dumps({key: value for key, value in result.items() if value is not None},
                          default=_json_scalar, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    version = context.service_model.metadata.get("jsonVersion", "1.0")
    return 200, {"Content-Type": f"application/x-amz-json-{version}"}, body


def _plain_json(original: Callable[..., Any]) -> Callable[..., Any]:
    """``DynamoResult.execute_result`` for item operations: ``json.dumps`` of the result, which moto has already
    made plain dicts in DynamoDB's wire shape (binary values as bytes). moto's generic serializer walks the
    output shape member by member, attribute value by attribute value: half the time a Query spent in the
    lock. Anything else (errors, other actions, pretty-printing) goes to moto's serializer."""

    def execute_result(self: Any, context: Any) -> Any:
        response = _json_response(self.result, context) if context.operation_model.name in _ITEM_ACTIONS else None
        return original(self, context) if response is None else response

    return execute_result


def _plain_json_records(original: Callable[..., Any]) -> Callable[..., Any]:
    """``DynamoDBStreamsHandler.get_records`` answered by ``json.dumps`` (as ``_plain_json``): its up to 1,000
    records, each with both images, were most of the time moto spent per poll."""
    from moto.core.responses import ActionResult

    class PlainJsonResult(ActionResult):
        def execute_result(self, context: Any) -> Any:
            return _json_response(self.result, context) or super().execute_result(context)

    def get_records(self: Any) -> Any:
        return PlainJsonResult(original(self).result)

    return get_records


def _new_untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


def _untrack(*classes: type) -> None:
    """moto's ``BaseModel.__new__`` appends every instance to its class's ``instances_tracked`` (for the
    /moto-api dashboard and S3's reset) and nothing ever removes one: every item version, deep copy, stream
    record, shard iterator and S3 object version stayed in memory for the life of the process (the dev server
    grew by megabytes per write, and by the whole table per transaction while moto copied it). These classes
    are created without it (an S3 key's buffer is still closed, by its ``__del__``)."""
    for cls in classes:
        cls.__new__ = staticmethod(_new_untracked)  # type: ignore[assignment]
        cls.instances_tracked.clear()  # type: ignore[attr-defined]


def _locked(original: Callable[..., Any]) -> Callable[..., Any]:
    def call_action(self: Any) -> Any:
        with DYNAMODB_LOCK:
            return original(self)

    return call_action


def _patch_dynamodb() -> None:
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord, StreamShard, Table
    from moto.dynamodb.responses import DynamoHandler, DynamoResult
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
    from moto.s3.models import FakeKey

    DynamoHandler.call_action = _locked(DynamoHandler.call_action)
    DynamoDBStreamsHandler.get_records = _plain_json_records(DynamoDBStreamsHandler.get_records)
    models.copy = _TablesNotCopied()  # type: ignore[assignment]
    DynamoDBBackend.transact_write_items = _item_level_rollback(DynamoDBBackend.transact_write_items)
    DynamoDBBackend.update_item = _indexed_update(DynamoDBBackend.update_item)
    Table.query = _partition_query(Table.query)
    Table.put_item = _indexed_put(Table.put_item)
    Table.delete_item = _indexed_delete(Table.delete_item)
    StreamShard.add = _trimmed_shard_add(StreamShard.add)
    StreamShard.get = _trimmed_shard_get(StreamShard.get)
    DynamoDBStreamsBackend.get_records = _bounded_iterators(DynamoDBStreamsBackend.get_records)
    DynamoResult.execute_result = _plain_json(DynamoResult.execute_result)
    _untrack(Item, StreamRecord, ShardIterator, FakeKey)


def _routed_put_events(original: Callable[..., Any]) -> Callable[..., Any]:
    """``EventsBackend.put_events`` that also hands each entry moto accepted to the local bus
    (``cairn_local.eventbus``: the template's EventBridge rules, invoking the real handlers)."""

    def put_events(self: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from cairn_local import eventbus

        results = original(self, events)
        for entry, result in zip(events, results, strict=True):
            if "EventId" in result:
                eventbus.accepted(entry, result["EventId"])
        return results

    return put_events


def install_patches() -> None:
    """In-process Lambda dispatch; serialized DynamoDB requests; DynamoDB costs that do not grow with the table
    and a bounded stream (the patches above).

    moto applies a transaction's conditions and writes without a lock, so concurrent requests
    could both pass a condition; DynamoDB itself serializes them. One lock restores that.
    """
    global _patched
    if _patched:
        return
    from moto.awslambda_simple.models import LambdaSimpleBackend
    from moto.core.config import default_user_config
    from moto.events.models import EventsBackend

    for section, values in MOTO_CONFIG.items():
        default_user_config.setdefault(section, {}).update(values)
    LambdaSimpleBackend.invoke = _invoke_handler
    EventsBackend.put_events = _routed_put_events(EventsBackend.put_events)
    sfn_events.install()  # executions that end put Step Functions' status-change event on the local bus
    s3_events.install()  # objects written to a notifying bucket put S3's Object Created event on the local bus
    _patch_dynamodb()
    _patched = True


def provision(names: LocalNames) -> dict[str, str]:
    """Creates (if missing) the table, bucket, event buses and state machines; returns the functions' environment:
    the template's, resolved to these resources, with local HS256 tokens instead of a JWKS issuer."""
    import boto3

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    _, table_arguments = template.table_definition()
    existing = dynamodb.list_tables()["TableNames"]
    if names.table not in existing:
        dynamodb.create_table(TableName=names.table, **table_arguments)
        dynamodb.get_waiter("table_exists").wait(TableName=names.table)
        ttl = template.ttl_attribute()
        if ttl:
            dynamodb.update_time_to_live(TableName=names.table,
                                         TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})
    s3 = boto3.client("s3", region_name=REGION)
    if names.bucket not in {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=names.bucket)

    events = boto3.client("events", region_name=REGION)
    existing_buses = {bus["Name"] for bus in events.list_event_buses()["EventBuses"]}
    for bus in template.event_buses():
        if (name := str(names.value(bus))) not in existing_buses:
            events.create_event_bus(Name=name)

    environment = {**names.environment(), **local_jwt_environment(), **local_task_engine_environment()}
    sfn = boto3.client("stepfunctions", region_name=REGION)
    existing_machines = {machine["name"]: machine["stateMachineArn"]
                         for machine in sfn.list_state_machines()["stateMachines"]}
    for machine in template.state_machines():
        name = str(names.value(machine.name))
        definition = machine.definition
        for key, node in machine.substitutions.items():
            definition = definition.replace(f"${{{key}}}", str(names.value(node)))
        arn = existing_machines.get(name)
        if arn is None:
            arn = sfn.create_state_machine(
                name=name, definition=definition, roleArn=f"arn:aws:iam::{ACCOUNT}:role/cairn-local"
            )["stateMachineArn"]
        else:
            sfn.update_state_machine(stateMachineArn=arn, definition=definition)
        for variable, value in environment.items():
            if value.endswith(f":stateMachine:{name}"):
                environment[variable] = arn
    return environment
