"""DynamoDB stream event source mappings for the local stack: moto keeps the table's stream but delivers
it to no Lambda, so this poller reads it (``dynamodbstreams``: DescribeStream, GetShardIterator,
GetRecords) and calls each template function that has a ``DynamoDB`` event, in process, with the event
Lambda would send: the event's ``FilterCriteria`` applied (the subset Cairn uses: value lists and
``exists``), at most ``BatchSize`` records per call, and ``batchItemFailures`` retried from the lowest
reported sequence number (a few times, then skipped with a warning, as ``MaximumRetryAttempts`` would).
When the table lives in this process's moto, the poller registers as the stream's reader
(``emulator.stream_reader``), so that what it has read is trimmed and what it has not is kept.

    poller = StreamPoller(table_name)
    poller.drain()        # tests: deliver everything written so far
    poller.start()        # the dev server: a background thread
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cairn_local import emulator, handlers, template

log = logging.getLogger("cairn.local.streams")
DEFAULT_MAX_RETRIES = 3  # Lambda retries until the record expires; locally a few times is enough
POLL_SECONDS = 0.5
_GET_RECORDS_LIMIT = 1000


@dataclass(frozen=True)
class StreamSource:
    """One ``Type: DynamoDB`` event of a template function."""

    logical_id: str
    batch_size: int
    patterns: tuple[dict[str, Any], ...]  # a record passes if it matches any (none: every record)
    reports_failures: bool
    max_retries: int


def stream_sources() -> list[StreamSource]:
    found = []
    for logical_id, spec in template.resources("AWS::Serverless::Function").items():
        for event in spec["Properties"].get("Events", {}).values():
            if event["Type"] != "DynamoDB":
                continue
            props = event["Properties"]
            filters = (props.get("FilterCriteria") or {}).get("Filters", [])
            found.append(StreamSource(
                logical_id=logical_id,
                batch_size=int(props.get("BatchSize", 100)),
                patterns=tuple(json.loads(f["Pattern"]) for f in filters),
                reports_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                max_retries=int(props.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES)),
            ))
    return found


_MISSING = object()


def matches(pattern: dict[str, Any], record: dict[str, Any]) -> bool:
    """Lambda event filtering, for object patterns whose leaves are lists of values, ``{"exists": bool}`` or
    ``{"prefix": str}``."""
    for name, expected in pattern.items():
        value = record.get(name, _MISSING) if isinstance(record, dict) else _MISSING
        if isinstance(expected, dict):
            if not matches(expected, value if isinstance(value, dict) else {}):
                return False
        elif isinstance(expected, list):
            if not any(_leaf_matches(rule, value) for rule in expected):
                return False
        else:
            raise ValueError(f"unsupported filter pattern at {name!r}: {expected!r}")
    return True


def _leaf_matches(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict) and set(rule) == {"prefix"}:  # EventBridge's (an S3 key prefix)
        return isinstance(value, str) and value.startswith(str(rule["prefix"]))
    if isinstance(rule, dict):
        if set(rule) != {"exists"}:
            raise ValueError(f"unsupported filter rule {rule!r} (only exists and prefix are emulated)")
        return (value is not _MISSING) is bool(rule["exists"])
    return value is not _MISSING and value == rule


def admits(source: StreamSource, record: dict[str, Any]) -> bool:
    return not source.patterns or any(matches(pattern, record) for pattern in source.patterns)


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda delivers it: the source ARN, epoch seconds, JSON-safe values."""
    shaped = _json_safe(record)
    shaped["eventSourceARN"] = stream_arn
    shaped.setdefault("eventVersion", "1.1")
    return shaped


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.timestamp()
    return value


Invoker = Callable[[str, dict[str, Any]], Any]


