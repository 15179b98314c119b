"""What makes the embedded moto keep its promise: a write it acknowledged survives ``kill -9``.

    durability = Durability(state_dir, names)
    restored = durability.open()   # snapshot + journal into moto, folded into a new snapshot; journaling on
    ...                            # every acknowledged DynamoDB and S3 write is journaled before its response
    durability.close()             # a last checkpoint

Every write moto acknowledges is journaled (journal.py) while the lock that orders it is held: DynamoDB
writes under the emulator's ``DYNAMODB_LOCK`` (the order DynamoDB applied them in), S3 writes and Secrets
Manager writes (the tenant connections) under a lock of their own each. One journal line per request, so a
transaction is replayed whole or not at all. A checkpoint takes all three locks, copies the state, starts a
new journal segment, and then (writers running again) writes the snapshot and drops the segments it holds. A
failed checkpoint is logged, counted and tried again later; the journal keeps everything meanwhile.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cairn_local import journal, snapshot
from cairn_local.emulator import DYNAMODB_LOCK
from cairn_local.resolve import LocalNames

log = logging.getLogger("cairn.local.persistence")
WRITE_ACTIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
CHECKPOINT_SECONDS = 300.0  # the journal is what keeps writes; a checkpoint only shortens the next start
CHECKPOINT_RECORDS = 50_000
_ITEMS_PER_LOCK = 500  # a chunk copies in a few ms: the longest a writer waits for a checkpoint
_S3_WRITES = {"put_object": ("bucket_name", "key_name"), "delete_object": ("bucket_name", "key_name"),
              "copy_object": ("dest_bucket_name", "dest_key_name")}
# Secrets Manager writes, by the argument naming the secret (the backend's methods, whatever the API call).
_SECRET_WRITES = {"create_secret": "name", "put_secret_value": "secret_id", "update_secret": "secret_id",
                  "delete_secret": "secret_id", "restore_secret": "secret_id"}


def written_items(action: str, request: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(table, key attributes) of every item a DynamoDB write request may have changed."""
    if action == "PutItem":
        return [(request["TableName"], request["Item"])]
    if action in ("UpdateItem", "DeleteItem"):
        return [(request["TableName"], request["Key"])]
    if action == "TransactWriteItems":
        written = []
        for entry in request["TransactItems"]:
            kind, operation = next(iter(entry.items()))
            if kind != "ConditionCheck":
                written.append((operation["TableName"], operation.get("Key") or operation["Item"]))
        return written
    if action == "BatchWriteItem":
        return [(table_name, request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"])
                for table_name, requests in request["RequestItems"].items() for request in requests]
    raise ValueError(f"not a write: {action}")


class Durability:
    def __init__(self, state_dir: Path, names: LocalNames) -> None:
        self.names = names
        self.snapshot_path = state_dir / "snapshot.json"
        self.journal_dir = state_dir / "journal"
        self.journal: journal.Journal | None = None
        self.checkpoint_failures = 0
        self._s3_lock = threading.RLock()
        self._secrets_lock = threading.RLock()
        self._unpatch: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- start and stop -----------------------------------------------------------------------------------

    def open(self) -> int:
        """Loads the snapshot and replays the journal after it into moto, folds both into a new snapshot,
        and starts journaling. Returns the number of records restored."""
        records, included = snapshot.load(self.snapshot_path, self.names.table, self.names.bucket)
        for record in records:
            snapshot.apply(record)
        replayed = 0
        for path in journal.segments(self.journal_dir) if self.journal_dir.exists() else []:
            if journal.segment_number(path) > included:
                for line in journal.read_segment(path):
                    for record in line["records"]:
                        snapshot.apply(record)
                    replayed += 1
        self.journal = journal.Journal(self.journal_dir, fsync=os.environ.get("CAIRN_LOCAL_FSYNC") == "1")
        self._install_hooks()
        if replayed or not self.snapshot_path.exists():
            self.checkpoint()
        log.info("restored %d snapshot records and %d journaled writes", len(records), replayed)
        return len(records) + replayed

    def close(self) -> None:
        """A last checkpoint, then journaling stops."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.journal is not None and self.journal.records:
            self.checkpoint()
        self.stop_journaling()

    def stop_journaling(self) -> None:
        for undo in reversed(self._unpatch):
            undo()
        self._unpatch.clear()
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    def start_checkpoints(self, *, every: float = CHECKPOINT_SECONDS, records: int = CHECKPOINT_RECORDS,
                          poll: float = 2.0) -> None:
        """A background thread that checkpoints when the journal holds ``records`` writes or ``every`` seconds
        after the last checkpoint if it holds any."""
        def run() -> None:
            last = time.monotonic()
            while not self._stop.wait(poll):
                pending = self.journal.records if self.journal else 0
                if pending >= records or (pending and time.monotonic() - last >= every):
                    self._checkpoint_logged()
                    last = time.monotonic()

        self._thread = threading.Thread(target=run, name="cairn-checkpoint", daemon=True)
        self._thread.start()

    # --- checkpoints --------------------------------------------------------------------------------------

    def checkpoint(self) -> int:
        """Writes a snapshot of everything and drops the journal segments it holds; returns its record count."""
        if self.journal is None:
            raise RuntimeError("checkpoint before open()")
        table, bucket = self.names.table, self.names.bucket
        with DYNAMODB_LOCK, self._s3_lock, self._secrets_lock:
            included = self.journal.rotate()
            items = snapshot.stored_items(table)
            keys = snapshot.stored_keys(bucket)
            secrets = [snapshot.secret_record(name) for name in snapshot.stored_secrets()]
        records = []
        for start in range(0, len(items), _ITEMS_PER_LOCK):
            with DYNAMODB_LOCK:
                records += snapshot.items_as_records(table, items[start:start + _ITEMS_PER_LOCK])
        for key in keys:
            with self._s3_lock:
                record = snapshot.object_record(bucket, key)
            if record["body"] is not None:  # deleted since the listing: its deletion is journaled after n
                records.append(record)
        records += [record for record in secrets if record["value"] is not None]
        snapshot.write(self.snapshot_path, records, included)
        self.journal.remove_through(included)
        return len(records)

    def _checkpoint_logged(self) -> None:
        """A checkpoint that, failing, leaves the journal as it is and says so (the writes stay safe)."""
        try:
            self.checkpoint()
        except Exception:
            self.checkpoint_failures += 1
            log.exception("checkpoint failed (%d so far); the journal keeps every write, retrying later",
                          self.checkpoint_failures)

    # --- journaling hooks ---------------------------------------------------------------------------------

    def _append(self, records: list[dict[str, Any]]) -> None:
        if self.journal is not None and records:
            self.journal.append({"records": records})

    def _install_hooks(self) -> None:
        from moto.dynamodb.responses import DynamoHandler
        from moto.s3.models import S3Backend
        from moto.secretsmanager.models import SecretsManagerBackend

        self._patch(DynamoHandler, "call_action", self._journaled_dynamodb)
        for method, argument_names in _S3_WRITES.items():
            self._patch(S3Backend, method, lambda original, names=argument_names: self._journaled_s3(original, names))
        for method, argument_name in _SECRET_WRITES.items():
            self._patch(SecretsManagerBackend, method,
                        lambda original, name=argument_name: self._journaled_secret(original, name))

    def _patch(self, owner: type, name: str, wrap: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        setattr(owner, name, wrap(original))
        self._unpatch.append(lambda: setattr(owner, name, original))

    def _journaled_dynamodb(self, call_action: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def journaled(handler: Any) -> Any:
            action = handler._get_action()
            if action not in WRITE_ACTIONS:
                return call_action(handler)
            request = json.loads(handler.body)  # the raw request, before moto replaces it with parsed params
            with DYNAMODB_LOCK:
                status, headers, body = call_action(handler)
                if status < 400:
                    self._append([snapshot.item_record(table_name, key)
                                  for table_name, key in written_items(action, request)])
                return status, headers, body

        return journaled

    def _journaled_s3(self, method: Callable[..., Any], argument_names: tuple[str, str]) -> Callable[..., Any]:
        signature = inspect.signature(method)

        def journaled(backend: Any, *args: Any, **kwargs: Any) -> Any:
            arguments = signature.bind(backend, *args, **kwargs).arguments
            with self._s3_lock:
                result = method(backend, *args, **kwargs)
                self._append([snapshot.object_record(*(arguments[name] for name in argument_names))])
                return result

        return journaled

    def _journaled_secret(self, method: Callable[..., Any], argument_name: str) -> Callable[..., Any]:
        """A secret's value after a write that succeeded (a refused one raises: nothing to journal)."""
        signature = inspect.signature(method)

        def journaled(backend: Any, *args: Any, **kwargs: Any) -> Any:
            name = signature.bind(backend, *args, **kwargs).arguments[argument_name]
            with self._secrets_lock:
                result = method(backend, *args, **kwargs)
                self._append([snapshot.secret_record(name)])
                return result

        return journaled
