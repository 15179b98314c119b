"""What a request cost: the AWS calls it made (botocore hooks on the store's clients) and its latency."""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cairn_local.bench.capacity import WRITE_APIS, Write, units, writes


@dataclass
class Calls:
    """What one request cost: API calls by name, and the items DynamoDB read (ScannedCount) and returned."""

    dynamodb: Counter[str] = field(default_factory=Counter)
    s3: Counter[str] = field(default_factory=Counter)
    scanned: int = 0
    returned: int = 0
    write_units: int = 0  # computed from item sizes (bench.capacity)
    overhead_seconds: float = 0.0  # spent reading items for write_units: not the request's latency


class Recorder:
    """botocore ``after-call`` hooks on the shared clients (the ones the store uses)."""

    def __init__(self) -> None:
        self.calls = Calls()
        self._pending: list[tuple[Write, dict[str, Any] | None]] = []
        self._reader: Any = None  # a client of its own, whose reads of items are not counted

    def install(self) -> None:
        import boto3

        from cairn.aws import clients

        dynamodb = clients.dynamodb()
        self._reader = boto3.client("dynamodb", region_name=dynamodb.meta.region_name,
                                    endpoint_url=dynamodb.meta.endpoint_url)
        dynamodb.meta.events.register("before-parameter-build.dynamodb", self._before_dynamodb)
        dynamodb.meta.events.register("after-call.dynamodb", self._on_dynamodb)
        clients.s3().meta.events.register("after-call.s3", self._on_s3)

    def take(self) -> Calls:
        taken, self.calls = self.calls, Calls()
        return taken

    def _item(self, write: Write) -> dict[str, Any] | None:
        started = time.perf_counter()
        found: dict[str, Any] | None = self._reader.get_item(TableName=write.table, Key=write.key,
                                                             ConsistentRead=True).get("Item")
        self.calls.overhead_seconds += time.perf_counter() - started
        return found

    def _before_dynamodb(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name in WRITE_APIS:
            self._pending = [(write, self._item(write)) for write in writes(model.name, params)]

    def _on_dynamodb(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        self.calls.dynamodb[model.name] += 1
        self.calls.scanned += int(parsed.get("ScannedCount", 0))
        self.calls.returned += int(parsed.get("Count", 0))
        if model.name in WRITE_APIS:
            self.calls.write_units += sum(units(write, before, self._item(write)) for write, before in self._pending)
            self._pending = []

    def _on_s3(self, model: Any, **_: Any) -> None:
        self.calls.s3[model.name] += 1


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]