class StreamPoller:
    """Delivers the table's stream to every ``DynamoDB`` event source of the template."""

    def __init__(self, table_name: str, *, sources: list[StreamSource] | None = None,
                 starting_position: str = "TRIM_HORIZON", invoke: Invoker = handlers.invoke) -> None:
        import boto3
        from botocore.config import Config

        self.table_name = table_name
        self.sources = stream_sources() if sources is None else sources
        self.starting_position = starting_position
        self.invoke = invoke
        # Account-based endpoints (``{account}.streams-ddb...``) are unknown to the pinned moto's mock.
        self._client = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self._dynamodb = boto3.client("dynamodb")
        self._iterators: dict[tuple[str, str], str] = {}  # (source, shard) -> next shard iterator
        self._read_up_to: dict[tuple[str, str], int] = {}  # (source, shard) -> next sequence number to read
        self._reader: emulator.StreamReader | None = None
        self._registered = False
        self._stream_arn: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.delivered = 0

    # --- reading ----------------------------------------------------------------------------------------------

    def _arn(self) -> str:
        if self._stream_arn is None:
            table = self._dynamodb.describe_table(TableName=self.table_name)["Table"]
            self._stream_arn = table["LatestStreamArn"]
        return self._stream_arn

    def _shards(self) -> list[str]:
        return [shard["ShardId"] for shard in
                self._client.describe_stream(StreamArn=self._arn())["StreamDescription"]["Shards"]]

    def _read(self, source: StreamSource, shard: str) -> list[dict[str, Any]]:
        position = (source.logical_id, shard)
        iterator = self._iterators.get(position)
        if iterator is None:
            iterator = self._client.get_shard_iterator(StreamArn=self._arn(), ShardId=shard,
                                                       ShardIteratorType=self.starting_position)["ShardIterator"]
        response = self._client.get_records(ShardIterator=iterator, Limit=_GET_RECORDS_LIMIT)
        self._iterators[position] = response["NextShardIterator"]
        records = response.get("Records", [])
        if records:
            self._read_up_to[position] = int(records[-1]["dynamodb"]["SequenceNumber"]) + 1
        return records

    def _release(self, shards: list[str]) -> None:
        """Tells the in-process stream what every source has read (it may then trim it)."""
        if self._reader is None:
            return
        positions = [self._read_up_to.get((source.logical_id, shard), self._reader.position)
                     for shard in shards for source in self.sources]
        if positions:
            self._reader.advance(min(positions))

    # --- delivering -------------------------------------------------------------------------------------------

    def poll_once(self) -> int:
        """Reads what is new on every shard for every source and delivers it; returns records read."""
        with self._lock:
            if not self._registered:  # before the first read: nothing unread may be trimmed from then on
                self._registered = True
                self._reader = emulator.stream_reader(self.table_name) if self.starting_position == "TRIM_HORIZON" \
                    else None
            read = 0
            shards = self._shards()
            for shard in shards:
                for source in self.sources:
                    records = self._read(source, shard)
                    read += len(records)
                    admitted = [lambda_record(r, self._arn()) for r in records if admits(source, r)]
                    for start in range(0, len(admitted), source.batch_size):
                        self._deliver(source, admitted[start:start + source.batch_size])
            self._release(shards)
            return read

    def _deliver(self, source: StreamSource, batch: list[dict[str, Any]]) -> None:
        for attempt in range(source.max_retries + 1):
            result = self.invoke(source.logical_id, {"Records": batch})
            self.delivered += len(batch)
            failures = ((result or {}).get("batchItemFailures") or []) if source.reports_failures else []
            if not failures:
                return
            lowest = min(int(failure["itemIdentifier"]) for failure in failures)
            batch = [r for r in batch if int(r["dynamodb"]["SequenceNumber"]) >= lowest]
            if attempt == source.max_retries:
                log.warning("%s: giving up on %d stream records after %d retries", source.logical_id,
                            len(batch), source.max_retries)

    def drain(self, max_rounds: int = 100) -> int:
        """Delivers until a round reads nothing new (handlers may write more); returns records read."""
        total = 0
        for _ in range(max_rounds):
            read = self.poll_once()
            total += read
            if not read:
                return total
        raise RuntimeError(f"stream of {self.table_name} still busy after {max_rounds} rounds")

    # --- background -------------------------------------------------------------------------------------------

    def start(self, interval: float = POLL_SECONDS) -> None:
        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.poll_once()
                except Exception:  # keep polling: one failed round must not stop the dev server's indexer
                    log.exception("stream poll failed")

        self._thread = threading.Thread(target=run, name="cairn-stream-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._reader is not None:
            self._reader.close()
