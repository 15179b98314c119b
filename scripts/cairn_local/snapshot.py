"""Local data that survives a restart: the table's items and the bucket's objects, saved to
.cairn-local/snapshot.json on shutdown (and periodically), restored on start."""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path
from typing import Any

from cairn_local.resolve import REGION, LocalNames

_BATCH = 25


def _clients() -> tuple[Any, Any]:
    import boto3

    return boto3.client("dynamodb", region_name=REGION), boto3.client("s3", region_name=REGION)


def save(path: Path, names: LocalNames) -> int:
    """Writes the snapshot atomically; returns the number of items saved."""
    dynamodb, s3 = _clients()
    items = [item for page in dynamodb.get_paginator("scan").paginate(TableName=names.table)
             for item in page.get("Items", [])]
    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=names.bucket):
        for entry in page.get("Contents", []):
            body = s3.get_object(Bucket=names.bucket, Key=entry["Key"])["Body"].read()
            objects[entry["Key"]] = base64.b64encode(body).decode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps({"version": 1, "items": items, "objects": objects}))
    os.replace(partial, path)
    return len(items)


def restore(path: Path, names: LocalNames) -> int:
    """Loads a snapshot into empty resources; returns the number of items restored."""
    if not path.exists():
        return 0
    snapshot = json.loads(path.read_text())
    dynamodb, s3 = _clients()
    items = snapshot["items"]
    for start in range(0, len(items), _BATCH):
        batch = items[start:start + _BATCH]
        pending: dict[str, Any] = {names.table: [{"PutRequest": {"Item": item}} for item in batch]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    for key, body in snapshot["objects"].items():
        s3.put_object(Bucket=names.bucket, Key=key, Body=base64.b64decode(body))
    return len(items)


class PeriodicSaver:
    """Saves every ``interval`` seconds, so that even a killed server loses little."""

    def __init__(self, path: Path, names: LocalNames, interval: float = 30.0) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(path, names, interval), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self, path: Path, names: LocalNames, interval: float) -> None:
        while not self._stop.wait(interval):
            save(path, names)
