"""What a request cost: the AWS calls it made (botocore hooks on the store's clients) and its latency."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Calls:
    """What one request cost: API calls by name, and the items DynamoDB read (ScannedCount) and returned."""

    dynamodb: Counter[str] = field(default_factory=Counter)
    s3: Counter[str] = field(default_factory=Counter)
    scanned: int = 0
    returned: int = 0


class Recorder:
    """botocore ``after-call`` hooks on the shared clients (the ones the store uses)."""

    def __init__(self) -> None:
        self.calls = Calls()

    def install(self) -> None:
        from cairn.aws import clients

        clients.dynamodb().meta.events.register("after-call.dynamodb", self._on_dynamodb)
        clients.s3().meta.events.register("after-call.s3", self._on_s3)

    def take(self) -> Calls:
        taken, self.calls = self.calls, Calls()
        return taken

    def _on_dynamodb(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        self.calls.dynamodb[model.name] += 1
        self.calls.scanned += int(parsed.get("ScannedCount", 0))
        self.calls.returned += int(parsed.get("Count", 0))

    def _on_s3(self, model: Any, **_: Any) -> None:
        self.calls.s3[model.name] += 1


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]
